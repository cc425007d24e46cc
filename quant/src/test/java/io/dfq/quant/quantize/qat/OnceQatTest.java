package io.dfq.quant.quantize.qat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.quantize.NestedModes;
import io.dfq.quant.quantize.QuantFixture;
import io.dfq.quant.quantize.QuantizationContext;
import io.dfq.quant.quantize.Quantizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnceQatTest {

    private static final Quantizer ONCE = Quantizer.REGISTRY.get("once-qat");

    @Test
    void eachBitWidthsCodesAreTheTopBitsOfTheNextAndEqualDirectQuantization() {
        Random rnd = new Random(3);
        for (int i = 0; i < 20_000; i++) {
            float step8 = 0.001f + rnd.nextFloat() * 0.01f;
            float w = (float) rnd.nextGaussian() * 0.4f;
            int u8 = OnceQat.code(w, step8, 8);
            int u4 = OnceQat.code(w, step8, 4);
            int u2 = OnceQat.code(w, step8, 2);
            assertThat(u4).isEqualTo(u8 >> 4);
            assertThat(u2).isEqualTo(u4 >> 2);
            for (int b = 1; b <= 8; b++) {
                int direct = OnceQat.code(w, step8, b);
                assertThat(direct).isEqualTo(u8 >> (8 - b)).isBetween(0, (1 << b) - 1);
                // mid-rise: within half a step of w unless clipped
                float s = step8 * (1 << (8 - b));
                if (Math.abs(w) < (1 << (b - 1)) * s) {
                    assertThat(OnceQat.value(direct, step8, b)).isCloseTo(w, within(s / 2 + 1e-6f));
                }
            }
        }
        assertThat(OnceQat.value(0, 1, 8)).isEqualTo(-127.5f);
        assertThat(OnceQat.value(3, 1, 2)).isEqualTo(1.5f * 64);
    }

    @Test
    void everyModesStraightThroughAndLsqGradientsReachTheWeightsAndTheSharedStep() {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            QLayer l = QLayer.linear("toy", 6, 2, new Random(0));
            l.initialize(m, DataType.FLOAT32, new Shape(1, 6));
            float[] w = {0.3f, 0.9f, -0.2f, 1.4f, -1.1f, 0.05f, 0.01f, -0.02f, 0.5f, 0.2f, -0.4f, 0.03f};
            l.weight().set(w);
            l.fold();
            int[] bits = {8, 4, 2};
            OnceQat.NestedWeights nested = new OnceQat.NestedWeights(l, bits, m);
            // the outlier 1.4 is clipped at 2 bits by the searched step
            nested.step.set(new float[] {0.35f / 64, 0.1f / 64});
            for (int mode = 0; mode < bits.length; mode++) {
                int b = bits[mode];
                float[] value;
                try (Autograd g = Autograd.record()) {
                    NDArray q = nested.quantizedWeight(mode);
                    value = q.toFloatArray();
                    g.backward(q.sum());
                }
                float[] s8 = nested.step.toFloatArray();
                float[] weightGrad = l.weight().getGradient().toFloatArray();
                float[] stepGrad = nested.step.getGradient().toFloatArray();
                for (int c = 0; c < 2; c++) {
                    float sb = s8[c] * (1 << (8 - b));
                    double expected = 0;
                    for (int i = c * 6; i < (c + 1) * 6; i++) {
                        int code = OnceQat.code(w[i], s8[c], b);
                        assertThat(value[i]).as("mode %d weight %d", b, i)
                                .isCloseTo(OnceQat.value(code, s8[c], b), within(1e-6f));
                        double v = w[i] / sb + (1 << (b - 1));
                        boolean inside = v >= 0 && Math.floor(v) <= (1 << b) - 1;
                        assertThat(weightGrad[i]).as("mode %d weight %d", b, i).isEqualTo(inside ? 1f : 0f);
                        // d value / d s_b: (u - c) - w / s_b inside the range, (u - c) where clipped
                        expected += code - ((1 << b) - 1) / 2.0 - (inside ? w[i] / sb : 0);
                    }
                    // s_b = 2^(8-b) s_8, the gradient scaled by 1 / (sqrt(6 * 2^(b-1)) 4^(8-b))
                    expected *= (1 << (8 - b)) / (Math.sqrt(6.0 * (1 << (b - 1))) * (1 << 2 * (8 - b)));
                    assertThat(expected).isNotZero();
                    assertThat(stepGrad[c]).as("mode %d channel %d", b, c)
                            .isCloseTo((float) expected, within(1e-4f * (float) Math.abs(expected) + 1e-6f));
                }
                assertThat(weightGrad).contains(1f);
                l.weight().getGradient().subi(l.weight().getGradient());
                nested.step.getGradient().subi(nested.step.getGradient());
            }
            // the learned step fixes codes that nest: 2 bits = 4 bits >> 2 = 8 bits >> 6
            var fixed = nested.finish();
            for (int i = 0; i < w.length; i++) {
                assertThat(fixed[1].codes()[i]).isEqualTo(fixed[0].codes()[i] >> 4);
                assertThat(fixed[2].codes()[i]).isEqualTo(fixed[1].codes()[i] >> 2)
                        .isEqualTo(OnceQat.code(w[i], nested.step.toFloatArray()[i / 6], 2));
            }
            assertThat(fixed[2].channels()[0].qmax()).isEqualTo(3);
            assertThat(fixed[2].levels()[0]).containsExactly(-1.5f * 0.35f, -0.5f * 0.35f, 0.5f * 0.35f, 1.5f * 0.35f);
        }
    }

    @Test
    void theStepSearchServesEveryBitWidth() {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            QLayer l = QLayer.linear("toy", 256, 1, new Random(0));
            l.initialize(m, DataType.FLOAT32, new Shape(1, 256));
            float[] w = new float[256];
            Random rnd = new Random(1);
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) rnd.nextGaussian();
            }
            w[0] = 6; // one outlier: max|w| / 127.5 would make the 2-bit levels far too wide
            l.weight().set(w);
            l.fold();
            float searched = new OnceQat.NestedWeights(l, new int[] {8, 4, 2}, m).step.getFloat();
            float eightBitOnly = new OnceQat.NestedWeights(l, new int[] {8}, m).step.getFloat();
            assertThat(searched).isLessThan(6 / 127.5f * 0.5f);
            assertThat(eightBitOnly).isGreaterThan(searched);
        }
    }

    @Test
    void trainingLowersTheSummedLossAndEachModesExportedModelReproducesItsLogits(@TempDir Path dir)
            throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            Map<String, Double> metrics = new TreeMap<>();
            QuantizationContext ctx = QuantFixture.training(QuantFixture.params("once-qat", "bits", "8,4,2", "epochs", 4,
                    "batch", 16, "lr", 0.001, "w_ce", 0.5, "augment", false), 8, 8, m, metrics);
            ONCE.quantize(ctx);
            assertThat(metrics).containsOnlyKeys("qat_loss_epoch_01", "qat_loss_epoch_02", "qat_loss_epoch_03",
                    "qat_loss_epoch_04");
            assertThat(metrics.get("qat_loss_epoch_04")).isLessThan(metrics.get("qat_loss_epoch_01"));
            List<NestedModes.Mode> modes = ctx.nested().nested();
            assertThat(modes).extracting(NestedModes.Mode::name).containsExactly("w4a4", "w2a2");
            List<QLayer> layers = ctx.network().layers();
            float[] previous = null;
            for (NestedModes.Mode mode : List.of(new NestedModes.Mode(8, 8, ctx.nested()::restoreOwn), modes.get(0),
                    modes.get(1))) {
                mode.install().run();
                // first-last-8bit: the first and last layers stay at 8 bits in every mode
                assertThat(layers.get(0).weightBits()).isEqualTo(8);
                assertThat(layers.get(layers.size() - 1).weightBits()).isEqualTo(8);
                assertThat(layers.get(layers.size() - 1).inputQuantizer().bits()).isEqualTo(8);
                assertThat(layers.get(1).weightBits()).isEqualTo(mode.wbits());
                assertThat(layers.get(1).inputQuantizer().bits()).isEqualTo(mode.abits());
                QuantFixture.assertReloadsExactly(ctx.network(), mode.wbits(), mode.abits(),
                        dir.resolve(mode.name() + ".dfqm"), m);
                float[] expected = QuantFixture.testLogits(ctx.network(), m);
                assertThat(expected).isNotEqualTo(previous);
                previous = expected;
            }
            // the stored codes nest: a middle layer's 2-bit codes are its 4-bit codes shifted right by 2
            modes.get(0).install().run();
            int[] four = layers.get(1).quantized().codes();
            modes.get(1).install().run();
            int[] two = layers.get(1).quantized().codes();
            for (int i = 0; i < four.length; i++) {
                assertThat(two[i]).isEqualTo(four[i] >> 2);
            }
        }
    }

    @Test
    void theTrialsBitsMustBeTheLargestNestedBitWidth() throws Exception {
        ObjectNode trial = QuantFixture.JSON.createObjectNode().put("wbits", 4).put("abits", 4);
        trial.set("quantizer", QuantFixture.params("once-qat", "bits", "4,2"));
        assertThat(ONCE.unsupportedReason(trial)).isEmpty();
        trial.set("quantizer", QuantFixture.params("once-qat"));
        assertThat(ONCE.unsupportedReason(trial)).contains("once-qat: the trial's W4A4 must be W8A8, the largest of"
                + " the nested bit-widths 8,4,2 (the trial's own result is that mode; the others are recorded beside"
                + " it)");
        trial.set("quantizer", QuantFixture.params("once-qat", "bits", "4,4,2"));
        assertThat(ONCE.unsupportedReason(trial)).contains("once-qat: bits must be strictly descending bit-widths in"
                + " [1, 8] separated by commas, e.g. 8,4,2; got '4,4,2'");
        trial.set("quantizer", QuantFixture.params("once-qat", "bits", "4,2", "lambdas", "1"));
        assertThat(ONCE.unsupportedReason(trial)).contains("once-qat: lambdas must be 2 finite weights >= 0"
                + " separated by commas, one per bit-width; got '1'");
        assertThat(OnceQat.lambdas("", 3)).containsExactly(1, 1, 1);
        assertThat(OnceQat.lambdas("1, 0.5", 2)).containsExactly(1, 0.5);
        try (NDManager m = NDManager.newBaseManager()) {
            Net teacher = QuantFixture.net("resnet8", 3, m);
            QuantizationContext ctx = QuantFixture.context("resnet8", 3, teacher, QuantFixture.images(8, 1),
                    QuantFixture.params("once-qat"), 4, 4, m);
            assertThatThrownBy(() -> ONCE.quantize(ctx)).hasMessage("once-qat: W4A4 is not the largest nested"
                    + " bit-width 8");
        }
    }
}
