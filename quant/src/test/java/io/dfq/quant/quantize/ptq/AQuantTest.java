package io.dfq.quant.quantize.ptq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.qcore.ActBorder;
import io.dfq.quant.qcore.ActQuantizer;
import io.dfq.quant.qcore.QParams;
import io.dfq.quant.quantize.QuantFixture;
import io.dfq.quant.quantize.QuantizationContext;
import io.dfq.quant.quantize.QuantizedModel;
import io.dfq.quant.quantize.Quantizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AQuantTest {

    /** One tiny AQuant run (W2A4, first and last layers 8-bit) shared by the tests of the whole method. */
    private static NDManager manager;
    private static QuantizationContext ctx;

    @BeforeAll
    static void quantize() throws Exception {
        manager = NDManager.newBaseManager();
        try (Autograd off = Autograd.off()) {
            Net teacher = QuantFixture.net("resnet8", 3, manager);
            ctx = QuantFixture.context("resnet8", 3, teacher, QuantFixture.images(32, 1),
                    QuantFixture.params("aquant", "iters", 8, "batch", 8, "border_lr", 0.01), 2, 4, manager);
            Quantizer.REGISTRY.get("aquant").quantize(ctx);
        }
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static ActQuantizer quantizer(QParams q, ActBorder border) {
        ActQuantizer aq = new ActQuantizer(4, false);
        aq.setParams(q);
        aq.setMode(ActQuantizer.Mode.QUANTIZE);
        aq.setBorder(border);
        return aq;
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    @Test
    void aZeroBorderRoundsExactlyToNearest() {
        try (NDManager m = NDManager.newBaseManager()) {
            QParams q = new QParams(0.5f, 3, 0, 15);
            float[] x = new float[2 * 3 * 4 * 4];
            Random r = new Random(7);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (2 * r.nextGaussian());
            }
            // exact ties at step 0.5: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2 (half to even), whatever the border rule
            x[0] = 0.25f;
            x[1] = 0.75f;
            x[2] = 1.25f;
            x[3] = -0.75f;
            NDArray in = m.create(x, new Shape(2, 3, 4, 4));
            float[] plain = quantizer(q, null).apply(in).toFloatArray();
            assertThat(quantizer(q, new ActBorder(3)).apply(in).toFloatArray()).containsExactly(plain);
            // the same while the border and the step are learned (forward hard)
            ActQuantizer plainLearned = quantizer(q, null);
            plainLearned.learnStep(m);
            ActQuantizer learned = quantizer(q, new ActBorder(3));
            learned.learnStep(m);
            learned.border().learn(m, 0.1);
            assertThat(learned.apply(in).toFloatArray()).containsExactly(plainLearned.apply(in).toFloatArray());
        }
    }

    @Test
    void theBorderMovesTheRoundingPerChannelAsWorkedByHand() {
        try (NDManager m = NDManager.newBaseManager()) {
            // step 1, zero point 0, codes [0, 15]; borders B_c(n) = clamp(0.5 + kappa_c (n + 0.5) + beta_c, 0, 1):
            // channel 0: kappa 0.1, beta 0.05 -> B(1) = 0.7, B(0) = 0.6; channel 1: B = 0.2; channel 2: B = 1
            ActBorder border = new ActBorder(new float[] {0.1f, 0f, 0f}, new float[] {0.05f, -0.3f, 0.7f});
            QParams q = new QParams(1f, 0, 0, 15);
            float[] x = {1.6f, 1.8f, 0.65f, 1.3f, 3.1f, 0.15f, 2.95f, 0.999f, 4f};
            // 1.6: f 0.6 < 0.7 down; 1.8: 0.8 > 0.7 up; 0.65: 0.65 > 0.6 up; 1.3: 0.3 > 0.2 up; 3.1: 0.1 < 0.2 down;
            // 0.15: 0.15 < 0.2 down; B = 1: never up (4 stays 4)
            float[] byHand = {1f, 2f, 1f, 2f, 3f, 0f, 2f, 0f, 4f};
            float[] nearest = {2f, 2f, 1f, 1f, 3f, 0f, 3f, 1f, 4f};
            NDArray nchw = m.create(x, new Shape(1, 3, 1, 3));
            assertThat(quantizer(q, border).apply(nchw).toFloatArray()).containsExactly(byHand);
            assertThat(quantizer(q, null).apply(nchw).toFloatArray()).containsExactly(nearest);
            // a linear layer's input: channels on the last dimension
            float[] rows = {1.6f, 1.3f, 2.95f, 1.8f, 3.1f, 0.999f};
            float[] rowsByHand = {1f, 2f, 2f, 2f, 3f, 0f};
            assertThat(quantizer(q, border).apply(m.create(rows, new Shape(2, 3))).toFloatArray())
                    .containsExactly(rowsByHand);
            // the learned path's forward is the same hard rounding
            ActQuantizer learned = quantizer(q, border);
            learned.learnStep(m);
            border.learn(m, 0.1);
            float[] y = learned.apply(nchw).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                assertThat(y[i]).as("x = %s", x[i]).isCloseTo(byHand[i], within(1e-6f));
            }
        }
    }

    @Test
    void gradientsReachKappaAndBetaThroughTheSigmoidSurrogate() {
        try (NDManager m = NDManager.newBaseManager()) {
            ActQuantizer aq = quantizer(new QParams(1f, 0, 0, 15), new ActBorder(2));
            NDArray step = aq.learnStep(m);
            List<NDArray> leaves = aq.border().learn(m, 0.1);
            NDArray kappa = leaves.get(0);
            NDArray beta = leaves.get(1);
            NDArray x = m.create(new float[] {1.6f, 0.3f}, new Shape(1, 2, 1, 1));
            x.setRequiresGradient(true);
            float[] y;
            try (Autograd g = Autograd.record()) {
                NDArray out = aq.apply(x);
                y = out.toFloatArray();
                g.backward(out.sum());
            }
            assertThat(y).containsExactly(2f, 0f);
            // r = sigmoid((f - B) / tau), B = 0.5 + kappa (n + 0.5) + beta: dr/dbeta = -r (1 - r) / tau,
            // dr/dkappa = (n + 0.5) dr/dbeta; channel 0: f 0.6, n 1; channel 1: f 0.3, n 0
            double r0 = sigmoid((0.6 - 0.5) / 0.1);
            double r1 = sigmoid((0.3 - 0.5) / 0.1);
            double dBeta0 = -r0 * (1 - r0) / 0.1;
            double dBeta1 = -r1 * (1 - r1) / 0.1;
            float[] gb = beta.getGradient().toFloatArray();
            float[] gk = kappa.getGradient().toFloatArray();
            assertThat(gb[0]).isCloseTo((float) dBeta0, within(1e-4f));
            assertThat(gb[1]).isCloseTo((float) dBeta1, within(1e-4f));
            assertThat(gk[0]).isCloseTo((float) (1.5 * dBeta0), within(1e-4f));
            assertThat(gk[1]).isCloseTo((float) (0.5 * dBeta1), within(1e-4f));
            // the step keeps LSQ's gradient sum(round(x / s) - x / s) = 0.4 - 0.3, the input the straight-through 1
            assertThat(step.getGradient().getFloat()).isCloseTo(0.1f, within(1e-5f));
            assertThat(x.getGradient().toFloatArray()).containsExactly(1f, 1f);
            // freezing fixes the learned values
            beta.subi(m.create(new float[] {0.2f, 0f}));
            aq.freezeStep();
            assertThat(aq.border().learning()).isFalse();
            assertThat(aq.border().beta()).containsExactly(-0.2f, 0f);
            assertThat(aq.apply(m.create(new float[] {1.4f, 0.3f}, new Shape(1, 2, 1, 1))).toFloatArray())
                    .containsExactly(2f, 0f);
        }
    }

    @Test
    void theMethodLeavesIntegerWeightsAndFrozenLearnedBorders() {
        try (NDManager m = manager.newSubManager(); Autograd off = Autograd.off()) {
            List<QLayer> layers = ctx.network().layers();
            boolean moved = false;
            for (QLayer l : layers) {
                assertThat(l.quantized()).as(l.name()).isNotNull();
                assertThat(l.weightBits()).as(l.name()).isIn(2, 8);
                ActQuantizer q = l.inputQuantizer();
                if (q == null) {
                    continue;
                }
                ActBorder border = q.border();
                assertThat(border).as(l.name()).isNotNull();
                assertThat(border.learning()).as(l.name()).isFalse();
                assertThat(border.channels()).as(l.name()).isEqualTo(l.inChannels());
                for (int c = 0; c < border.channels(); c++) {
                    moved |= border.kappa()[c] != 0 || border.beta()[c] != 0;
                }
            }
            assertThat(layers.subList(1, layers.size())).allMatch(l -> l.inputQuantizer() != null);
            assertThat(moved).isTrue();
            float[] out = Autograd.noGrad(() -> ctx.network().logits(ctx.calibration().batch(m, 0, 32), false))
                    .toFloatArray();
            for (float v : out) {
                assertThat(Float.isFinite(v)).isTrue();
            }
        }
    }

    @Test
    void theLoadedModelReproducesTheLogitsWithItsBorders(@TempDir Path dir) throws Exception {
        QuantizedModel.Loaded loaded = QuantFixture.assertReloadsExactly(ctx, dir.resolve("model.dfqm"));
        List<QLayer> written = ctx.network().layers();
        List<QLayer> read = loaded.net().layers();
        for (int i = 0; i < written.size(); i++) {
            ActQuantizer q = written.get(i).inputQuantizer();
            if (q != null) {
                ActBorder border = read.get(i).inputQuantizer().border();
                assertThat(border.kappa()).containsExactly(q.border().kappa());
                assertThat(border.beta()).containsExactly(q.border().beta());
            }
        }
    }
}
