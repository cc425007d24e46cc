package io.dfq.quant.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.TapBatchNorm;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.nn.Init;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Dsg}: slack alignment and sample enhancement by hand, a short run, determinism. */
class DsgTest {

    /**
     * A 2-channel BN (running mean [0.5, -1], variance [1, 4]) and the per-image statistics of the
     * input (N, C, H, W) = (2, 2, 1, 2): image 0 has channels [1, 3] and [-1, -1] (means 2, -1,
     * variances 1, 0), image 1 has [0, 0] and [1, 3] (means 0, 2, variances 0, 1).
     */
    private static SampleBnStatistics.Layer layer(NDManager m) {
        TapBatchNorm bn = new TapBatchNorm(2);
        bn.initialize(m, DataType.FLOAT32, new Shape(1, 2));
        bn.runningMean().set(new float[] {0.5f, -1f});
        bn.runningVar().set(new float[] {1f, 4f});
        NDArray x = m.create(new float[] {1, 3, -1, -1, 0, 0, 1, 3}, new Shape(2, 2, 1, 2));
        return SampleBnStatistics.of(bn, x);
    }

    @Test
    void slackLossPerImageMatchesTheHandValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            // mean gaps |mu - mu_bn|: image 0 [1.5, 0], image 1 [0.5, 3]
            // std gaps (eps 1e-5): image 0 [0, |sqrt(eps) - sqrt(4 + eps)| = 1.9968402],
            //   image 1 [|sqrt(eps) - sqrt(1 + eps)| = 0.9968427, sqrt(4 + eps) - sqrt(1 + eps) = 0.9999975]
            // delta 1, gamma 0.5: image 0: 0.5^2 + 1.4968402^2 = 0.25 + 2.2405307 = 2.4905307
            //   image 1: 2^2 + 0.4968427^2 + 0.4999975^2 = 4 + 0.2468528 + 0.2499975 = 4.4968503
            float[] slack = Dsg.sampleLoss(layer(m), 1f, 0.5f).toFloatArray();
            assertThat(slack[0]).isCloseTo(2.4905307f, within(1e-5f));
            assertThat(slack[1]).isCloseTo(4.4968502f, within(1e-5f));
            // no slack: image 0: 1.5^2 + 1.9968402^2 = 6.2373709
            //   image 1: 0.25 + 9 + 0.9936955 + 0.999995 = 11.2436905
            float[] tight = Dsg.sampleLoss(layer(m), 0f, 0f).toFloatArray();
            assertThat(tight[0]).isCloseTo(6.2373709f, within(1e-5f));
            assertThat(tight[1]).isCloseTo(11.2436904f, within(1e-5f));
        }
    }

    @Test
    void layerwiseSampleEnhancementCountsImageIOfLayerITwice() {
        try (NDManager m = NDManager.newBaseManager()) {
            // layer 0 with margins (1, 0.5): L_00 = 2.4905307, L_10 = 4.4968502
            // layer 1 (the same input) without slack: L_01 = 6.2373709, L_11 = 11.2436904
            List<SampleBnStatistics.Layer> layers = List.of(layer(m), layer(m));
            Dsg.Margins margins = new Dsg.Margins(new float[] {1f, 0f}, new float[] {0.5f, 0f});
            // LSE: ((L_00 + L_10) + L_00 + (L_01 + L_11) + L_11) / N = 38.2026632 / 2 = 19.1013316
            assertThat(Dsg.alignment(layers, margins, true).getFloat()).isCloseTo(19.1013316f, within(1e-4f));
            // plain: (L_00 + L_10 + L_01 + L_11) / 2 = 12.2342211
            assertThat(Dsg.alignment(layers, margins, false).getFloat())
                    .isCloseTo(12.2342211f, within(1e-4f));
        }
    }

    @Test
    void quantileInterpolatesLikeNumpy() {
        // sorted [1, 2, 3, 4]: position 0.9 * 3 = 2.7 -> 3 + 0.7 * (4 - 3)
        assertThat(Dsg.quantile(new float[] {3, 1, 2, 4}, 0.9)).isCloseTo(3.7f, within(1e-6f));
        assertThat(Dsg.quantile(new float[] {3, 1, 2, 4}, 0)).isEqualTo(1f);
        assertThat(Dsg.quantile(new float[] {3, 1, 2, 4}, 1)).isEqualTo(4f);
    }

    @Test
    void noiseMarginsAtQuantileOneLeaveTheNoiseItselfWithoutLoss() {
        try (NDManager m = NDManager.newBaseManager()) {
            Net teacher = TinyTeacher.build(m);
            NDArray noise = m.create(Init.gaussian(new Random(1), new Shape(6, 1, 28, 28), 1.0),
                    new Shape(6, 1, 28, 28));
            Dsg.Margins all = Dsg.Margins.measure(teacher, noise, 1.0);
            Dsg.Margins most = Dsg.Margins.measure(teacher, noise, 0.9);
            assertThat(all.delta()).hasSize(9);
            for (int l = 0; l < 9; l++) {
                assertThat(most.delta()[l]).isPositive().isLessThanOrEqualTo(all.delta()[l]);
                assertThat(most.gamma()[l]).isPositive().isLessThanOrEqualTo(all.gamma()[l]);
            }
            try (SampleBnStatistics taps = new SampleBnStatistics(teacher)) {
                Autograd.noGrad(() -> teacher.logits(noise, false));
                // every gap is at most its layer's maximum: nothing exceeds the slack
                assertThat(Dsg.alignment(taps.layers(), all, true).getFloat()).isZero();
                assertThat(Dsg.alignment(taps.layers(), most, true).getFloat()).isPositive();
            }
        }
    }

    @Test
    void aShortRunLowersTheObjective() {
        try (NDManager m = NDManager.newBaseManager()) {
            // batch 0 = 9 BN layers; 8 images form one batch
            SyntheticSet s = new Dsg().generate(TinyTeacher.context(TinyTeacher.build(m),
                    TinyTeacher.params("dsg", "iters", 10), 8, 3, m));
            assertThat(s.images().count()).isEqualTo(8);
            assertThat(s.images().hasLabels()).isFalse();
            assertThat(s.stats()).containsEntry("iterations", 10.0).containsEntry("batch", 9.0);
            assertThat(s.stats().get("slack_delta_mean")).isPositive();
            assertThat(s.stats().get("loss_bn_final")).isLessThan(s.stats().get("loss_bn_initial"));
            assertThat(s.stats().get("loss_total_final")).isLessThan(s.stats().get("loss_total_initial"));
            assertThat(s.stats()).containsKeys("loss_input_initial", "loss_input_final");
        }
    }

    @Test
    void isDeterministicForAFixedSeedAndNeedsBatchNorm() {
        try (NDManager m = NDManager.newBaseManager()) {
            Net t = TinyTeacher.build(m);
            Dsg dsg = new Dsg();
            float[] a = dsg.generate(TinyTeacher.context(t, TinyTeacher.params("dsg", "iters", 2), 4, 7, m))
                    .images().data();
            float[] b = dsg.generate(TinyTeacher.context(t, TinyTeacher.params("dsg", "iters", 2), 4, 7, m))
                    .images().data();
            float[] c = dsg.generate(TinyTeacher.context(t, TinyTeacher.params("dsg", "iters", 2), 4, 8, m))
                    .images().data();
            assertThat(a).containsExactly(b);
            assertThat(c).isNotEqualTo(a);
        }
        assertThat(new Dsg().unsupportedReason(TinyTeacher.trial("lenet5"))).get().asString()
                .contains("lenet5");
        assertThat(new Dsg().unsupportedReason(TinyTeacher.trial("resnet20"))).isEmpty();
    }
}
