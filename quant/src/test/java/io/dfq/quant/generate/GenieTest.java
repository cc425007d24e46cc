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
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dfq.quant.model.Models;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.model.TapBatchNorm;
import io.dfq.quant.nn.Init;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GenieTest {

    /** Tiny settings: generator width 1/16 (8 and 4 channels), latent 16, batch 4. */
    private static ObjectNode tiny(int iters) {
        return params("genie", "iters", iters, "batch", 4, "latent", 16, "width", 0.0625);
    }

    /** A 1x1 convolution with stride 2, weight 1 and bias 0: it reads the pixels (2i, 2j) of its input. */
    private static QLayer sampler(NDManager m) {
        QLayer conv = QLayer.conv("sampler", 1, 1, 1, 2, 1, false, new Random(0));
        conv.initialize(m, DataType.FLOAT32, new Shape(1, 1, 4, 4));
        conv.weight().set(new float[] {1f});
        conv.bias().set(new float[] {0f});
        return conv;
    }

    @Test
    void swingShiftsTheStridedInputByTheDrawnOffsetWithReflection() {
        try (NDManager m = NDManager.newBaseManager()) {
            QLayer conv = sampler(m);
            NDArray x = m.arange(16f).reshape(1, 1, 4, 4); // x[r][c] = 4r + c
            assertThat(conv.apply(x, false).toFloatArray()).containsExactly(0, 2, 8, 10);
            // Random(3) draws nextInt(3) = 2, 2, 0, 1: offsets (dx, dy) = (+1, +1), then (-1, 0)
            conv.setSwing(new Random(3));
            // (+1, +1): rows and columns 1 and 3 -> x[1][1], x[1][3], x[3][1], x[3][3]
            assertThat(conv.apply(x, false).toFloatArray()).containsExactly(5, 7, 13, 15);
            // (-1, 0): rows 0 and 2; columns -1 -> 1 (reflected) and 1 -> x[0][1], x[0][1], x[2][1], x[2][1]
            assertThat(conv.apply(x, false).toFloatArray()).containsExactly(1, 1, 9, 9);
            conv.setSwing(null);
            assertThat(conv.apply(x, false).toFloatArray()).containsExactly(0, 2, 8, 10);
        }
    }

    @Test
    void swingLeavesStrideOneLayersAlone() {
        try (NDManager m = NDManager.newBaseManager()) {
            QLayer conv = QLayer.conv("plain", 1, 1, 1, 1, 1, false, new Random(0));
            conv.initialize(m, DataType.FLOAT32, new Shape(1, 1, 4, 4));
            conv.weight().set(new float[] {1f});
            conv.bias().set(new float[] {0f});
            NDArray x = m.arange(16f).reshape(1, 1, 4, 4);
            conv.setSwing(new Random(3));
            assertThat(conv.apply(x, false).toFloatArray()).containsExactly(x.toFloatArray());
        }
    }

    @Test
    void bnLossUsesUnbiasedStdAgainstRunningStdOnHandValues() {
        try (NDManager m = NDManager.newBaseManager();
                Genie.Taps taps = new Genie.Taps(Models.build("resnet8", 0.25, 1, 10, 0))) {
            TapBatchNorm bn = TeacherFixture.bn(m); // running mean [0.5, -1], var [1, 4]
            taps.observe(bn, TeacherFixture.flat(m));
            // batch mean [2.5, 0]; unbiased var [5/3, 4/3]
            //   -> sigma = sqrt(var + 1e-6) = [1.2909948, 1.1547009]
            // sigma_bn = sqrt([1, 4] + 1e-6) = [1.0000005, 2.0000003]
            // mean term ((2.5 - 0.5)^2 + (0 + 1)^2) / 2 = 2.5
            // std term ((0.2909943)^2 + (0.8452993)^2) / 2 = 0.3996043 -> 2.8996043
            assertThat(taps.loss().getFloat()).isCloseTo(2.8996043f, within(1e-5f));
            taps.observe(bn, TeacherFixture.image(m));
            // layer 2: mean [3, 1], unbiased var [20/3, 0] -> sigma [2.5819890, 0.001]
            // ((2.5^2 + 2^2) + (1.5819885^2 + 1.9990003^2)) / 2 = 8.3743450; the layers add up: 11.2739492
            assertThat(taps.loss().getFloat()).isCloseTo(11.2739492f, within(1e-4f));
        }
    }

    @Test
    void inputTermMatchesHandValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            // two 1x2x2 images: [0, 1, 2, 3] (mean 1.5, unbiased std sqrt(5/3))
            // and [1, 1, 1, 1] (mean 1, std 0 -> sqrt(1e-6) = 0.001)
            NDArray x = m.create(new float[] {0, 1, 2, 3, 1, 1, 1, 1}, new Shape(2, 1, 2, 2));
            // (1 / 2) [1.5^2 + 1^2 + (1.2909948 - 1)^2 + (0.001 - 1)^2]
            //   = (2.25 + 1 + 0.0846777 + 0.998001) / 2 = 2.1663394
            assertThat(Genie.inputLoss(x).getFloat()).isCloseTo(2.1663395f, within(1e-5f));
        }
    }

    @Test
    void shortRunLowersTheObjectiveAndLeavesTheTeacherAsItWas() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Net t = teacher(m);
            Shape batch = new Shape(2, 1, 28, 28);
            NDArray probe = m.create(Init.gaussian(new Random(1), batch, 1.0), batch);
            float[] logits = t.logits(probe, false).toFloatArray();
            List<float[]> parameters = TeacherFixture.snapshot(t);
            SyntheticSet s = new Genie().generate(ctx(t, tiny(8), 4, 3, m));
            assertThat(s.stats().get("iterations")).isEqualTo(8.0);
            double initial = s.stats().get("loss_bn_initial") + s.stats().get("loss_input_initial");
            double last = s.stats().get("loss_bn_final") + s.stats().get("loss_input_final");
            assertThat(last).isLessThan(initial);
            assertThat(s.images().count()).isEqualTo(4);
            assertThat(s.images().hasLabels()).isFalse();
            // swing is off again and nothing of the teacher changed
            assertThat(t.logits(probe, false).toFloatArray()).containsExactly(logits);
            List<float[]> after = TeacherFixture.snapshot(t);
            for (int i = 0; i < parameters.size(); i++) {
                assertThat(after.get(i)).containsExactly(parameters.get(i));
            }
        }
    }

    @Test
    void deterministicForAFixedSeedWithOrWithoutSwing() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Net t = teacher(m);
            // 6 images: a batch of 4 and a batch of 2, each with its own generator
            float[] a = new Genie().generate(ctx(t, tiny(2), 6, 11, m)).images().data();
            float[] b = new Genie().generate(ctx(t, tiny(2), 6, 11, m)).images().data();
            float[] c = new Genie().generate(ctx(t, tiny(2), 6, 12, m)).images().data();
            ObjectNode noSwing = tiny(2).put("swing", false);
            float[] still = new Genie().generate(ctx(t, noSwing, 6, 11, m)).images().data();
            assertThat(a).hasSize(6 * 784).containsExactly(b);
            assertThat(c).isNotEqualTo(a);
            assertThat(still).isNotEqualTo(a);
        }
    }

    @Test
    void needsBatchNorm() {
        assertThat(new Genie().unsupportedReason(trial("lenet5", params("genie")))).get().asString()
                .contains("lenet5");
        assertThat(new Genie().unsupportedReason(trial("mobilenetv2", params("genie")))).isEmpty();
        try (NDManager m = NDManager.newBaseManager()) {
            Net lenet = Models.build("lenet5", 0.5, 1, 10, 0);
            lenet.init(m, TeacherFixture.IMAGE);
            assertThatThrownBy(() -> new Genie().generate(ctx(lenet, tiny(1), 2, 0, m)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("BatchNorm");
        }
    }
}
