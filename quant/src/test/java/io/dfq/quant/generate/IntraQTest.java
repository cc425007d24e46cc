package io.dfq.quant.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dfq.quant.model.Net;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link IntraQ}: its loss terms by hand, a short run, determinism. */
class IntraQTest {

    @Test
    void softInceptionLossMatchesTheHandValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            // image 0: logits [0, 0, 0] -> p = 1/3 each; label 0 with t = 0.95 -> [0.95, 0.025, 0.025]
            //   (1/3 - 0.95)^2 + 2 (1/3 - 0.025)^2 = 0.3802778 + 2 * 0.0950694 = 0.5704167
            // image 1: logits [ln 2, 0, 0] -> p = [0.5, 0.25, 0.25]; label 1 with t = 1 -> [0, 1, 0]
            //   0.25 + 0.5625 + 0.0625 = 0.875; mean (0.5704167 + 0.875) / 2 = 0.7227083
            NDArray logits = m.create(new float[] {0, 0, 0, (float) Math.log(2), 0, 0}, new Shape(2, 3));
            NDArray targets = m.create(new float[] {0.95f, 0.025f, 0.025f, 0, 1, 0}, new Shape(2, 3));
            assertThat(IntraQ.softInceptionLoss(logits, targets).getFloat())
                    .isCloseTo(0.7227083f, within(1e-6f));
        }
    }

    @Test
    void softTargetsPutBetweenLowAndOneOnTheLabelAndSpreadTheRest() {
        int[] labels = {0, 3, 1, 2, 3};
        float[] t = IntraQ.softTargets(new Random(4), labels, 4, 0.95);
        for (int i = 0; i < labels.length; i++) {
            float target = t[i * 4 + labels[i]];
            assertThat(target).isBetween(0.95f, 1f);
            double sum = 0;
            for (int k = 0; k < 4; k++) {
                sum += t[i * 4 + k];
                if (k != labels[i]) {
                    assertThat(t[i * 4 + k]).isCloseTo((1 - target) / 3, within(1e-6f));
                }
            }
            assertThat(sum).isCloseTo(1.0, within(1e-6));
        }
        assertThat(t[0]).isNotEqualTo(t[4 + 3]); // drawn per image
    }

    @Test
    void marginalDistanceConstraintMatchesTheHandValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            // centre [1, 0] for all; d = 1 - cos:
            // f0 = [1, 0]: d 0 < 0.05 -> 0.05; f1 = [0, 1]: d 1 > 0.8 -> 0.2;
            // f2 = [1, 1]: d 1 - 1/sqrt(2) = 0.2928932, inside -> 0; f3 = [-1, 0]: d 2 -> 1.2 but masked out
            NDArray f = m.create(new float[] {1, 0, 0, 1, 1, 1, -1, 0}, new Shape(4, 2));
            NDArray c = m.create(new float[] {1, 0, 1, 0, 1, 0, 1, 0}, new Shape(4, 2));
            float[] d = IntraQ.cosine(f, c).neg().add(1).toFloatArray();
            assertThat(d).containsExactly(new float[] {0f, 1f, 0.2928932f, 2f}, within(1e-6f));
            NDArray mask = m.create(new float[] {1, 1, 1, 0});
            // (0.05 + 0.2 + 0) / 3
            assertThat(IntraQ.marginLoss(f, c, mask, 0.05, 0.8).getFloat())
                    .isCloseTo(0.0833333f, within(1e-6f));
            NDArray all = m.create(new float[] {1, 1, 1, 1});
            // (0.05 + 0.2 + 0 + 1.2) / 4
            assertThat(IntraQ.marginLoss(f, c, all, 0.05, 0.8).getFloat()).isCloseTo(0.3625f, within(1e-6f));
        }
    }

    @Test
    void classCentresAreTheMeanFeatureOfFinishedImages() {
        try (NDManager m = NDManager.newBaseManager()) {
            IntraQ.ClassCentres centres = new IntraQ.ClassCentres(3);
            assertThat(centres.lookup(m, new int[] {0, 1})).isNull();
            // class 0: [1, 2] and [5, 6]; class 1: [3, 4]
            centres.add(new float[] {1, 2, 3, 4, 5, 6}, new int[] {0, 1, 0});
            NDArray[] lookup = centres.lookup(m, new int[] {0, 2, 1});
            assertThat(lookup[0].toFloatArray()).containsExactly(3, 4, 0, 0, 3, 4);
            assertThat(lookup[1].toFloatArray()).containsExactly(1, 0, 1);
            assertThat(centres.lookup(m, new int[] {2})).isNull();
        }
    }

    @Test
    void aShortRunLowersTheObjectiveAndTurnsTheConstraintOnInTheSecondBatch() {
        try (NDManager m = NDManager.newBaseManager()) {
            // 4 classes, batches of 4: the second batch's classes have centres from the first
            Net teacher = TinyTeacher.build(m, 4);
            SyntheticSet s = new IntraQ().generate(TinyTeacher.context(teacher,
                    TinyTeacher.params("intraq", "iters", 5, "batch", 4), 8, 3, m));
            assertThat(s.images().count()).isEqualTo(8);
            assertThat(s.images().labels()).containsExactly(0, 1, 2, 3, 0, 1, 2, 3);
            assertThat(s.stats()).containsEntry("iterations", 5.0)
                    .containsKeys("loss_bn_initial", "loss_inception_final", "loss_mdc_initial",
                            "loss_mdc_final");
            assertThat(s.stats().get("loss_total_final")).isLessThan(s.stats().get("loss_total_initial"));
            assertThat(s.stats().get("loss_bn_final")).isLessThan(s.stats().get("loss_bn_initial"));
        }
    }

    @Test
    void isDeterministicForAFixedSeedAndNeedsBatchNorm() {
        try (NDManager m = NDManager.newBaseManager()) {
            Net t = TinyTeacher.build(m);
            IntraQ q = new IntraQ();
            float[] a = q.generate(TinyTeacher.context(t, params(), 4, 7, m)).images().data();
            float[] b = q.generate(TinyTeacher.context(t, params(), 4, 7, m)).images().data();
            float[] c = q.generate(TinyTeacher.context(t, params(), 4, 8, m)).images().data();
            assertThat(a).containsExactly(b);
            assertThat(c).isNotEqualTo(a);
        }
        assertThat(new IntraQ().unsupportedReason(TinyTeacher.trial("lenet5"))).get().asString()
                .contains("lenet5");
        assertThat(new IntraQ().unsupportedReason(TinyTeacher.trial("mobilenetv2"))).isEmpty();
    }

    /** Every iteration augmented, so the crop and flip draws are part of what must repeat. */
    private static ObjectNode params() {
        return TinyTeacher.params("intraq", "iters", 2, "lor_p", 1.0);
    }
}
