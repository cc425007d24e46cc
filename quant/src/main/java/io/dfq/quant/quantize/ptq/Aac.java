package io.dfq.quant.quantize.ptq;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.model.Segment;
import io.dfq.quant.model.TapBatchNorm;
import io.dfq.quant.qcore.LpObserver;
import io.dfq.quant.qcore.MinMaxObserver;
import io.dfq.quant.qcore.Observer;
import io.dfq.quant.qcore.PercentileObserver;
import io.dfq.quant.qcore.QParams;
import io.dfq.quant.qcore.WeightQuantizer;
import io.dfq.quant.quantize.QuantizationContext;
import io.dfq.quant.quantize.Quantizer;
import io.dfq.quant.quantize.recon.InputCache;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.Params;
import java.util.List;

/**
 * Accurate activation clipping and adaptive batch normalization (He, Zhang, Wu, Zhou, "Data-Free
 * Quantization with Accurate Activation Clipping and Adaptive Batch Normalization", arXiv 2204.04215,
 * 2022). No public code exists and the full text was not available to us, so only the two ideas below
 * follow the paper's text (its abstract); every detail is our reading.
 *
 * <p>From the paper: activation clipping ranges come from accurate activation statistics of the
 * full-precision model (rather than of the partly quantized one), and after quantization the BN
 * statistics are re-estimated on the quantized model with the synthetic data, undoing the drift of
 * each layer's output distribution. Its demand on the synthetic data (images that make the network
 * respond strongly) is the generator's concern, not this class's.
 *
 * <p>Our reading: (1) weights per output channel by the Lp clipping search ({@code weight_p}, as
 * {@link Mse}); the paper does not say how weights are quantized. (2) Each input-activation range is
 * the [min, max] of that layer's input in the FP teacher (unfolded, BN in eval mode) over the
 * calibration set, or its [100 - p, p] percentiles when {@code clip_percentile} p is below 100,
 * affine (asymmetric). (3) The BN is folded in the quantized network, so re-estimating its statistics
 * is done as the equivalent refold: for each BN-followed layer in forward order (every earlier layer
 * already corrected, weights and activations quantized), measure the per-channel mean m_c and
 * population variance v_c of the layer's output y on the calibration set and make the output beta_c +
 * a_c (y - m_c), with a_c = |gamma_c| / sqrt(v_c + eps k_c^2), gamma and beta from the teacher's BN,
 * k_c = gamma_c / sqrt(var_c + 1e-5) the factor the layer was folded with (var_c the BN's running
 * variance) and eps = {@code bn_eps}: exactly the output of the unfolded layer whose BN statistics were
 * re-estimated on the quantized model, with epsilon eps. The weight step of channel c is multiplied by
 * a_c, its integer codes and zero point kept, and its folded bias b_c becomes a_c (b_c - m_c) + beta_c.
 * The paper's batch count and momentum are unknown: the statistics here are those of the whole
 * calibration set at once. Layers without BN are left as they are.
 */
public final class Aac implements Quantizer {

    @Override
    public String name() {
        return "aac";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.real("weight_p", 2.4, 0.5, 10, "norm of the weight clipping search"),
                ParamSpec.real("clip_percentile", 100, 50.01, 100,
                        "upper percentile of the FP activations kept (100 = their peak)"),
                ParamSpec.bool("adaptive_bn", true, "re-estimate the BN statistics on the quantized model"),
                ParamSpec.real("bn_eps", 1e-5, 0, 1, "epsilon of the re-estimated BN"));
    }

    @Override
    public void quantize(QuantizationContext ctx) {
        Params p = Params.of(this, ctx.params());
        Calibration.quantizeWeights(ctx, new LpObserver(p.getDouble("weight_p")), false);
        double percentile = p.getDouble("clip_percentile");
        Observer clip = percentile >= 100 ? new MinMaxObserver() : new PercentileObserver(percentile);
        int acts = Calibration.calibrateActivations(ctx, clip, false, ctx.teacher());
        int bns = p.getBool("adaptive_bn") ? adaptBatchNorms(ctx, p.getDouble("bn_eps")) : 0;
        ctx.progress().message("aac: " + acts + " activation ranges from the FP model, " + bns
                + " BN layers re-estimated");
    }

    /** Refolds every BN-followed layer, in forward order, with BN statistics of the quantized network. */
    private static int adaptBatchNorms(QuantizationContext ctx, double eps) {
        List<QLayer> layers = ctx.network().layers();
        List<QLayer> fp = ctx.teacher().layers();
        int count = 0;
        for (int i = 0; i < layers.size(); i++) {
            TapBatchNorm bn = fp.get(i).batchNorm();
            if (bn != null) {
                adapt(ctx, layers.get(i), bn, eps);
                count++;
            }
        }
        return count;
    }

    private static void adapt(QuantizationContext ctx, QLayer layer, TapBatchNorm bn, double eps) {
        WeightQuantizer.Quantized q = layer.calibrated();
        double[][] m = outputMoments(ctx.network(), layer, ctx.calibration(), ctx.batch(), ctx.manager());
        float[] gamma = bn.gamma().toFloatArray();
        float[] beta = bn.beta().toFloatArray();
        float[] var = bn.runningVar().toFloatArray();
        float[] bias = layer.bias().toFloatArray();
        QParams[] channels = q.channels().clone();
        for (int c = 0; c < channels.length; c++) {
            double fold2 = (double) gamma[c] * gamma[c] / (var[c] + TapBatchNorm.EPS);
            double std = Math.sqrt(m[1][c] + eps * fold2);
            if (std > 0) {
                double a = Math.abs(gamma[c]) / std;
                QParams old = channels[c];
                channels[c] = new QParams((float) (old.scale() * a), old.zeroPoint(), old.qmin(), old.qmax());
                bias[c] = (float) (a * (bias[c] - m[0][c]) + beta[c]);
            }
        }
        layer.setQuantized(new WeightQuantizer.Quantized(q.codes(), channels), layer.weightBits(), ctx.manager());
        layer.setFoldedBias(bias);
    }

    /**
     * Per-channel mean and population variance of {@code layer}'s output over {@code data} as {@code
     * net} computes it now: the layer's inputs over the whole set, then the layer applied to them.
     */
    private static double[][] outputMoments(Net net, QLayer layer, ImageSet data, int batch, NDManager manager) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray inputs = InputCache.inputs(net, layer, data, batch, scope);
            NDArray y = InputCache.outputs(new Segment(layer.name(), List.of(layer), layer::apply), inputs, batch,
                    scope);
            NDArray[] stats = TapBatchNorm.channelStats(y);
            float[] mean = stats[0].toFloatArray();
            float[] var = stats[1].toFloatArray();
            double[][] out = new double[2][mean.length];
            for (int c = 0; c < mean.length; c++) {
                out[0][c] = mean[c];
                out[1][c] = var[c];
            }
            return out;
        }
    }
}
