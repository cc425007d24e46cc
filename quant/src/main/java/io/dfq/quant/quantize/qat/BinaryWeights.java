package io.dfq.quant.quantize.qat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.nn.Scalars;
import io.dfq.quant.qcore.QParams;
import io.dfq.quant.qcore.WeightQuantizer;
import java.util.List;

/**
 * DIR-Net's binary weights of one layer: IMB (IR-Net's Libra-PB, htqin/IR-Net {@code IRConv2d}) per
 * output channel o, bw = (w - mean_o(w)) / std_o(w - mean_o(w)) with the unbiased std, both on the
 * autograd graph, and the detached power-of-two scale sw_o = 2^round(log2(mean_o |bw|)); the forward
 * weight is alpha_o * sw_o * sign(bw) with sign through the {@link Dte}. The reference conv is followed
 * by a BatchNorm that restores the magnitude; our student is BN-folded, so a learnable per-channel
 * alpha (our addition) takes that role, initialised to the least-squares fit of w by sw * sign(bw).
 * The bias stays FP (the folded BN's shift).
 */
final class BinaryWeights {

    /** Floor of the per-channel std, so that a constant channel (a folded zero gamma) stays finite. */
    private static final double MIN_STD = 1e-8;

    private final QLayer layer;
    private final Dte dte;
    private final NDArray alpha;

    /** Starts training {@code layer}'s weights, bias and alpha (on {@code manager}). */
    BinaryWeights(QLayer layer, Dte dte, NDManager manager) {
        this.layer = layer;
        this.dte = dte;
        float[] w = layer.weight().toFloatArray();
        float[] init = new float[layer.outChannels()];
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray bw = standardized();
            float[] b = bw.toFloatArray();
            float[] sw = scales(bw);
            int per = b.length / init.length;
            for (int c = 0; c < init.length; c++) {
                double dot = 0;
                for (int i = c * per; i < (c + 1) * per; i++) {
                    dot += b[i] >= 0 ? w[i] : -w[i];
                }
                init[c] = (float) (dot / per / sw[c]);
            }
        }
        this.alpha = manager.create(init, layer.channelShape());
        alpha.setRequiresGradient(true);
        layer.weight().setRequiresGradient(true);
        layer.bias().setRequiresGradient(true);
    }

    /** The balanced, standardised weights bw, (out channels, weights per channel), on the autograd graph. */
    NDArray standardized() {
        NDArray w = layer.weight();
        NDArray rows = w.reshape(layer.outChannels(), -1);
        long n = rows.getShape().get(1);
        NDArray centred = rows.sub(rows.mean(new int[] {1}, true));
        NDArray std = Scalars.div(centred.square().sum(new int[] {1}, true), Math.max(n - 1, 1)).sqrt();
        return centred.div(Scalars.max(std, MIN_STD));
    }

    /** sw per channel: 2^round(log2(mean |bw|)) of the rows of {@code bw} (1 for an all-zero row). */
    static float[] scales(NDArray bw) {
        float[] meanAbs = bw.stopGradient().abs().mean(new int[] {1}).toFloatArray();
        float[] out = new float[meanAbs.length];
        for (int c = 0; c < out.length; c++) {
            out[c] = meanAbs[c] > 0 ? Math.scalb(1f, (int) Math.round(Math.log(meanAbs[c]) / Math.log(2))) : 1f;
        }
        return out;
    }

    /** alpha * sw * sign(bw) in the weight's shape, on the autograd graph of the weights and alpha. */
    NDArray binarizedWeight() {
        NDArray bw = standardized();
        NDArray sw = bw.getManager().create(scales(bw), new Shape(layer.outChannels(), 1));
        long perChannel = layer.weightCount() / layer.outChannels();
        return dte.sign(bw, 1).mul(sw).reshape(layer.weight().getShape())
                .mul(Scalars.gradScaled(alpha, 1 / Math.sqrt(perChannel)));
    }

    /** Makes the layer's forward use the current binarized weight (once per iteration). */
    void install() {
        layer.setQuantizedWeight(binarizedWeight(), 1);
    }

    /** The layer's weight and bias, trained with weight decay. */
    List<NDArray> parameters() {
        return List.of(layer.weight(), layer.bias());
    }

    QLayer layer() {
        return layer;
    }

    /** alpha_c becomes {@code scale[c]} alpha_c and the bias scale[c] bias_c + shift[c]. */
    void rescale(float[] scale, float[] shift) {
        float[] a = alpha.toFloatArray();
        float[] b = layer.bias().toFloatArray();
        for (int c = 0; c < a.length; c++) {
            a[c] *= scale[c];
            b[c] = scale[c] * b[c] + shift[c];
        }
        alpha.set(a);
        layer.bias().set(b);
    }

    /** The per-channel magnitudes alpha, trained without weight decay. */
    NDArray alpha() {
        return alpha;
    }

    /**
     * Fixes the binary weights: codes +-1 (sign(bw), flipped where alpha turned negative) with per-channel
     * parameters (|alpha * sw|, 0, -1, 1), installed on the layer (on {@code manager}).
     */
    WeightQuantizer.Quantized finish(NDManager manager) {
        float[] a = alpha.toFloatArray();
        int[] codes;
        QParams[] params = new QParams[a.length];
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray bw = standardized();
            float[] sw = scales(bw);
            float[] b = bw.toFloatArray();
            codes = new int[b.length];
            int per = b.length / a.length;
            for (int c = 0; c < a.length; c++) {
                params[c] = new QParams(Math.max(Math.abs(a[c] * sw[c]), QParams.MIN_SCALE), 0, -1, 1);
                for (int i = c * per; i < (c + 1) * per; i++) {
                    codes[i] = (b[i] >= 0) == (a[c] >= 0) ? 1 : -1;
                }
            }
        }
        layer.weight().setRequiresGradient(false);
        layer.bias().setRequiresGradient(false);
        WeightQuantizer.Quantized q = new WeightQuantizer.Quantized(codes, params);
        layer.setQuantized(q, 1, manager);
        return q;
    }
}
