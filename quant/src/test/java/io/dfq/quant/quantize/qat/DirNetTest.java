package io.dfq.quant.quantize.qat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.qcore.ActQuantizer;
import io.dfq.quant.qcore.QParams;
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

class DirNetTest {

    private static final Quantizer DIRNET = Quantizer.REGISTRY.get("dirnet");

    /** A folded 3 x 3 conv, 2 -> 3 channels, with random weights of channel-dependent mean and scale. */
    private static QLayer conv(NDManager m) {
        QLayer l = QLayer.conv("toy", 2, 3, 3, 1, 1, false, new Random(0));
        l.initialize(m, DataType.FLOAT32, new Shape(1, 2, 4, 4));
        float[] w = new float[54];
        Random r = new Random(1);
        for (int i = 0; i < w.length; i++) {
            int c = i / 18;
            w[i] = (float) (0.1 * (c + 1) * r.nextGaussian() + 0.05 * c);
        }
        l.weight().set(w);
        l.fold();
        return l;
    }

    @Test
    void imbBalancesAndStandardisesEachChannelWithAPowerOfTwoScale() {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            BinaryWeights b = new BinaryWeights(conv(m), new Dte(0.1, 10), m);
            float[] bw = b.standardized().toFloatArray();
            for (int c = 0; c < 3; c++) {
                double sum = 0;
                double squares = 0;
                for (int i = c * 18; i < (c + 1) * 18; i++) {
                    sum += bw[i];
                    squares += bw[i] * bw[i];
                }
                assertThat(sum / 18).as("mean of channel %d", c).isCloseTo(0, within(1e-6));
                assertThat(squares / 17).as("unbiased variance of channel %d", c).isCloseTo(1, within(1e-5));
            }
            for (float s : BinaryWeights.scales(b.standardized())) {
                // mean |bw| of a standardised channel is below 1 and about 0.8: sw is 1 or 1/2
                assertThat(s).isIn(0.5f, 1f);
                assertThat(Math.scalb(1f, Math.getExponent(s))).isEqualTo(s);
            }
        }
    }

    @Test
    void theScaleIsTheNearestPowerOfTwoOfTheMeanMagnitude() {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            NDArray rows = m.create(new float[] {3f, -3f, 0.2f, -0.2f, 0.7f, 0.7f, 0f, 0f}, new Shape(4, 2));
            // log2 3 = 1.58 -> 2; log2 0.2 = -2.32 -> 1/4; log2 0.7 = -0.51 -> 1/2; an all-zero row -> 1
            assertThat(BinaryWeights.scales(rows)).containsExactly(4f, 0.25f, 0.5f, 1f);
        }
    }

    @Test
    void dteGivesSignForwardAndItsStageGradientBackward() {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            float[] x = {-2f, -0.3f, 0f, 0.05f, 1.5f};
            Dte dte = new Dte(0.1, 10);
            for (int epoch : new int[] {1, 7}) {
                dte.startEpoch(epoch, 10);
                double t = Math.pow(10, -1 + 2.0 * epoch / 10);
                assertThat(dte.t()).isCloseTo(t, within(1e-12));
                assertThat(dte.k()).isEqualTo(Math.max(1 / t, 1));
                NDArray leaf = m.create(x);
                leaf.setRequiresGradient(true);
                float[] y;
                try (Autograd g = Autograd.record()) {
                    NDArray out = dte.sign(leaf, 2);
                    y = out.toFloatArray();
                    g.backward(out.sum());
                }
                assertThat(y).containsExactly(new float[] {-1f, -1f, 1f, 1f, 1f}, within(1e-6f));
                float[] grad = leaf.getGradient().toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    double tanh = Math.tanh(2 * t * x[i]);
                    assertThat(grad[i]).as("epoch %d, x %s", epoch, x[i])
                            .isCloseTo((float) (dte.k() * 2 * t * (1 - tanh * tanh)), within(1e-5f));
                }
            }
            assertThat(dte.t()).isGreaterThan(1); // epoch 7 of 10 was in stage 2, epoch 1 in stage 1
        }
    }

    @Test
    void gradientsReachTheWeightsAlphaAndTheActivationThresholdsAndMagnitude() {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            QLayer l = conv(m);
            Dte dte = new Dte(0.1, 10);
            BinaryWeights w = new BinaryWeights(l, dte, m);
            BinaryActivations.Learning act =
                    new BinaryActivations.Learning(new float[] {0.4f, 0.6f}, 0.5f, 0.5, dte, m);
            l.setInputQuantizer(ActQuantizer.of(act));
            NDArray x = m.randomUniform(0, 1, new Shape(2, 2, 4, 4));
            try (Autograd g = Autograd.record()) {
                w.install();
                g.backward(l.apply(x, false).square().sum());
            }
            for (NDArray leaf : new NDArray[] {l.weight(), l.bias(), w.alpha(), act.parameters().get(0),
                    act.parameters().get(1)}) {
                assertThat(leaf.getGradient().abs().sum().getFloat()).isGreaterThan(0f);
            }
            // the installed weight is alpha * sw * sign(bw)
            float[] installed;
            try (Autograd g = Autograd.record()) {
                installed = w.binarizedWeight().toFloatArray();
            }
            float[] alpha = w.alpha().toFloatArray();
            float[] sw = BinaryWeights.scales(w.standardized());
            for (int i = 0; i < installed.length; i++) {
                assertThat(Math.abs(installed[i])).isCloseTo(Math.abs(alpha[i / 18] * sw[i / 18]), within(1e-6f));
            }
        }
    }

    @Test
    void aForwardOnAShortLivedManagerLeavesNothingOnTheQuantizersManager() {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            BinaryActivations.Learning act =
                    new BinaryActivations.Learning(new float[] {0.4f, 0.6f}, 0.5f, 0.5, new Dte(0.1, 10), m);
            int before = m.getManagedArrays().size();
            try (NDManager batch = m.newSubManager()) {
                act.apply(batch.randomUniform(0, 1, new Shape(2, 2, 4, 4)));
            }
            // the outputs belong to the batch's manager, as the calibration passes and caches assume
            assertThat(m.getManagedArrays()).hasSize(before);
        }
    }

    @Test
    void fixedActivationsAndWeightsRoundTripThroughTheirStoredForm() {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            BinaryActivations.Learning act = new BinaryActivations.Learning(new float[] {0.4f, 0.6f}, 0.5f, 0.5,
                    new Dte(0.1, 10), m);
            BinaryActivations fixed = act.freeze();
            assertThat(fixed.kind()).isEqualTo("dirnet-binary");
            assertThat(fixed.state()).containsExactly(0.5f, 0.4f, 0.6f);
            NDArray x = m.create(new float[] {0f, 0.4f, 1f, 0.5f, 0.6f, 0.7f}, new Shape(1, 2, 3));
            // mu + beta * sign(x - mu), sign(0) = +1
            assertThat(fixed.apply(x.reshape(1, 2, 1, 3)).toFloatArray())
                    .containsExactly(new float[] {-0.1f, 0.9f, 0.9f, 0.1f, 1.1f, 1.1f}, within(1e-6f));
            QLayer l = conv(m);
            BinaryWeights w = new BinaryWeights(l, new Dte(0.1, 10), m);
            var q = w.finish(m);
            float[] alpha = w.alpha().toFloatArray();
            float[] sw = BinaryWeights.scales(w.standardized());
            for (int c = 0; c < 3; c++) {
                assertThat(q.channels()[c]).isEqualTo(new QParams(Math.abs(alpha[c] * sw[c]), 0, -1, 1));
            }
            assertThat(q.codes()).containsOnly(-1, 1);
            assertThat(l.quantized()).isSameAs(q);
        }
    }

    @Test
    void onlyW1A1IsSupported() {
        assertThat(DIRNET.unsupportedReason(QuantFixture.JSON.createObjectNode().put("wbits", 1).put("abits", 1)))
                .isEmpty();
        assertThat(DIRNET.unsupportedReason(QuantFixture.JSON.createObjectNode().put("wbits", 1).put("abits", 4)))
                .contains("dirnet binarizes weights and activations: it needs wbits 1 and abits 1, got W1A4");
    }

    @Test
    void distillationLowersTheLossAndTheExportedModelReproducesTheNetwork(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            Net teacher = QuantFixture.net("resnet8", 3, m);
            QuantizationContext base = QuantFixture.context("resnet8", 3, teacher, QuantFixture.images(48, 1),
                    QuantFixture.params("dirnet", "epochs", 4, "batch", 16), 1, 1, m);
            Map<String, Double> metrics = new TreeMap<>();
            QuantizationContext ctx = QuantFixture.recording(base, metrics);
            DIRNET.quantize(ctx);
            assertThat(metrics).containsOnlyKeys("qat_loss_epoch_01", "qat_loss_epoch_02", "qat_loss_epoch_03",
                    "qat_loss_epoch_04");
            assertThat(metrics.get("qat_loss_epoch_04")).isLessThan(metrics.get("qat_loss_epoch_01"));
            var layers = ctx.network().layers();
            assertThat(layers.get(0).weightBits()).isEqualTo(8);
            assertThat(layers.get(layers.size() - 1).weightBits()).isEqualTo(8);
            for (QLayer l : layers.subList(1, layers.size() - 1)) {
                assertThat(l.weightBits()).as(l.name()).isEqualTo(1);
                assertThat(l.quantized().codes()).as(l.name()).containsOnly(-1, 1);
                assertThat(l.inputQuantizer().codebook()).as(l.name()).isInstanceOf(BinaryActivations.class)
                        .isNotInstanceOf(BinaryActivations.Learning.class);
            }
            QuantFixture.assertReloadsExactly(ctx, dir.resolve("m.dfqm"));
        }
    }

    @Test
    void alignmentGivesEachBinarizedLayerTheTeachersChannelMeansAndDeviations() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            Net teacher = QuantFixture.net("resnet8", 3, m);
            ImageSet calib = QuantFixture.images(48, 1);
            QuantizationContext ctx = QuantFixture.context("resnet8", 3, teacher, calib,
                    QuantFixture.params("dirnet", "epochs", 1, "batch", 16, "lr", 0.0, "align_samples", 48), 1, 1, m);
            DIRNET.quantize(ctx); // lr 0: the network stays as aligned
            List<QLayer> layers = ctx.network().layers();
            for (int k = 1; k < layers.size() - 1; k++) {
                QLayer l = layers.get(k);
                float[][] own = moments(DirNet.outputs(ctx.network(), l, calib, 16, m), l.outChannels());
                float[][] fp = moments(DirNet.outputs(teacher, teacher.layers().get(k), calib, 16, m), l.outChannels());
                for (int c = 0; c < l.outChannels(); c++) {
                    assertThat(own[0][c]).as(l.name() + " mean " + c).isCloseTo(fp[0][c], within(1e-3f * (1 + fp[1][c])));
                    assertThat(own[1][c]).as(l.name() + " std " + c).isCloseTo(fp[1][c], within(1e-3f * (1 + fp[1][c])));
                }
            }
        }
    }

    /** Per channel of (N, C, H, W) {@code x}: its mean and (population) standard deviation. */
    private static float[][] moments(NDArray x, int channels) {
        NDArray rows = x.swapAxes(0, 1).reshape(channels, -1);
        NDArray mean = rows.mean(new int[] {1}, true);
        return new float[][] {mean.toFloatArray(), rows.sub(mean).square().mean(new int[] {1}).sqrt().toFloatArray()};
    }
}
