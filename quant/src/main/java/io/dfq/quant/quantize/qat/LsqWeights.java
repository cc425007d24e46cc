package io.dfq.quant.quantize.qat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.nn.Scalars;
import io.dfq.quant.qcore.QParams;
import io.dfq.quant.qcore.WeightQuantizer;
import java.util.List;

/**
 * LSQ's learned per-channel weight quantizer (Esser et al., "Learned Step Size Quantization", ICLR
 * 2020) for quantization-aware training: W_q = (clip(round_ste(W / s) + z, qmin, qmax) - z) * s with
 * the weights W and the per-channel steps s both trained, round_ste passing gradients straight
 * through, and the step's gradient scaled by g = 1 / sqrt(n * qmax) (n weights per channel) as in
 * the paper. Steps and zero points start from the layer's calibrated quantizer; zero points stay
 * fixed.
 */
public final class LsqWeights {

    private final QLayer layer;
    private final int bits;
    private final QParams[] channels;
    private final NDArray step;
    private final NDArray zero;
    private final double gradScale;

    /** Starts training {@code layer}'s weights and steps; arrays on {@code manager}. */
    public LsqWeights(QLayer layer, NDManager manager) {
        WeightQuantizer.Quantized q = layer.calibrated();
        this.layer = layer;
        this.bits = layer.weightBits();
        this.channels = q.channels();
        this.step = manager.create(q.scales(), layer.channelShape());
        this.zero = manager.create(q.zeroPoints(), layer.channelShape());
        step.setRequiresGradient(true);
        layer.weight().setRequiresGradient(true);
        layer.bias().setRequiresGradient(true);
        long perChannel = layer.weightCount() / channels.length;
        this.gradScale = 1 / Math.sqrt(perChannel * (double) channels[0].qmax());
    }

    /** The fake-quantized weight, on the autograd graph of the weights and steps. */
    public NDArray quantizedWeight() {
        NDArray s = Scalars.gradScaled(step, gradScale);
        NDArray v = layer.weight().div(s);
        NDArray rounded = v.add(v.round().sub(v).stopGradient());
        QParams c = channels[0];
        return rounded.add(zero).clip(c.qmin(), c.qmax()).sub(zero).mul(s);
    }

    /** Makes the layer's forward use the current fake-quantized weight (once per iteration). */
    public void install() {
        layer.setQuantizedWeight(quantizedWeight(), bits);
    }

    /** The layer's weight and bias, trained with weight decay. */
    public List<NDArray> parameters() {
        return List.of(layer.weight(), layer.bias());
    }

    /** The per-channel steps, trained without weight decay. */
    public NDArray step() {
        return step;
    }

    /** Fixes the integer weights with the learned steps and installs them (on {@code manager}). */
    public WeightQuantizer.Quantized finish(NDManager manager) {
        float[] w = layer.weight().toFloatArray();
        float[] s = step.toFloatArray();
        int per = w.length / channels.length;
        int[] codes = new int[w.length];
        QParams[] params = new QParams[channels.length];
        for (int c = 0; c < channels.length; c++) {
            QParams old = channels[c];
            params[c] = new QParams(Math.max(Math.abs(s[c]), QParams.MIN_SCALE), old.zeroPoint(), old.qmin(), old.qmax());
            for (int i = c * per; i < (c + 1) * per; i++) {
                codes[i] = params[c].quantize(w[i]);
            }
        }
        layer.weight().setRequiresGradient(false);
        layer.bias().setRequiresGradient(false);
        WeightQuantizer.Quantized q = new WeightQuantizer.Quantized(codes, params);
        layer.setQuantized(q, bits, manager);
        return q;
    }
}
