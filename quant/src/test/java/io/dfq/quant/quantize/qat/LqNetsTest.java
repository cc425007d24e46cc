package io.dfq.quant.quantize.qat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.qcore.ActCodebook;
import io.dfq.quant.qcore.MinMaxObserver;
import io.dfq.quant.qcore.WeightQuantizer;
import io.dfq.quant.quantize.QuantFixture;
import io.dfq.quant.quantize.QuantizationContext;
import io.dfq.quant.quantize.Quantizer;
import io.dfq.quant.quantize.ptq.Calibration;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LqNetsTest {

    @Test
    void weightGradientsPassStraightThroughAndEachStepRefitsTheChannelBases() {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            QLayer l = QLayer.linear("toy", 6, 2, new Random(0));
            l.initialize(m, DataType.FLOAT32, new Shape(1, 6));
            l.weight().set(new float[] {0.1f, -0.4f, 0.35f, -0.05f, 0.2f, -0.3f, 2f, -1f, 0.5f, 1.5f, -2f, 0.1f});
            l.fold();
            Calibration.quantizeWeights(l, 2, false, new MinMaxObserver(), m);
            LqWeights lq = new LqWeights(l, 2);
            float[] forward;
            try (Autograd g = Autograd.record()) {
                lq.install();
                NDArray y = l.apply(m.ones(new Shape(1, 6)), false);
                forward = y.toFloatArray();
                g.backward(y.sum());
            }
            // identity straight through: d(sum of outputs)/dW = the input, 1 everywhere, unclipped
            assertThat(l.weight().getGradient().toFloatArray()).containsOnly(1f);
            WeightQuantizer.Quantized q = lq.finish(m);
            assertThat(q.levels()).hasDimensions(2, 4);
            float[] w = q.dequantize();
            // each channel holds at most 4 values, its own levels, and it approximates the weights
            for (int c = 0; c < 2; c++) {
                float[] channel = Arrays.copyOfRange(w, 6 * c, 6 * c + 6);
                assertThat(Arrays.stream(toDouble(channel)).distinct().count()).isLessThanOrEqualTo(4);
                for (float v : channel) {
                    assertThat(q.levels()[c]).contains(v);
                }
            }
            assertThat(w[6]).isCloseTo(2f, within(0.3f));
            assertThat(w[10]).isCloseTo(-2f, within(0.3f));
            assertThat(forward).hasSize(2);
        }
    }

    private static double[] toDouble(float[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i];
        }
        return out;
    }

    @Test
    void activationsTakeTheNearestLevelAndPassGradientsOnlyInsideTheLevelRange() {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            LqActivations a = new LqActivations(LqBasis.uniform(2, false, 0.5), LqActivations.Mode.FIXED);
            NDArray x = m.create(new float[] {-0.2f, 0.2f, 0.3f, 0.8f, 1.4f, 2.5f});
            x.setRequiresGradient(true);
            float[] y;
            try (Autograd g = Autograd.record()) {
                NDArray out = a.apply(x);
                y = out.toFloatArray();
                g.backward(out.sum());
            }
            assertThat(y).containsExactly(0f, 0f, 0.5f, 1f, 1.5f, 1.5f);
            assertThat(x.getGradient().toFloatArray()).containsExactly(0f, 1f, 1f, 1f, 1f, 0f);
            // learning: quantized with the old basis, then one QEM step on the batch
            a.setMode(LqActivations.Mode.LEARN);
            NDArray z = m.create(new float[] {0.1f, 0.1f, 0.7f, 0.7f, 1.3f, 1.3f, 2.1f, 2.1f});
            assertThat(a.apply(z).toFloatArray()).containsExactly(0f, 0f, 0.5f, 0.5f, 1.5f, 1.5f, 1.5f, 1.5f);
            LqBasis reference = LqBasis.uniform(2, false, 0.5);
            reference.update(z.toFloatArray());
            assertThat(a.basis().basis()).isNotEqualTo(new float[] {0.5f, 1f})
                    .containsExactly(reference.basis(), within(1e-6f));
            ActCodebook restored = LqActivations.restore(a.state());
            assertThat(restored.apply(z).toFloatArray()).containsExactly(
                    new LqActivations(a.basis(), LqActivations.Mode.FIXED).apply(z).toFloatArray());
        }
    }

    @Test
    void trainingLowersTheLossAndTheStoredModelReproducesTheNetworkExactly(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            Net teacher = QuantFixture.net("resnet8", 3, m);
            QuantizationContext base = QuantFixture.context("resnet8", 3, teacher, QuantFixture.images(48, 1),
                    QuantFixture.params("lqnets", "epochs", 4, "batch", 16, "lr", 0.02), 2, 2, m);
            Map<String, Double> metrics = new TreeMap<>();
            QuantizationContext ctx = QuantFixture.recording(base, metrics);
            Quantizer.REGISTRY.get("lqnets").quantize(ctx);
            assertThat(metrics.get("qat_loss_epoch_04")).isLessThan(metrics.get("qat_loss_epoch_01"));
            java.util.List<QLayer> layers = ctx.network().layers();
            // first and last layers keep uniform 8-bit codes, the others carry 2-bit level tables
            assertThat(layers.get(0).quantized().levels()).isNull();
            assertThat(layers.get(layers.size() - 1).quantized().levels()).isNull();
            assertThat(layers.get(1).quantized().levels()[0]).hasSize(4);
            assertThat(layers.get(1).inputQuantizer().codebook()).isInstanceOf(LqActivations.class);
            QuantFixture.assertReloadsExactly(ctx, dir.resolve("m.dfqm"));
        }
    }
}
