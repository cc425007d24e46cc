package io.dfq.quant.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.TapBatchNorm;
import io.dfq.quant.spec.Params;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ClusterQ}: centroid update, pull, diversity and the other terms by hand; a run; determinism. */
class ClusterQTest {

    /** Labels of the hand cases: images 0 and 2 are class 0, images 1 and 3 class 1. */
    private static final int[] LABELS = {0, 1, 0, 1};

    private static TapBatchNorm bn(NDManager m, float[] mean, float[] var) {
        TapBatchNorm bn = new TapBatchNorm(mean.length);
        bn.initialize(m, DataType.FLOAT32, new Shape(1, mean.length));
        bn.runningMean().set(mean);
        bn.runningVar().set(var);
        return bn;
    }

    /**
     * A 1-channel BN input (N, C, H, W) = (4, 1, 1, 2): images [1, 3], [0, 0], [5, 7], [2, 2]; class 0
     * = {1, 3, 5, 7} (mean 4, variance 5), class 1 = {0, 0, 2, 2} (mean 1, variance 1).
     */
    private static SampleBnStatistics.Layer layer(NDManager m) {
        NDArray x = m.create(new float[] {1, 3, 0, 0, 5, 7, 2, 2}, new Shape(4, 1, 1, 2));
        return SampleBnStatistics.of(bn(m, new float[] {0.5f}, new float[] {1f}), x);
    }

    @Test
    void centroidsStartAtTheRunningStatisticsAndMoveByTheirMovingAverage() {
        try (NDManager m = NDManager.newBaseManager()) {
            TapBatchNorm deep = bn(m, new float[] {0.5f, -1f}, new float[] {1f, 4f});
            ClusterQ.Centroids c = new ClusterQ.Centroids(List.of(deep), 2, 0.2);
            assertThat(c.mean(1, 0)).containsExactly(0.5f, -1f);
            // class 1's statistics [1.5, 1] / [2, 0] (row 1 of the K x C arrays)
            c.update(1, 0, new float[] {9, 9, 1.5f, 1}, new float[] {9, 9, 2, 0});
            // means: 0.8 * 0.5 + 0.2 * 1.5 = 0.7, 0.8 * -1 + 0.2 * 1 = -0.6
            // variances: 0.8 * 1 + 0.2 * 2 = 1.2, 0.8 * 4 + 0.2 * 0 = 3.2
            assertThat(c.mean(1, 0)).containsExactly(new float[] {0.7f, -0.6f}, within(1e-6f));
            assertThat(c.var(1, 0)).containsExactly(new float[] {1.2f, 3.2f}, within(1e-6f));
            assertThat(c.mean(0, 0)).containsExactly(0.5f, -1f); // other classes untouched
            NDArray[] arrays = c.arrays(m).get(0);
            assertThat(arrays[0].getShape()).isEqualTo(new Shape(2, 2));
            assertThat(arrays[0].toFloatArray())
                    .containsExactly(new float[] {0.5f, -1f, 0.7f, -0.6f}, within(1e-6f));
        }
    }

    @Test
    void pullTermMatchesTheHandValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray weights = m.create(ClusterQ.classWeights(LABELS, 2, null), new Shape(2, 4));
            assertThat(weights.toFloatArray()).containsExactly(0.5f, 0, 0.5f, 0, 0, 0.5f, 0, 0.5f);
            // centroids: class 0 (mean 3, var 4), class 1 (1, 3)
            // class 0: (4 - 3)^2 + (5 - 4)^2 = 2; class 1: 0 + (1 - 3)^2 = 4; both present: (2 + 4) / 2 = 3
            NDArray centroidMean = m.create(new float[] {3, 1}, new Shape(2, 1));
            NDArray centroidVar = m.create(new float[] {4, 3}, new Shape(2, 1));
            List<NDArray[]> centroids = List.<NDArray[]>of(new NDArray[] {centroidMean, centroidVar});
            NDArray present = m.create(ClusterQ.presentWeights(LABELS, 2));
            float pull = ClusterQ.clusterLoss(List.of(layer(m)), weights, present, centroids).getFloat();
            assertThat(pull).isCloseTo(3f, within(1e-5f));
        }
    }

    @Test
    void weightsSelectClassesPresentKeptImagesAndSameClassPairs() {
        assertThat(ClusterQ.presentWeights(new int[] {0, 0, 2}, 3)).containsExactly(0.5f, 0, 0.5f);
        assertThat(ClusterQ.classWeights(LABELS, 2, new boolean[] {true, false, false, true}))
                .containsExactly(1, 0, 0, 0, 0, 0, 0, 1);
        // two classes with two images each: 1 / (2 * 1 * 2) per ordered same-class pair
        assertThat(ClusterQ.pairWeights(LABELS, 2)).containsExactly(
                0, 0, 0.25f, 0, 0, 0, 0, 0.25f, 0.25f, 0, 0, 0, 0, 0.25f, 0, 0);
        // class 1 has one image: only class 0's pair counts, 1 / (2 * 1 * 1)
        assertThat(ClusterQ.pairWeights(new int[] {0, 1, 0}, 2))
                .containsExactly(0, 0, 0.5f, 0, 0, 0, 0.5f, 0, 0);
    }

    @Test
    void diversityCrossEntropyAndBnTermsMatchTheHandValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            // class 0: [1, 0] and [0, 1]: cosine 0; class 1: [1, 1] and [2, 2]: cosine 1; mean (0 + 1) / 2
            NDArray f = m.create(new float[] {1, 0, 1, 1, 0, 1, 2, 2}, new Shape(4, 2));
            NDArray pairs = m.create(ClusterQ.pairWeights(LABELS, 2), new Shape(4, 4));
            assertThat(ClusterQ.diversity(f, pairs).getFloat()).isCloseTo(0.5f, within(1e-6f));
            // logits [0, 0] label 0: ln 2; [ln 3, 0] label 1: softmax [0.75, 0.25] -> ln 4; mean 1.0397208
            NDArray logits = m.create(new float[] {0, 0, (float) Math.log(3), 0}, new Shape(2, 2));
            NDArray oneHot = m.create(new float[] {1, 0, 0, 1}, new Shape(2, 2));
            assertThat(ClusterQ.crossEntropy(logits, oneHot).getFloat()).isCloseTo(1.0397208f, within(1e-6f));
            // batch {1, 3, 0, 0, 5, 7, 2, 2}: mean 2.5, variance 11.5 - 6.25 = 5.25; running (0.5, 1):
            // (2.5 - 0.5)^2 + (5.25 - 1)^2 = 4 + 18.0625
            NDArray uniform = m.create(new float[] {0.25f, 0.25f, 0.25f, 0.25f}, new Shape(1, 4));
            assertThat(ClusterQ.bnLoss(List.of(layer(m)), uniform).getFloat())
                    .isCloseTo(22.0625f, within(1e-4f));
        }
    }

    @Test
    void deepLayersStartAtTheCodesRuleUnlessSet() {
        ClusterQ q = new ClusterQ();
        // resnet8: 9 BN layers -> (9 + 1) / 2 - 2 = 3
        assertThat(ClusterQ.startLayer(Params.of(q, TinyTeacher.params("clusterq")), 9)).isEqualTo(3);
        Params five = Params.of(q, TinyTeacher.params("clusterq", "start_layer", 5));
        assertThat(ClusterQ.startLayer(five, 9)).isEqualTo(5);
        Params nine = Params.of(q, TinyTeacher.params("clusterq", "start_layer", 9));
        assertThatThrownBy(() -> ClusterQ.startLayer(nine, 9))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("start_layer 9");
    }

    @Test
    void aShortRunLowersTheObjective() {
        try (NDManager m = NDManager.newBaseManager()) {
            // 2 classes, batches of 4: both batches have same-class pairs; the second uses updated centroids
            Net teacher = TinyTeacher.build(m, 2);
            SyntheticSet s = new ClusterQ().generate(TinyTeacher.context(teacher,
                    TinyTeacher.params("clusterq", "iters", 5, "batch", 4), 8, 3, m));
            assertThat(s.images().count()).isEqualTo(8);
            assertThat(s.images().labels()).containsExactly(0, 1, 0, 1, 0, 1, 0, 1);
            assertThat(s.stats()).containsEntry("iterations", 5.0).containsEntry("start_layer", 3.0)
                    .containsKeys("loss_ce_initial", "loss_bn_final", "loss_cluster_initial",
                            "loss_div_final");
            assertThat(s.stats().get("loss_total_final")).isLessThan(s.stats().get("loss_total_initial"));
            assertThat(s.stats().get("loss_cluster_final")).isLessThan(s.stats().get("loss_cluster_initial"));
        }
    }

    @Test
    void isDeterministicForAFixedSeedAndNeedsBatchNorm() {
        try (NDManager m = NDManager.newBaseManager()) {
            Net t = TinyTeacher.build(m);
            ClusterQ q = new ClusterQ();
            ObjectNode p = TinyTeacher.params("clusterq", "iters", 2);
            float[] a = q.generate(TinyTeacher.context(t, p, 4, 7, m)).images().data();
            float[] b = q.generate(TinyTeacher.context(t, p, 4, 7, m)).images().data();
            float[] c = q.generate(TinyTeacher.context(t, p, 4, 8, m)).images().data();
            assertThat(a).containsExactly(b);
            assertThat(c).isNotEqualTo(a);
        }
        assertThat(new ClusterQ().unsupportedReason(TinyTeacher.trial("lenet5"))).get().asString()
                .contains("lenet5");
        assertThat(new ClusterQ().unsupportedReason(TinyTeacher.trial("resnet8"))).isEmpty();
    }
}
