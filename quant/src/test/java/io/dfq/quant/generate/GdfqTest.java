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
import io.dfq.quant.model.Models;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.TapBatchNorm;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GdfqTest {

    /** Tiny settings: generator width 1/16 (8 and 4 channels), batch 8. */
    private static ObjectNode tiny(int iters) {
        return params("gdfq", "iters", iters, "batch", 8, "width", 0.0625);
    }

    private static double objective(Map<String, Double> s, String when) {
        return s.get("loss_ce_" + when) + 0.1 * s.get("loss_bns_" + when);
    }

    @Test
    void objectiveIsCePlusWeightedBnsOnHandValues() {
        try (NDManager m = NDManager.newBaseManager();
                BnStatistics taps = new BnStatistics(Models.build("resnet8", 0.25, 1, 10, 0))) {
            TapBatchNorm bn = TeacherFixture.bn(m);
            taps.observe(bn, TeacherFixture.flat(m));
            taps.observe(bn, TeacherFixture.image(m));
            NDArray logits = m.create(new float[] {1, 2, 3, 0, 0, 0}, new Shape(2, 3));
            NDArray targets = m.create(ConditionalSynthesis.oneHot(new int[] {2, 0}, 3), new Shape(2, 3));
            NDArray[] terms = ConditionalSynthesis.objective(logits, targets, taps, 1.0, 0.1);
            // CE: row 0 log(1 + e^-1 + e^-2) = 0.4076059, row 1 log 3 = 1.0986123; mean 0.7531091
            assertThat(terms[1].getFloat()).isCloseTo(0.7531091f, within(1e-6f));
            // BNS (running mean [0.5, -1], var [1, 4]), mean over the two layers:
            //   layer 1: batch mean [2.5, 0], var [1.25, 1]: ((2^2 + 1^2) + (0.25^2 + 3^2)) / 2 = 7.03125
            //   layer 2: batch mean [3, 1], var [5, 0]: ((2.5^2 + 2^2) + (4^2 + 4^2)) / 2 = 21.125
            //   BNS = (7.03125 + 21.125) / 2 = 14.078125
            assertThat(terms[2].getFloat()).isCloseTo(14.078125f, within(1e-5f));
            // L = CE + 0.1 BNS = 0.7531091 + 1.4078125
            assertThat(terms[0].getFloat()).isCloseTo(2.1609216f, within(1e-5f));
            // ablations: w_bns 0 leaves CE alone; w_ce 0 leaves the weighted BNS
            assertThat(ConditionalSynthesis.objective(logits, targets, taps, 1.0, 0)[0].getFloat())
                    .isCloseTo(0.7531091f, within(1e-6f));
            assertThat(ConditionalSynthesis.objective(logits, targets, taps, 0, 0.1)[0].getFloat())
                    .isCloseTo(1.4078125f, within(1e-5f));
        }
    }

    @Test
    void shortRunLowersTheObjective() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Net t = teacher(m);
            float[] before = t.batchNorms().get(0).runningMean().toFloatArray();
            SyntheticSet s = new Gdfq().generate(ctx(t, tiny(10), 8, 3, m));
            assertThat(s.stats().get("iterations")).isEqualTo(10.0);
            assertThat(objective(s.stats(), "final")).isLessThan(objective(s.stats(), "initial"));
            assertThat(s.images().count()).isEqualTo(8);
            assertThat(s.images().imageShape()).isEqualTo(TeacherFixture.IMAGE);
            // the teacher's BN (eval mode) is untouched; the generator's BNs are its own
            assertThat(t.batchNorms().get(0).runningMean().toFloatArray()).containsExactly(before);
        }
    }

    @Test
    void deterministicForAFixedSeedWithRoundRobinLabels() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Net t = teacher(m);
            SyntheticSet a = new Gdfq().generate(ctx(t, tiny(1), 12, 11, m));
            SyntheticSet b = new Gdfq().generate(ctx(t, tiny(1), 12, 11, m));
            SyntheticSet c = new Gdfq().generate(ctx(t, tiny(1), 12, 12, m));
            assertThat(a.images().data()).containsExactly(b.images().data());
            assertThat(a.stats()).isEqualTo(b.stats());
            assertThat(c.images().data()).isNotEqualTo(a.images().data());
            assertThat(a.images().hasLabels()).isTrue();
            for (int i = 0; i < 12; i++) {
                assertThat(a.images().label(i)).isEqualTo(i % 10);
            }
        }
    }

    @Test
    void bnsNeedsBatchNormUnlessWeightedZero() throws Exception {
        Gdfq g = new Gdfq();
        assertThat(g.unsupportedReason(trial("lenet5", params("gdfq")))).get().asString().contains("lenet5");
        assertThat(g.unsupportedReason(trial("resnet20", params("gdfq")))).isEmpty();
        assertThat(g.unsupportedReason(trial("lenet5", params("gdfq", "w_bns", 0.0)))).isEmpty();
        try (NDManager m = NDManager.newBaseManager()) {
            Net lenet = Models.build("lenet5", 0.5, 1, 10, 0);
            lenet.init(m, TeacherFixture.IMAGE);
            assertThatThrownBy(() -> g.generate(ctx(lenet, tiny(1), 2, 0, m)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("BatchNorm");
            // CE alone serves a BN-free teacher; no BNS is reported
            SyntheticSet s = g.generate(ctx(lenet, tiny(1).put("w_bns", 0.0), 2, 0, m));
            assertThat(s.stats()).containsKey("loss_ce_final").doesNotContainKey("loss_bns_final");
        }
    }
}
