package io.dfq.quant.quantize.ptq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.model.TapBatchNorm;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.pipeline.ProgressListener;
import io.dfq.quant.qcore.ActQuantizer;
import io.dfq.quant.qcore.Protocol;
import io.dfq.quant.qcore.QParams;
import io.dfq.quant.qcore.WeightQuantizer;
import io.dfq.quant.quantize.QuantFixture;
import io.dfq.quant.quantize.QuantizationContext;
import io.dfq.quant.quantize.Quantizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AacTest {

    private static final long SEED = 7;
    private static final int BATCH = 16;

    private static NDManager manager;
    private static ImageSet calib;
    private static QuantizationContext corrected;
    private static QuantizationContext plain;

    /** Gives every BN non-trivial gamma (some negative), beta and running statistics; equal seeds, equal values. */
    private static void setBatchNorms(Net net, long seed) {
        Random r = new Random(seed);
        for (TapBatchNorm bn : net.batchNorms()) {
            int n = bn.channels();
            float[] gamma = new float[n];
            float[] beta = new float[n];
            float[] mean = new float[n];
            float[] var = new float[n];
            for (int c = 0; c < n; c++) {
                gamma[c] = (float) ((r.nextInt(4) == 0 ? -1 : 1) * (0.5 + r.nextDouble()));
                beta[c] = (float) (0.5 * r.nextGaussian());
                mean[c] = (float) (0.3 * r.nextGaussian());
                var[c] = (float) (0.5 + 2 * r.nextDouble());
            }
            bn.gamma().set(gamma);
            bn.beta().set(beta);
            bn.runningMean().set(mean);
            bn.runningVar().set(var);
        }
    }

    /** A W4A4 context: the teacher and its folded copy with the same non-trivial BN, batch 16. */
    private static QuantizationContext context(String arch, ImageSet calib, NDManager m, Object... kv) {
        Net teacher = QuantFixture.net(arch, SEED, m);
        Net student = QuantFixture.net(arch, SEED, m);
        setBatchNorms(teacher, SEED);
        setBatchNorms(student, SEED);
        student.fold();
        return new QuantizationContext(student, teacher, calib, QuantFixture.params("aac", kv), 4, 4,
                Protocol.FIRST_LAST_8BIT, BATCH, 0, m, ProgressListener.NONE);
    }

    private static QuantizationContext quantized(String arch, ImageSet calib, NDManager m, Object... kv)
            throws Exception {
        QuantizationContext ctx = context(arch, calib, m, kv);
        try (Autograd off = Autograd.off()) {
            Quantizer.REGISTRY.get("aac").quantize(ctx);
        }
        return ctx;
    }

    @BeforeAll
    static void quantizeOnce() throws Exception {
        manager = NDManager.newBaseManager();
        calib = QuantFixture.images(32, 1);
        corrected = quantized("resnet8", calib, manager);
        plain = quantized("resnet8", calib, manager, "adaptive_bn", false);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** The raw inputs of every layer of {@code net} over {@code data}, batch by batch, in one pass. */
    private static List<NDArray> inputs(Net net, ImageSet data, NDManager m) {
        List<QLayer> layers = net.layers();
        List<NDList> parts = new ArrayList<>();
        for (QLayer layer : layers) {
            NDList mine = new NDList();
            parts.add(mine);
            layer.setProbe(x -> mine.add(x.duplicate()));
        }
        try {
            for (int from = 0; from < data.count(); from += BATCH) {
                NDArray x = data.batch(m, from, Math.min(data.count(), from + BATCH));
                Autograd.noGrad(() -> net.logits(x, false));
            }
        } finally {
            layers.forEach(l -> l.setProbe(null));
        }
        return parts.stream().map(NDArrays::concat).toList();
    }

    /** Per-channel mean and standard deviation of a layer's output {@code y}. */
    private static float[][] outputMoments(NDArray y) {
        NDArray[] stats = TapBatchNorm.channelStats(y);
        return new float[][] {stats[0].toFloatArray(), stats[1].sqrt().toFloatArray()};
    }

    /** {@code y} (N, C, H, W) with every channel shifted and scaled to mean 0 and variance 1. */
    private static NDArray standardized(NDArray y) {
        NDArray[] stats = TapBatchNorm.channelStats(y);
        Shape channel = new Shape(1, y.getShape().get(1), 1, 1);
        return y.sub(stats[0].reshape(channel)).div(stats[1].sqrt().reshape(channel));
    }

    private static float[] abs(float[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.abs(v[i]);
        }
        return out;
    }

    @Test
    void clippingRangesAreTheFpTeachersInputRanges() throws Exception {
        try (NDManager m = manager.newSubManager(); Autograd off = Autograd.off()) {
            List<NDArray> fp = inputs(corrected.teacher(), calib, m);
            List<NDArray> own = inputs(corrected.network(), calib, m);
            List<QLayer> layers = corrected.network().layers();
            int last = layers.size() - 1;
            for (int i = 1; i <= last; i++) {
                ActQuantizer act = layers.get(i).inputQuantizer();
                NDArray x = fp.get(i);
                assertThat(act.mode()).isEqualTo(ActQuantizer.Mode.QUANTIZE);
                assertThat(act.params()).as(layers.get(i).name())
                        .isEqualTo(QParams.fromRange(x.min().getFloat(), x.max().getFloat(), i == last ? 8 : 4, false));
            }
            // the quantized network's own inputs have other ranges
            assertThat(own.get(last).max().getFloat()).isNotEqualTo(fp.get(last).max().getFloat());
            // the first layer's input (the images) stays unquantized under the protocol
            assertThat(layers.get(0).inputQuantizer()).isNull();
            // a percentile below 100 clips the peak
            int k = 3;
            QuantizationContext clipped = quantized("resnet8", calib, m, "clip_percentile", 99.0,
                    "adaptive_bn", false);
            assertThat(clipped.network().layers().get(k).inputQuantizer().params().scale())
                    .isLessThan(layers.get(k).inputQuantizer().params().scale());
        }
    }

    @Test
    void adaptiveBnGivesEveryBnLayerItsBnOutputMoments() {
        try (NDManager m = manager.newSubManager(); Autograd off = Autograd.off()) {
            List<NDArray> after = inputs(corrected.network(), calib, m);
            List<NDArray> before = inputs(plain.network(), calib, m);
            List<QLayer> fp = corrected.teacher().layers();
            int checked = 0;
            double drift = 0;
            for (int i = 0; i < fp.size(); i++) {
                TapBatchNorm bn = fp.get(i).batchNorm();
                if (bn == null) {
                    continue;
                }
                float[] beta = bn.beta().toFloatArray();
                float[] gamma = abs(bn.gamma().toFloatArray());
                NDArray y = corrected.network().layers().get(i).apply(after.get(i), false);
                float[][] moments = outputMoments(y);
                String name = fp.get(i).name();
                assertThat(moments[0]).as(name + " mean").containsExactly(beta, within(2e-3f));
                assertThat(moments[1]).as(name + " std").containsExactly(gamma, within(2e-3f));
                // per channel a positive affine map of the uncorrected layer's output for the same input
                NDArray y0 = plain.network().layers().get(i).apply(after.get(i), false);
                assertThat(standardized(y).sub(standardized(y0)).abs().max().getFloat()).as(name).isLessThan(1e-3f);
                float[] uncorrected = outputMoments(plain.network().layers().get(i).apply(before.get(i), false))[0];
                for (int c = 0; c < beta.length; c++) {
                    drift = Math.max(drift, Math.abs(uncorrected[c] - beta[c]));
                }
                checked++;
            }
            assertThat(checked).isEqualTo(corrected.teacher().batchNorms().size()).isGreaterThan(5);
            // without the correction the quantized outputs are far from the BN's moments
            assertThat(drift).isGreaterThan(0.1);
        }
    }

    @Test
    void theCorrectionKeepsTheCodesAndTheExportedModelReproducesIt(@TempDir Path dir) throws Exception {
        try (NDManager m = manager.newSubManager(); Autograd off = Autograd.off()) {
            List<QLayer> layers = corrected.network().layers();
            for (int i = 0; i < layers.size(); i++) {
                QLayer after = layers.get(i);
                QLayer before = plain.network().layers().get(i);
                WeightQuantizer.Quantized q = after.quantized();
                WeightQuantizer.Quantized p = before.quantized();
                assertThat(q.codes()).as(after.name()).containsExactly(p.codes());
                assertThat(after.weightBits()).isEqualTo(before.weightBits());
                for (int c = 0; c < q.channels().length; c++) {
                    assertThat(q.channels()[c].zeroPoint()).isEqualTo(p.channels()[c].zeroPoint());
                }
                if (after.batchNorm() == null) {
                    assertThat(q.channels()).containsExactly(p.channels());
                    assertThat(after.bias().toFloatArray()).containsExactly(before.bias().toFloatArray());
                } else {
                    assertThat(q.channels()).isNotEqualTo(p.channels());
                }
            }
            QuantFixture.assertReloadsExactly(corrected, dir.resolve("aac.dfqm"));
        }
    }

    @Test
    void aNetworkWithoutBnKeepsItsBiases() throws Exception {
        try (NDManager m = manager.newSubManager(); Autograd off = Autograd.off()) {
            QuantizationContext ctx = context("lenet5", calib, m);
            assertThat(ctx.teacher().hasBatchNorm()).isFalse();
            List<QLayer> layers = ctx.network().layers();
            float[][] biases = new float[layers.size()][];
            for (int i = 0; i < layers.size(); i++) {
                biases[i] = layers.get(i).bias().toFloatArray();
            }
            Quantizer.REGISTRY.get("aac").quantize(ctx);
            for (int i = 0; i < layers.size(); i++) {
                assertThat(layers.get(i).quantized()).isNotNull();
                assertThat(layers.get(i).bias().toFloatArray()).containsExactly(biases[i]);
                if (i > 0) {
                    assertThat(layers.get(i).inputQuantizer().mode()).isEqualTo(ActQuantizer.Mode.QUANTIZE);
                }
            }
            float[] logits = ctx.network().logits(calib.batch(m, 0, 8), false).toFloatArray();
            assertThat(logits).hasSize(80);
            for (float v : logits) {
                assertThat(Float.isFinite(v)).isTrue();
            }
        }
    }
}
