package io.dfq.quant.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.dfq.quant.model.TapBatchNorm;
import org.junit.jupiter.api.Test;

/** {@link SampleBnStatistics}: per-image statistics and the group statistics pooled from them. */
class SampleBnStatisticsTest {

    private static TapBatchNorm bn(NDManager m) {
        TapBatchNorm bn = new TapBatchNorm(2);
        bn.initialize(m, DataType.FLOAT32, new Shape(1, 2));
        return bn;
    }

    @Test
    void perImageStatisticsAreSpatialMeanAndBiasedVariance() {
        try (NDManager m = NDManager.newBaseManager()) {
            // (N, C, H, W) = (2, 2, 1, 2): image 0 channels [1, 3], [-1, -1]; image 1 [0, 0], [1, 3]
            NDArray x = m.create(new float[] {1, 3, -1, -1, 0, 0, 1, 3}, new Shape(2, 2, 1, 2));
            SampleBnStatistics.Layer l = SampleBnStatistics.of(bn(m), x);
            assertThat(l.mean().getShape()).isEqualTo(new Shape(2, 2));
            assertThat(l.mean().toFloatArray()).containsExactly(2, -1, 0, 2);
            assertThat(l.var().toFloatArray()).containsExactly(1, 0, 0, 1);
            // (N, C) inputs: each image is its own mean, with variance 0
            NDArray rows = m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
            SampleBnStatistics.Layer flat = SampleBnStatistics.of(bn(m), rows);
            assertThat(flat.mean().toFloatArray()).containsExactly(1, 2, 3, 4);
            assertThat(flat.var().toFloatArray()).containsOnly(0f);
        }
    }

    @Test
    void pooledStatisticsEqualTheStatisticsOfTheGroupsImages() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 3, -1, -1, 0, 0, 1, 3}, new Shape(2, 2, 1, 2));
            SampleBnStatistics.Layer l = SampleBnStatistics.of(bn(m), x);
            // the whole batch: channel 0 values {1, 3, 0, 0}: mean 1, var 2.5 - 1 = 1.5;
            //   channel 1 {-1, -1, 1, 3}: mean 0.5, var 3 - 0.25 = 2.75 (what BN computes)
            NDArray half = m.create(new float[] {0.5f, 0.5f}, new Shape(1, 2));
            NDArray[] batch = SampleBnStatistics.pooled(l, half);
            assertThat(batch[0].toFloatArray()).containsExactly(1f, 0.5f);
            assertThat(batch[1].toFloatArray()).containsExactly(1.5f, 2.75f);
            NDArray[] bnStats = TapBatchNorm.channelStats(x);
            assertThat(batch[1].toFloatArray()).containsExactly(bnStats[1].toFloatArray());
            // one group per image gives the images back
            NDArray identity = m.create(new float[] {1, 0, 0, 1}, new Shape(2, 2));
            NDArray[] each = SampleBnStatistics.pooled(l, identity);
            assertThat(each[0].toFloatArray()).containsExactly(2, -1, 0, 2);
            assertThat(each[1].toFloatArray()).containsExactly(1, 0, 0, 1);
        }
    }
}
