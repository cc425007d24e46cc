package io.dfq.quant.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.model.Models;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.TapBatchNorm;
import io.dfq.quant.pipeline.ProgressListener;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class GeneratorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Shape IMAGE = new Shape(1, 28, 28);

    private static final Supplier<ImageSet> NO_DATA = () -> {
        throw new AssertionError("a data-free generator asked for the training data");
    };

    private static GenerationContext ctx(Net teacher, JsonNode params, int samples, long seed,
            Supplier<ImageSet> data, NDManager m) {
        return new GenerationContext(teacher, params, samples, IMAGE, seed, data, m, ProgressListener.NONE);
    }

    /** A resnet8 (width 0.25) teacher whose stem and last BN have non-trivial running statistics. */
    private static Net teacher(NDManager m) {
        Net net = Models.build("resnet8", 0.25, 1, 10, 5);
        net.init(m, IMAGE);
        TapBatchNorm stem = net.batchNorms().get(0); // 4 channels
        stem.runningMean().set(new float[] {0.3f, -0.2f, 0.1f, 0.5f});
        stem.runningVar().set(new float[] {2f, 0.5f, 1.5f, 0.8f});
        TapBatchNorm last = net.batchNorms().get(net.batchNorms().size() - 1);
        float[] mean = new float[last.channels()];
        java.util.Arrays.fill(mean, 0.2f);
        last.runningMean().set(mean);
        return net;
    }

    private static ObjectNode zeroqParams(int iters) {
        ObjectNode p = JSON.createObjectNode();
        p.put("name", "zeroq");
        p.put("iters", iters);
        p.put("batch", 8);
        return p;
    }

    @Test
    void zeroqLowersTheBnStatisticsLoss() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            SyntheticSet s = new ZeroQ().generate(ctx(teacher(m), zeroqParams(10), 8, 3, NO_DATA, m));
            assertThat(s.images().count()).isEqualTo(8);
            assertThat(s.images().imageShape()).isEqualTo(IMAGE);
            assertThat(s.images().hasLabels()).isFalse();
            assertThat(s.stats().get("iterations")).isEqualTo(10.0);
            assertThat(s.stats().get("loss_bn_final")).isLessThan(s.stats().get("loss_bn_initial"));
            assertThat(s.stats().get("loss_bn_final")).isGreaterThanOrEqualTo(0.0);
        }
    }

    @Test
    void zeroqIsDeterministicForAFixedSeed() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Net t = teacher(m);
            float[] a = new ZeroQ().generate(ctx(t, zeroqParams(2), 8, 11, NO_DATA, m)).images().data();
            float[] b = new ZeroQ().generate(ctx(t, zeroqParams(2), 8, 11, NO_DATA, m)).images().data();
            float[] c = new ZeroQ().generate(ctx(t, zeroqParams(2), 8, 12, NO_DATA, m)).images().data();
            assertThat(a).containsExactly(b);
            assertThat(c).isNotEqualTo(a);
        }
    }

    @Test
    void zeroqNeedsBatchNorm() {
        try (NDManager m = NDManager.newBaseManager()) {
            Net lenet = Models.build("lenet5", 0.5, 1, 10, 0);
            lenet.init(m, IMAGE);
            assertThatThrownBy(() -> new ZeroQ().generate(ctx(lenet, zeroqParams(1), 2, 0, NO_DATA, m)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("BatchNorm");
        }
        ObjectNode trial = JSON.createObjectNode();
        trial.putObject("teacher").put("model", "lenet5");
        assertThat(new ZeroQ().unsupportedReason(trial)).get().asString().contains("lenet5");
        trial.putObject("teacher").put("model", "resnet20");
        assertThat(new ZeroQ().unsupportedReason(trial)).isEmpty();
    }

    @Test
    void gaussianIsDeterministicAndHonoursStd() {
        try (NDManager m = NDManager.newBaseManager()) {
            Gaussian g = new Gaussian();
            // params null: every parameter at its default (std 1)
            float[] a = g.generate(ctx(null, null, 4, 9, NO_DATA, m)).images().data();
            float[] b = g.generate(ctx(null, null, 4, 9, NO_DATA, m)).images().data();
            assertThat(a).hasSize(4 * 784).containsExactly(b);
            assertThat(g.generate(ctx(null, null, 4, 10, NO_DATA, m)).images().data()).isNotEqualTo(a);

            ObjectNode p = JSON.createObjectNode().put("name", "gaussian").put("std", 2.0);
            SyntheticSet s = g.generate(ctx(null, p, 64, 1, NO_DATA, m));
            assertThat(s.images().count()).isEqualTo(64);
            assertThat(s.images().hasLabels()).isFalse();
            float[] v = s.images().data();
            double sum = 0;
            double sq = 0;
            for (float x : v) {
                sum += x;
                sq += (double) x * x;
            }
            double mean = sum / v.length;
            double std = Math.sqrt(sq / v.length - mean * mean);
            // n = 64 * 784 = 50176: standard error of the mean 2 / sqrt(n) = 0.009, of the std 2 / sqrt(2n) = 0.006
            assertThat(mean).isCloseTo(0.0, within(0.05));
            assertThat(std).isCloseTo(2.0, within(0.05));
        }
    }

    @Test
    void realDataReturnsAClassBalancedLabelledSample() {
        // 3 classes x 10 images of 1x28x28; image i filled with the value i
        int n = 30;
        float[] data = new float[n * 784];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(data, i * 784, (i + 1) * 784, i);
            labels[i] = i % 3;
        }
        ImageSet train = new ImageSet(data, labels, n, 1, 28, 28);
        AtomicInteger loads = new AtomicInteger();
        Supplier<ImageSet> supplier = () -> {
            loads.incrementAndGet();
            return train;
        };
        try (NDManager m = NDManager.newBaseManager()) {
            SyntheticSet s = new RealData().generate(ctx(null, null, 6, 4, supplier, m));
            assertThat(loads).hasValue(1);
            assertThat(s.images().count()).isEqualTo(6);
            assertThat(s.images().hasLabels()).isTrue();
            assertThat(s.images().classHistogram(3)).containsExactly(2, 2, 2); // 6 / 3 classes
            for (int i = 0; i < 6; i++) {
                int original = (int) s.images().data()[i * 784];
                assertThat(s.images().label(i)).isEqualTo(original % 3);
            }
            assertThat(s.stats()).containsEntry("uses_real_data", 1.0);
            // the same seed draws the same images
            assertThat(new RealData().generate(ctx(null, null, 6, 4, supplier, m)).images().data())
                    .containsExactly(s.images().data());
        }
    }
}
