package io.dfq.quant.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class OneCycleTest {

    // max lr 0.1 over 20 steps: initial 0.1 / 25 = 0.004; final 0.004 / 1e4 = 4e-7;
    // warm-up ends at step 0.3 * 20 - 1 = 5 (PyTorch's OneCycleLR), annealing spans steps 5..19 (14 steps)
    private final OneCycle schedule = new OneCycle(0.1, 20);

    @Test
    void startsAtMaxOverTwentyFive() {
        assertThat(schedule.lr(0)).isCloseTo(0.004, within(1e-12));
    }

    @Test
    void warmsUpAlongACosineToThePeakAtThirtyPercent() {
        // step 1: pct 1/5; lr = 0.1 + (0.004 - 0.1) / 2 * (cos(0.2 pi) + 1) = 0.1 - 0.048 * 1.809017 = 0.0131672
        assertThat(schedule.lr(1)).isCloseTo(0.0131672, within(1e-7));
        assertThat(schedule.lr(5)).isCloseTo(0.1, within(1e-12));
        for (long s = 0; s < 20; s++) {
            assertThat(schedule.lr(s)).isLessThanOrEqualTo(schedule.lr(5));
        }
        for (long s = 1; s <= 5; s++) {
            assertThat(schedule.lr(s)).isGreaterThan(schedule.lr(s - 1));
        }
    }

    @Test
    void annealsToMaxOverTwentyFiveOverTenThousand() {
        // step 12: pct (12 - 5) / 14 = 0.5 -> midpoint (0.1 + 4e-7) / 2 = 0.0500002
        assertThat(schedule.lr(12)).isCloseTo(0.0500002, within(1e-9));
        assertThat(schedule.lr(19)).isCloseTo(4e-7, within(1e-15));
        for (long s = 6; s < 20; s++) {
            assertThat(schedule.lr(s)).isLessThan(schedule.lr(s - 1));
        }
    }
}
