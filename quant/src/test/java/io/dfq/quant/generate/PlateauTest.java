package io.dfq.quant.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.dfq.quant.nn.Divergence;
import org.junit.jupiter.api.Test;

/** {@link Plateau} (PyTorch's ReduceLROnPlateau, mode min) and {@link Divergence}. */
class PlateauTest {

    @Test
    void dropsTenfoldAfterMoreThanPatienceStepsWithoutImprovement() {
        Plateau p = new Plateau(0.5, 2, 1e-4);
        p.observe(1.0); // best 1.0
        p.observe(1.0); // bad 1
        p.observe(1.0); // bad 2: not more than patience 2
        assertThat(p.current()).isEqualTo(0.5);
        p.observe(1.0); // bad 3 > 2 -> 0.5 * 0.1 = 0.05, counter reset
        assertThat(p.current()).isCloseTo(0.05, within(1e-15));
        p.observe(0.5); // improvement: best 0.5, bad 0
        p.observe(0.6); // bad 1
        p.observe(0.6); // bad 2
        assertThat(p.current()).isCloseTo(0.05, within(1e-15));
    }

    @Test
    void improvementsSmallerThanTheRelativeThresholdDoNotCount() {
        Plateau p = new Plateau(1.0, 0, 1e-6);
        p.observe(1.0); // best 1.0
        // 0.99995 is not below 1.0 * (1 - 1e-4) = 0.9999: a bad step; patience 0 -> 1.0 * 0.1 = 0.1
        p.observe(0.99995);
        assertThat(p.current()).isCloseTo(0.1, within(1e-15));
        // 0.9 < 0.9999: improvement, lr unchanged
        p.observe(0.9);
        assertThat(p.current()).isCloseTo(0.1, within(1e-15));
    }

    @Test
    void neverDropsBelowTheFloor() {
        Plateau p = new Plateau(1e-3, 0, 1e-4);
        p.observe(1.0);
        p.observe(1.0); // 1e-3 * 0.1 = 1e-4
        p.observe(1.0); // max(1e-5, 1e-4) = 1e-4
        assertThat(p.current()).isCloseTo(1e-4, within(1e-18));
    }

    @Test
    void divergenceNamesMethodIterationAndLoss() {
        Divergence.check("zeroq", 0, 1.5); // finite: fine
        assertThatThrownBy(() -> Divergence.check("zeroq", 2, Double.NaN))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("zeroq diverged at iteration 3: loss NaN");
        assertThatThrownBy(() -> Divergence.check("zeroq", 0, Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalStateException.class);
    }
}
