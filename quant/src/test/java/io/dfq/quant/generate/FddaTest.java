package io.dfq.quant.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.model.Models;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.TapBatchNorm;
import io.dfq.quant.pipeline.ProgressListener;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FddaTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Shape IMAGE = new Shape(1, 28, 28);
    private static final int PIXELS = 784;

    /** A standalone 2-channel BN with running mean [0.5, -1] and running variance [1, 4]. */
    private static TapBatchNorm bn(NDManager m) {
        TapBatchNorm bn = new TapBatchNorm(2);
        bn.initialize(m, DataType.FLOAT32, new Shape(1, 2));
        bn.runningMean().set(new float[] {0.5f, -1f});
        bn.runningVar().set(new float[] {1f, 4f});
        return bn;
    }

    /**
     * Two observed layers: (N, C) = (4, 2) with channels [1, 2, 3, 4] and [-1, -1, 1, 1] (mean [2.5, 0],
     * biased var [1.25, 1]); (N, C, H, W) = (2, 2, 1, 2) with channels [0, 2, 4, 6] and [1, 1, 1, 1]
     * (mean [3, 1], var [5, 0]).
     */
    private static BnStatistics twoLayers(NDManager m) {
        BnStatistics stats = new BnStatistics(Models.build("resnet8", 0.25, 1, 10, 0));
        TapBatchNorm bn = bn(m);
        stats.observe(bn, m.create(new float[] {1, -1, 2, -1, 3, 1, 4, 1}, new Shape(4, 2)));
        stats.observe(bn, m.create(new float[] {0, 2, 1, 1, 4, 6, 1, 1}, new Shape(2, 2, 1, 2)));
        return stats;
    }

    @Test
    void bnLossIsTheLayerMeanOfMeanAndVarianceMse() {
        try (NDManager m = NDManager.newBaseManager(); BnStatistics stats = twoLayers(m)) {
            // layer 1: means ((2.5 - 0.5)^2 + (0 + 1)^2) / 2 = 2.5; variances ((1.25 - 1)^2 + (1 - 4)^2) / 2
            //   = (0.0625 + 9) / 2 = 4.53125; sum 7.03125
            // layer 2: means ((3 - 0.5)^2 + (1 + 1)^2) / 2 = 5.125;
            //   variances ((5 - 1)^2 + (0 - 4)^2) / 2 = 16; sum 21.125
            // mean over the 2 layers: 14.078125
            assertThat(Fdda.bnLoss(stats.layers()).getFloat()).isCloseTo(14.078125f, within(1e-5f));
        }
    }

    @Test
    void classLossAveragesTheLayersFromTheFirstDeepOne() {
        try (NDManager m = NDManager.newBaseManager(); BnStatistics stats = twoLayers(m)) {
            float[][] mean = {{2.5f, 0f}, {1f, 1f}};
            float[][] var = {{1.25f, 2f}, {4f, 1f}};
            // layer 2 alone: means ((3 - 1)^2 + (1 - 1)^2) / 2 = 2; variances ((5 - 4)^2 + (0 - 1)^2) / 2 = 1
            assertThat(Fdda.classLoss(stats.layers(), mean, var, 1).getFloat()).isCloseTo(3f, within(1e-6f));
            // layer 1: means 0; variances (0 + (1 - 2)^2) / 2 = 0.5; mean over both layers (0.5 + 3) / 2
            assertThat(Fdda.classLoss(stats.layers(), mean, var, 0).getFloat())
                    .isCloseTo(1.75f, within(1e-6f));
            assertThatThrownBy(() -> Fdda.classLoss(stats.layers(), mean, var, 2))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void distortionTargetsAreTheCentrePlusSeededGaussianNoise() {
        float[][] centre = {{1f, 2f}, {3f}};
        float[][] noisy = Fdda.noisy(centre, 0.5, new Random(7));
        Random r = new Random(7);
        double a = r.nextGaussian();
        double b = r.nextGaussian();
        double c = r.nextGaussian();
        assertThat(noisy[0]).containsExactly((float) (1 + 0.5 * a), (float) (2 + 0.5 * b));
        assertThat(noisy[1]).containsExactly((float) (3 + 0.5 * c));
        assertThat(Fdda.noisy(centre, 0.0, new Random(1))).isDeepEqualTo(centre);
    }

    @Test
    void crossEntropyMatchesTheHandValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(new float[] {0f, (float) Math.log(3), 2f, 2f}, new Shape(2, 2));
            // row 1, label 1: p = 3 / 4, -ln 0.75 = 0.2876821; row 2, label 0: p = 1/2, ln 2 = 0.6931472
            assertThat(Fdda.crossEntropy(logits, new int[] {1, 0}).getFloat())
                    .isCloseTo((0.2876821f + 0.6931472f) / 2, within(1e-6f));
        }
    }

    @Test
    void scheduleAndLayerRangeFollowTheReferenceCode() {
        // resnet18: 20 BN layers -> from 8 (the reference's start_layer); resnet8: 9 -> 3; resnet20: 21 -> 9
        assertThat(Fdda.deepStart(20)).isEqualTo(8);
        assertThat(Fdda.deepStart(9)).isEqualTo(3);
        assertThat(Fdda.deepStart(21)).isEqualTo(9);
        assertThat(Fdda.deepStart(1)).isZero();
        // 400 epochs, milestones 100 / 200 / 300: iteration 80000 * k / 4 starts decay k
        assertThat(Fdda.learningRate(1e-3, 19999, 80000)).isEqualTo(1e-3);
        assertThat(Fdda.learningRate(1e-3, 20000, 80000)).isCloseTo(1e-4, within(1e-12));
        assertThat(Fdda.learningRate(1e-3, 79999, 80000)).isCloseTo(1e-6, within(1e-15));
    }

    @Test
    void generatorMakesBatchNormalisedImagesFromLatentsAndLabels() {
        try (NDManager m = NDManager.newBaseManager();
                FddaGenerator g = new FddaGenerator(m, new Random(1), 8, 10, 16, IMAGE)) {
            // linear, conv x3 (weight, bias) and three conditional BNs (scale, shift tables)
            assertThat(g.parameters()).hasSize(14);
            NDArray z = m.create(new float[4 * 8], new Shape(4, 8)).add(m.arange(32f).reshape(4, 8).div(10));
            NDArray x = g.apply(z, new int[] {0, 3, 3, 9});
            assertThat(x.getShape()).isEqualTo(new Shape(4, 1, 28, 28));
            // the last BN (no affine) leaves each channel with batch mean 0 and variance v / (v + 1e-5),
            // v the variance of the tanh output (here about 0.007, so 0.9985)
            NDArray[] s = TapBatchNorm.channelStats(x);
            assertThat(s[0].getFloat()).isCloseTo(0f, within(1e-5f));
            assertThat(s[1].getFloat()).isBetween(0.99f, 1f);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> new FddaGenerator(m, new Random(1), 8, 10, 16, new Shape(1, 30, 30)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("divisible by 4");
        }
    }

    /** 20 labelled images, 2 per class: image i is a ramp whose offset and slope depend on i. */
    private static ImageSet training() {
        int n = 20;
        float[] data = new float[n * PIXELS];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 10;
            for (int p = 0; p < PIXELS; p++) {
                data[i * PIXELS + p] = (labels[i] - 4.5f) / 3 + (p % 28) * (i + 1) / 280f;
            }
        }
        return new ImageSet(data, labels, n, 1, 28, 28);
    }

    /** A resnet8 (width 0.25) teacher with non-trivial running statistics in its stem BN. */
    private static Net teacher(NDManager m) {
        Net net = Models.build("resnet8", 0.25, 1, 10, 5);
        net.init(m, IMAGE);
        TapBatchNorm stem = net.batchNorms().get(0);
        stem.runningMean().set(new float[] {0.3f, -0.2f, 0.1f, 0.5f});
        stem.runningVar().set(new float[] {2f, 0.5f, 1.5f, 0.8f});
        return net;
    }

    private static ObjectNode params(int iters) {
        ObjectNode p = JSON.createObjectNode();
        p.put("name", "fdda");
        p.put("iters", iters);
        p.put("batch", 4);
        p.put("gen_width", 16);
        p.put("latent", 16);
        return p;
    }

    private static SyntheticSet run(Net teacher, ObjectNode params, int samples, long seed, NDManager m) {
        return new Fdda().generate(new GenerationContext(teacher, params, samples, IMAGE, seed,
                FddaTest::training, m, ProgressListener.NONE));
    }

    @Test
    void aShortRunLowersTheObjectiveAndReturnsALabelledSetWithTheRealImages() {
        try (NDManager m = NDManager.newBaseManager()) {
            SyntheticSet s = run(teacher(m), params(10).put("lr", 1e-2), 24, 3, m);
            ImageSet images = s.images();
            assertThat(images.count()).isEqualTo(24);
            assertThat(images.imageShape()).isEqualTo(IMAGE);
            // 14 synthetic, labels round-robin (0..3 twice), then the 10 real images, one per class
            assertThat(images.classHistogram(10)).containsExactly(3, 3, 3, 3, 2, 2, 2, 2, 2, 2);
            ImageSet real = Fdda.realImages(training(), 10, 3);
            assertThat(Arrays.copyOfRange(images.data(), 14 * PIXELS, 24 * PIXELS))
                    .containsExactly(real.data());
            assertThat(Arrays.copyOfRange(images.labels(), 14, 24)).containsExactly(real.labels());
            assertThat(s.stats()).containsEntry("uses_real_data", 1.0).containsEntry("real_images", 10.0)
                    .containsEntry("real_images_in_set", 10.0).containsEntry("iterations", 10.0);
            assertThat(s.stats().get("loss_total_final")).isLessThan(s.stats().get("loss_total_initial"));
            assertThat(s.stats().get("loss_bn_final")).isLessThan(s.stats().get("loss_bn_initial"));
            assertThat(s.stats().get("loss_center_initial")).isPositive();
            assertThat(s.stats().get("loss_distort_initial")).isPositive();
        }
    }

    @Test
    void isDeterministicForAFixedSeed() {
        try (NDManager m = NDManager.newBaseManager()) {
            Net t = teacher(m);
            ObjectNode p = params(1).put("include_real", false);
            float[] a = run(t, p, 4, 11, m).images().data();
            float[] b = run(t, p, 4, 11, m).images().data();
            float[] c = run(t, p, 4, 12, m).images().data();
            assertThat(a).containsExactly(b);
            assertThat(c).isNotEqualTo(a);
        }
    }

    @Test
    void turningTheClassTermsOffSkipsTheClassBatch() {
        try (NDManager m = NDManager.newBaseManager()) {
            ObjectNode p = params(1).put("w_center", 0.0).put("w_distort", 0.0).put("include_real", false);
            SyntheticSet s = run(teacher(m), p, 4, 1, m);
            assertThat(s.stats()).containsEntry("loss_center_initial", 0.0)
                    .containsEntry("loss_distort_final", 0.0);
            assertThat(s.stats()).containsEntry("real_images_in_set", 0.0);
            assertThat(s.images().count()).isEqualTo(4);
        }
    }

    @Test
    void needsBatchNormAndOneImagePerClass() {
        try (NDManager m = NDManager.newBaseManager()) {
            Net lenet = Models.build("lenet5", 0.5, 1, 10, 0);
            lenet.init(m, IMAGE);
            assertThatThrownBy(() -> run(lenet, params(1), 2, 0, m))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("BatchNorm");
        }
        ObjectNode trial = JSON.createObjectNode();
        trial.putObject("teacher").put("model", "lenet5");
        assertThat(new Fdda().unsupportedReason(trial)).get().asString().contains("lenet5");
        trial.putObject("teacher").put("model", "resnet20");
        assertThat(new Fdda().unsupportedReason(trial)).isEmpty();
        assertThatThrownBy(() -> Fdda.realImages(training().head(7), 10, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("class 7");
    }
}
