package io.dfq.quant.qcore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class WeightQuantizerTest {

    @Test
    void eachChannelGetsItsOwnScaleCodesAndDequantizedValues() {
        // channel 0: {-1, 0.3, 2} -> [-1, 2]: scale 3/15 = 0.2, zero point 5
        // channel 1: {0.74, 0, 1.5} -> [0, 1.5]: scale 1.5/15 = 0.1, zero point 0
        float[] w = {-1f, 0.3f, 2f, 0.74f, 0f, 1.5f};
        WeightQuantizer.Quantized q = WeightQuantizer.perChannel(w, 2, 4, false, new MinMaxObserver());

        assertThat(q.channels()).hasSize(2);
        assertThat(q.channels()[0].scale()).isCloseTo(0.2f, within(1e-6f));
        assertThat(q.channels()[0].zeroPoint()).isEqualTo(5);
        assertThat(q.channels()[1].scale()).isCloseTo(0.1f, within(1e-6f));
        assertThat(q.channels()[1].zeroPoint()).isEqualTo(0);

        // ch0: -1 -> -5 + 5 = 0; 0.3 -> 1.5 -> 2 (half to even) + 5 = 7; 2 -> 10 + 5 = 15
        // ch1: 0.74 -> 7.4 -> 7; 0 -> 0; 1.5 -> 15
        assertThat(q.codes()).containsExactly(0, 7, 15, 7, 0, 15);

        // ch0: (0-5)*0.2 = -1, (7-5)*0.2 = 0.4, (15-5)*0.2 = 2; ch1: 0.7, 0, 1.5
        float[] deq = q.dequantize();
        float[] expected = {-1f, 0.4f, 2f, 0.7f, 0f, 1.5f};
        for (int i = 0; i < expected.length; i++) {
            assertThat(deq[i]).as("weight %d", i).isCloseTo(expected[i], within(1e-6f));
        }
    }

    @Test
    void symmetricChannelsUseSignedCodes() {
        // ch0 {-1, 0.2, 0.3} -> max|w| = 1, scale 1/7: -1 * 7 = -7; 0.2 * 7 = 1.4 -> 1; 0.3 * 7 = 2.1 -> 2
        // ch1 {-0.3, 0.7, 0.1} -> max|w| = 0.7, scale 0.7/7 = 0.1: -3; 7; 1
        float[] w = {-1f, 0.2f, 0.3f, -0.3f, 0.7f, 0.1f};
        WeightQuantizer.Quantized q = WeightQuantizer.perChannel(w, 2, 4, true, new MinMaxObserver());
        assertThat(q.channels()[0].scale()).isCloseTo(1f / 7, within(1e-6f));
        assertThat(q.channels()[1].scale()).isCloseTo(0.1f, within(1e-6f));
        assertThat(q.codes()[0]).isEqualTo(-7);
        assertThat(q.codes()[1]).isEqualTo(1);
        assertThat(q.codes()[2]).isEqualTo(2);
        assertThat(q.codes()[3]).isEqualTo(-3);
        assertThat(q.codes()[4]).isEqualTo(7);
        assertThat(q.codes()[5]).isEqualTo(1);
    }

    @Test
    void weightsMustSplitEvenlyIntoChannels() {
        assertThatThrownBy(() -> WeightQuantizer.perChannel(new float[5], 2, 4, false, new MinMaxObserver()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not divisible");
    }
}
