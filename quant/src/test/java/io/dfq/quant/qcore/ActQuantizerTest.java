package io.dfq.quant.qcore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.dfq.quant.nn.Autograd;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ActQuantizerTest {

    /** Runs the range and histogram passes over [-1, 2] data and calibrates with min-max at 4 bits. */
    private static ActQuantizer calibrated(NDManager m) {
        ActQuantizer aq = new ActQuantizer(4, false);
        NDArray a = m.create(new float[] {-1f, -0.5f, 0.3f});
        NDArray b = m.create(new float[] {2f, 0.1f, 1.3f, -0.2f});
        assertThat(aq.mode()).isEqualTo(ActQuantizer.Mode.RANGE);
        // observing passes return the input untouched
        assertThat(aq.apply(a)).isSameAs(a);
        assertThat(aq.apply(b)).isSameAs(b);
        aq.setMode(ActQuantizer.Mode.HISTOGRAM);
        assertThat(aq.apply(a)).isSameAs(a);
        assertThat(aq.apply(b)).isSameAs(b);
        aq.calibrate(new MinMaxObserver());
        aq.setMode(ActQuantizer.Mode.QUANTIZE);
        return aq;
    }

    @Test
    void rangeThenHistogramThenMinMaxGivesTheObservedRangeParameters() {
        try (NDManager m = NDManager.newBaseManager()) {
            ActQuantizer aq = calibrated(m);
            // range pass: min -1, max 2 -> histogram over [-1, 2] holding all 3 + 4 = 7 values
            assertThat(aq.histogram().min()).isEqualTo(-1f);
            assertThat(aq.histogram().max()).isEqualTo(2f);
            assertThat(aq.histogram().total()).isEqualTo(7);
            // min-max over [-1, 2] at 4 bits: scale 0.2, zero point 5
            assertThat(aq.params().scale()).isCloseTo(0.2f, within(1e-6f));
            assertThat(aq.params().zeroPoint()).isEqualTo(5);
            assertThat(aq.bits()).isEqualTo(4);
        }
    }

    @Test
    void quantizeModeMatchesScalarFakeQuantizationElementwise() {
        try (NDManager m = NDManager.newBaseManager()) {
            ActQuantizer aq = calibrated(m);
            float[] x = {-1.3f, -1f, 0f, 0.07f, 0.1f, 0.3f, 2f, 2.5f};
            // by hand (scale 0.2, zero point 5): -1.3 -> clamp -1; 0.07 -> 0; 0.1 -> 0.5 -> 0 (half to even);
            // 0.3 -> 1.5 -> 2 -> 0.4; 2.5 -> clamp 2
            float[] byHand = {-1f, -1f, 0f, 0f, 0f, 0.4f, 2f, 2f};
            float[] y = aq.apply(m.create(x)).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                assertThat(y[i]).as("x = %s", x[i]).isCloseTo(byHand[i], within(1e-6f));
                assertThat(y[i]).as("x = %s", x[i]).isCloseTo(aq.params().fakeQuantize(x[i]), within(1e-6f));
            }
        }
    }

    @Test
    void straightThroughGradientIsOneEverywhereIncludingClippedValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            ActQuantizer aq = calibrated(m);
            NDArray x = m.create(new float[] {-1.3f, 0.1f, 0.3f, 2.5f});
            x.setRequiresGradient(true);
            try (Autograd g = Autograd.record()) {
                g.backward(aq.apply(x).sum());
            }
            // y = x + stopGradient(Q(x) - x) -> dy/dx = 1
            assertThat(x.getGradient().toFloatArray()).containsExactly(1f, 1f, 1f, 1f);
        }
    }

    @Test
    void offModePassesThrough() {
        try (NDManager m = NDManager.newBaseManager()) {
            ActQuantizer aq = calibrated(m);
            aq.setMode(ActQuantizer.Mode.OFF);
            NDArray x = m.create(new float[] {0.07f});
            assertThat(aq.apply(x)).isSameAs(x);
        }
    }

    @Test
    void calibratingWithoutObservationsFails() {
        ActQuantizer fresh = new ActQuantizer(4, false);
        assertThatThrownBy(() -> fresh.calibrate(new MinMaxObserver()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no activations observed");
        // a histogram pass needs a recorded range first
        assertThatThrownBy(() -> fresh.setMode(ActQuantizer.Mode.HISTOGRAM))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no range");
        assertThatThrownBy(() -> fresh.setMode(ActQuantizer.Mode.QUANTIZE))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not calibrated");
        try (NDManager m = NDManager.newBaseManager()) {
            ActQuantizer empty = new ActQuantizer(4, false);
            empty.apply(m.create(new float[] {1f, 2f}));
            empty.setMode(ActQuantizer.Mode.HISTOGRAM);
            // range recorded, but no value went through the histogram pass
            assertThatThrownBy(() -> empty.calibrate(new MinMaxObserver()))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void staticFakeQuantizeUsesTheGivenParameters() {
        try (NDManager m = NDManager.newBaseManager()) {
            // symmetric [-1, 0.5] at 4 bits: scale 1/7, codes [-8, 7]; -2 -> -14 -> -8 -> -8/7; 0.3 -> 2.1 -> 2 -> 2/7
            QParams q = QParams.fromRange(-1f, 0.5f, 4, true);
            float[] y = ActQuantizer.fakeQuantize(m.create(new float[] {-2f, 0.3f}), q).toFloatArray();
            assertThat(y[0]).isCloseTo(-8f / 7, within(1e-6f));
            assertThat(y[1]).isCloseTo(2f / 7, within(1e-6f));
        }
    }

    @Test
    void learnedStepGetsTheLsqGradientAndFreezesIntoTheParameters() {
        try (NDManager m = NDManager.newBaseManager()) {
            ActQuantizer aq = new ActQuantizer(2, false);
            aq.setParams(new QParams(0.5f, 0, 0, 3));
            aq.setMode(ActQuantizer.Mode.QUANTIZE);
            NDArray step = aq.learnStep(m);
            NDArray x = m.create(new float[] {0.6f, 2.0f});
            float[] y;
            try (Autograd g = Autograd.record()) {
                NDArray out = aq.apply(x);
                y = out.toFloatArray();
                g.backward(out.sum());
            }
            // 0.6 / 0.5 = 1.2 -> 1 -> 0.5; 2.0 / 0.5 = 4 -> clipped to 3 -> 1.5
            assertThat(y).containsExactly(0.5f, 1.5f);
            // d/ds [round_ste(x/s) * s] = round(x/s) - x/s = 1 - 1.2 = -0.2 inside the range,
            // d/ds [qmax * s] = 3 for the clipped element
            assertThat(step.getGradient().getFloat()).isCloseTo(-0.2f + 3f, within(1e-5f));
            step.subi(0.25f); // as if an optimizer moved it to 0.25
            aq.freezeStep();
            assertThat(aq.params().scale()).isEqualTo(0.25f);
            assertThat(aq.apply(x).toFloatArray()).containsExactly(0.5f, 0.75f);
        }
    }

    @Test
    void qdropKeepsRoughlyTheGivenShareOfElementsQuantized() {
        try (NDManager m = NDManager.newBaseManager()) {
            ActQuantizer aq = new ActQuantizer(2, false);
            aq.setParams(new QParams(1f, 0, 0, 3));
            aq.setMode(ActQuantizer.Mode.QUANTIZE);
            aq.learnStep(m);
            aq.setDrop(0.5, new SplittableRandom(3));
            float[] v = new float[4000];
            Arrays.fill(v, 0.25f); // quantizes to 0
            float[] out = aq.apply(m.create(v)).toFloatArray();
            int quantized = 0;
            for (float o : out) {
                assertThat(o).isIn(0f, 0.25f);
                quantized += o == 0f ? 1 : 0;
            }
            assertThat(quantized).isBetween(1850, 2150);
            aq.freezeStep(); // dropping stops with learning
            assertThat(aq.apply(m.create(v)).toFloatArray()).containsOnly(0f);
        }
    }
}
