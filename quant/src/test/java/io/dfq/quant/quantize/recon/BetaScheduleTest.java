package io.dfq.quant.quantize.recon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class BetaScheduleTest {

    @Test
    void noRegularizerDuringWarmupThenLinearDecayFromStartToEnd() {
        BetaSchedule s = new BetaSchedule(100, 0.2, 20, 2);
        assertThat(s.regularizes(19)).isFalse();
        assertThat(s.regularizes(20)).isTrue();
        assertThat(s.beta(20)).isEqualTo(20.0);
        // 40 of the 80 decay iterations done: 2 + 18 * (1 - 0.5)
        assertThat(s.beta(60)).isCloseTo(11.0, within(1e-12));
        assertThat(s.beta(100)).isEqualTo(2.0);
        assertThat(s.beta(99)).isCloseTo(2 + 18 * (1 - 79.0 / 80), within(1e-12));
    }

    @Test
    void rejectsAWarmupThatLeavesNoIterations() {
        assertThatThrownBy(() -> new BetaSchedule(10, 1.0, 20, 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
