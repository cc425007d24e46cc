package io.dfq.quant.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.dfq.quant.model.Models;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.TapBatchNorm;
import org.junit.jupiter.api.Test;

class BnStatisticsTest {

    /** A standalone 2-channel BN with running mean [0.5, -1] and running variance [1, 4]. */
    private static TapBatchNorm bn(NDManager m) {
        TapBatchNorm bn = new TapBatchNorm(2);
        bn.initialize(m, DataType.FLOAT32, new Shape(1, 2));
        bn.runningMean().set(new float[] {0.5f, -1f});
        bn.runningVar().set(new float[] {1f, 4f});
        return bn;
    }

    /** (N, C) = (4, 2): channel 0 = [1, 2, 3, 4], channel 1 = [-1, -1, 1, 1]. */
    private static NDArray flat(NDManager m) {
        return m.create(new float[] {1, -1, 2, -1, 3, 1, 4, 1}, new Shape(4, 2));
    }

    /** (N, C, H, W) = (2, 2, 1, 2): channel 0 = [0, 2, 4, 6], channel 1 = [1, 1, 1, 1]. */
    private static NDArray image(NDManager m) {
        return m.create(new float[] {0, 2, 1, 1, 4, 6, 1, 1}, new Shape(2, 2, 1, 2));
    }

    @Test
    void channelStatsAreBatchMeanAndBiasedVariance() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] s = TapBatchNorm.channelStats(flat(m));
            // channel 0: mean 2.5, var ((1.5^2 + 0.5^2) * 2) / 4 = 1.25 (unbiased would be 5/3)
            // channel 1: mean 0, var 1 (unbiased 4/3)
            assertThat(s[0].toFloatArray()).containsExactly(2.5f, 0f);
            assertThat(s[1].toFloatArray()).containsExactly(1.25f, 1f);

            NDArray[] t = TapBatchNorm.channelStats(image(m));
            // channel 0 over N, H, W: [0, 2, 4, 6]: mean 3, var (9 + 1 + 1 + 9) / 4 = 5; channel 1: mean 1, var 0
            assertThat(t[0].toFloatArray()).containsExactly(3f, 1f);
            assertThat(t[1].toFloatArray()).containsExactly(5f, 0f);
        }
    }

    @Test
    void meanStdDistanceMatchesTheHandValue() {
        try (NDManager m = NDManager.newBaseManager();
                BnStatistics stats = new BnStatistics(Models.build("resnet8", 0.25, 1, 10, 0))) {
            TapBatchNorm bn = bn(m);
            stats.observe(bn, flat(m));
            // mean term: ((2.5 - 0.5)^2 + (0 - (-1))^2) / 2 = (4 + 1) / 2 = 2.5
            // std term (eps 1e-5): (sqrt(1.25 + eps) - sqrt(1 + eps))^2 = 0.1180334^2 = 0.0139319;
            //   (sqrt(1 + eps) - sqrt(4 + eps))^2 = 0.9999975^2 = 0.999995; mean = 0.5069635
            // total 3.0069635
            assertThat(stats.layers()).hasSize(1);
            assertThat(stats.meanStdDistance().getFloat()).isCloseTo(3.0069635f, within(1e-5f));
        }
    }

    @Test
    void meanStdDistanceSumsOverLayers() {
        try (NDManager m = NDManager.newBaseManager();
                BnStatistics stats = new BnStatistics(Models.build("resnet8", 0.25, 1, 10, 0))) {
            TapBatchNorm bn = bn(m);
            stats.observe(bn, flat(m));
            stats.observe(bn, image(m));
            // second layer: batch mean [3, 1], var [5, 0]
            // mean term ((3 - 0.5)^2 + (1 + 1)^2) / 2 = (6.25 + 4) / 2 = 5.125
            // std term ((sqrt(5 + eps) - sqrt(1 + eps))^2 + (sqrt(eps) - sqrt(4 + eps))^2) / 2
            //   = (1.2360652^2 + 1.9968402^2) / 2 = (1.527857 + 3.987371) / 2 = 2.757614 -> 7.882614
            // total 3.0069635 + 7.882614 = 10.889577
            assertThat(stats.meanStdDistance().getFloat()).isCloseTo(10.889577f, within(1e-4f));
            stats.clear();
            assertThatThrownBy(stats::meanStdDistance).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void tapsEveryBatchNormOfANetworkUntilClosed() {
        try (NDManager m = NDManager.newBaseManager()) {
            Net net = Models.build("resnet8", 0.25, 1, 10, 0);
            net.init(m, new Shape(1, 28, 28));
            NDArray x = m.randomNormal(new Shape(2, 1, 28, 28));
            // resnet8: stem BN + one block per stage: s1 (2 BN), s2 and s3 (2 BN + projection BN) = 1 + 2 + 3 + 3
            int expected = 9;
            assertThat(net.batchNorms()).hasSize(expected);
            BnStatistics stats = new BnStatistics(net);
            net.logits(x, false);
            assertThat(stats.layers()).hasSize(expected);
            // layers come in forward order, which is the order of the network's BN list
            for (int i = 0; i < expected; i++) {
                assertThat(stats.layers().get(i).bn()).isSameAs(net.batchNorms().get(i));
            }
            // with running statistics mean 0 / var 1 and random input the distance is positive
            assertThat(stats.meanStdDistance().getFloat()).isGreaterThan(0f);
            stats.close();
            net.logits(x, false);
            assertThat(stats.layers()).hasSize(expected); // detached: nothing more recorded
        }
    }
}
