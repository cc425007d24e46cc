package io.dfq.quant.generate;

import static io.dfq.quant.generate.TeacherFixture.ctx;
import static io.dfq.quant.generate.TeacherFixture.params;
import static io.dfq.quant.generate.TeacherFixture.teacher;
import static io.dfq.quant.generate.TeacherFixture.trial;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dfq.quant.model.Net;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QimeraTest {

    /** Tiny settings: generator width 1/16 (8 and 4 channels), batch 8. */
    private static ObjectNode tiny(int iters) {
        return params("qimera", "iters", iters, "batch", 8, "width", 0.0625);
    }

    private static double objective(Map<String, Double> s, String when) {
        return s.get("loss_ce_" + when) + 0.1 * s.get("loss_bns_" + when);
    }

    @Test
    void softMixtureTargetAndItsCrossEntropyMatchHandValues() {
        // two samples of K = 2 classes among 4: sample 0 mixes 3 (0.7) and 1 (0.3);
        // sample 1 drew class 2 twice
        int[] c = {3, 1, 2, 2};
        float[] pi = {0.7f, 0.3f, 0.4f, 0.6f};
        float[] t = Qimera.softTargets(c, pi, 2, 2, 4);
        assertThat(t).containsExactly(new float[] {0, 0.3f, 0, 0.7f, 0, 0, 1, 0}, within(1e-7f));
        assertThat(ConditionalSynthesis.argmax(t, 0, 4)).isEqualTo(3); // the dominant class labels the image
        assertThat(ConditionalSynthesis.argmax(t, 4, 4)).isEqualTo(2);
        try (NDManager m = NDManager.newBaseManager()) {
            float ln2 = (float) Math.log(2);
            NDArray logits = m.create(new float[] {0, 0, 0, ln2, 0, 0, 0, 0}, new Shape(2, 4));
            // row 0: softmax [1/5, 1/5, 1/5, 2/5]: -(0.7 ln 2/5 + 0.3 ln 1/5)
            //   = 0.6414035 + 0.4828314 = 1.1242349
            // row 1: ln 4 = 1.3862944; mean 1.2552646
            NDArray ce = ConditionalSynthesis.softCrossEntropy(logits, m.create(t, new Shape(2, 4)));
            assertThat(ce.getFloat()).isCloseTo(1.2552646f, within(1e-6f));
        }
    }

    @Test
    void coefficientsAreASoftmaxOfNormalsOrOneHot() {
        float[] pi = new float[6];
        Qimera.coefficients(new Random(7), false, pi, 0, 3);
        Qimera.coefficients(new Random(7), true, pi, 1, 3);
        Random same = new Random(7);
        double g0 = same.nextGaussian();
        double g1 = same.nextGaussian();
        double g2 = same.nextGaussian();
        double sum = Math.exp(g0) + Math.exp(g1) + Math.exp(g2);
        assertThat(pi).containsExactly(new float[] {1, 0, 0, (float) (Math.exp(g0) / sum),
            (float) (Math.exp(g1) / sum), (float) (Math.exp(g2) / sum)}, within(1e-6f));
    }

    @Test
    void embeddingNormalizationStandardizesEachVector() {
        try (NDManager m = NDManager.newBaseManager()) {
            // [1, 2, 3, 4]: mean 2.5, biased variance 1.25 -> [-1.5, -0.5, 0.5, 1.5] / sqrt(1.25 + 1e-5)
            float s = (float) Math.sqrt(1.25 + 1e-5);
            NDArray v = Qimera.standardize(m.create(new float[] {1, 2, 3, 4, 2, 2, 2, 2}, new Shape(2, 4)));
            float[] expected = {-1.5f / s, -0.5f / s, 0.5f / s, 1.5f / s, 0, 0, 0, 0};
            assertThat(v.toFloatArray()).containsExactly(expected, within(1e-6f));
        }
    }

    @Test
    void shortRunLowersTheObjective() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            SyntheticSet s = new Qimera().generate(ctx(teacher(m), tiny(10), 8, 3, m));
            assertThat(s.stats().get("iterations")).isEqualTo(10.0);
            assertThat(objective(s.stats(), "final")).isLessThan(objective(s.stats(), "initial"));
            assertThat(s.images().count()).isEqualTo(8);
            assertThat(s.images().hasLabels()).isTrue();
        }
    }

    @Test
    void deterministicForAFixedSeed() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Net t = teacher(m);
            SyntheticSet a = new Qimera().generate(ctx(t, tiny(1), 8, 11, m));
            SyntheticSet b = new Qimera().generate(ctx(t, tiny(1), 8, 11, m));
            SyntheticSet c = new Qimera().generate(ctx(t, tiny(1), 8, 12, m));
            assertThat(a.images().data()).containsExactly(b.images().data());
            assertThat(a.stats()).isEqualTo(b.stats());
            for (int i = 0; i < 8; i++) {
                assertThat(a.images().label(i)).isEqualTo(b.images().label(i));
            }
            assertThat(c.images().data()).isNotEqualTo(a.images().data());
        }
    }

    @Test
    void withoutSuperpositionLabelsAreRoundRobinAndSwitchesRun() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Net t = teacher(m);
            ObjectNode p = tiny(1).put("mix_prob", 0.0).put("dm", false).put("embed_norm", false)
                    .put("mix_unit", "batch");
            SyntheticSet s = new Qimera().generate(ctx(t, p, 12, 0, m));
            for (int i = 0; i < 12; i++) {
                assertThat(s.images().label(i)).isEqualTo(i % 10);
            }
            // the teacher's classifier as embedding needs latent = its feature size (64 x 0.25 = 16)
            ObjectNode mismatched = tiny(1).put("teacher_embedding", true);
            assertThatThrownBy(() -> new Qimera().generate(ctx(t, mismatched, 2, 0, m)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("16");
            ObjectNode fromTeacher = tiny(1).put("teacher_embedding", true).put("latent", 16);
            assertThat(new Qimera().generate(ctx(t, fromTeacher, 2, 0, m)).images().count()).isEqualTo(2);
        }
    }

    @Test
    void bnsNeedsBatchNormUnlessWeightedZero() {
        Qimera q = new Qimera();
        assertThat(q.unsupportedReason(trial("lenet5", params("qimera")))).get().asString()
                .contains("lenet5");
        assertThat(q.unsupportedReason(trial("resnet8", params("qimera")))).isEmpty();
        assertThat(q.unsupportedReason(trial("lenet5", params("qimera", "w_bns", 0.0)))).isEmpty();
    }
}
