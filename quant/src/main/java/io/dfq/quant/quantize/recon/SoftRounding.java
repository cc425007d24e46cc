package io.dfq.quant.quantize.recon;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.nn.Scalars;
import io.dfq.quant.qcore.QParams;
import io.dfq.quant.qcore.WeightQuantizer;
import java.util.ArrayList;
import java.util.List;

/**
 * AdaRound's learned rounding of one layer's weights (Nagel et al., "Up or Down? Adaptive Rounding
 * for Post-Training Quantization", ICML 2020): W~ = s * (clip(floor(W / s) + h(V) + z, qmin, qmax)
 * - z) with the rectified sigmoid h(V) = clip(sigmoid(V) * (zeta - gamma) + gamma, 0, 1), zeta =
 * 1.1, gamma = -0.1, V initialised so that h(V) equals the fractional part of W / s; the
 * regularizer sum(1 - |2 h(V) - 1|^beta) drives every h to 0 or 1, and {@link #finish} rounds up
 * where V >= 0.
 *
 * <p>The per-channel steps s and zero points z come from the layer's calibrated quantizer. With
 * {@code learnStep} (Genie-M) s is a leaf too, while floor(W / s) stays that of the initial step.
 */
public final class SoftRounding {

    static final double ZETA = 1.1;
    static final double GAMMA = -0.1;

    private final QLayer layer;
    private final int bits;
    private final QParams[] channels;
    private final NDArray floor;
    private final NDArray zero;
    private final NDArray step;
    private final NDArray v;
    private final float qmin;
    private final float qmax;

    /**
     * Starts learning the rounding of {@code layer}, whose weights must already carry calibrated
     * integer codes ({@link QLayer#quantized()}); arrays live on {@code manager}.
     */
    public SoftRounding(QLayer layer, boolean learnStep, NDManager manager) {
        WeightQuantizer.Quantized q = layer.calibrated();
        this.layer = layer;
        this.bits = layer.weightBits();
        this.channels = q.channels();
        float[] w = layer.weight().toFloatArray();
        int per = w.length / channels.length;
        float[] fl = new float[w.length];
        float[] init = new float[w.length];
        for (int c = 0; c < channels.length; c++) {
            for (int i = c * per; i < (c + 1) * per; i++) {
                double x = w[i] / (double) channels[c].scale();
                double f = Math.floor(x);
                fl[i] = (float) f;
                init[i] = (float) inverseRectifiedSigmoid(x - f);
            }
        }
        Shape shape = layer.weight().getShape();
        this.floor = manager.create(fl, shape);
        this.zero = manager.create(q.zeroPoints(), layer.channelShape());
        this.step = manager.create(q.scales(), layer.channelShape());
        this.v = manager.create(init, shape);
        this.qmin = channels[0].qmin();
        this.qmax = channels[0].qmax();
        v.setRequiresGradient(true);
        if (learnStep) {
            step.setRequiresGradient(true);
        }
    }

    /** V such that h(V) = rest: -log((zeta - gamma) / (rest - gamma) - 1). */
    static double inverseRectifiedSigmoid(double rest) {
        return -Math.log((ZETA - GAMMA) / (rest - GAMMA) - 1);
    }

    /** The soft rounding offsets h(V) in [0, 1]. */
    public NDArray h() {
        return Scalars.mul(Activation.sigmoid(v), ZETA - GAMMA).add(GAMMA).clip(0, 1);
    }

    /** The soft-quantized weight, on the autograd graph of V (and s when learned). */
    public NDArray softWeight() {
        return floor.add(h()).add(zero).clip(qmin, qmax).sub(zero).mul(step);
    }

    /** Makes the layer's forward use the current soft-quantized weight (call once per iteration). */
    public void install() {
        layer.setQuantizedWeight(softWeight(), bits);
    }

    /** sum(1 - |2 h(V) - 1|^beta), on the autograd graph of V. */
    public NDArray regularizer(double beta) {
        NDArray centred = Scalars.mul(h(), 2).sub(1).abs();
        return Scalars.pow(centred, beta).neg().add(1).sum();
    }

    /** The arrays to optimize: V, then the step if it is learned. */
    public List<NDArray> roundingLeaves() {
        return List.of(v);
    }

    /** The learned weight step, or an empty list. */
    public List<NDArray> stepLeaves() {
        List<NDArray> out = new ArrayList<>();
        if (step.hasGradient()) {
            out.add(step);
        }
        return out;
    }

    /**
     * Fixes the rounding (up where V >= 0) and installs the integer weights with their (possibly
     * learned) steps on {@code manager}.
     */
    public WeightQuantizer.Quantized finish(NDManager manager) {
        float[] fl = floor.toFloatArray();
        float[] vs = v.toFloatArray();
        float[] steps = step.toFloatArray();
        int per = fl.length / channels.length;
        int[] codes = new int[fl.length];
        QParams[] params = new QParams[channels.length];
        for (int c = 0; c < channels.length; c++) {
            QParams old = channels[c];
            params[c] = new QParams(Math.max(Math.abs(steps[c]), QParams.MIN_SCALE), old.zeroPoint(), old.qmin(),
                    old.qmax());
            for (int i = c * per; i < (c + 1) * per; i++) {
                int q = (int) fl[i] + (vs[i] >= 0 ? 1 : 0) + old.zeroPoint();
                codes[i] = Math.max(old.qmin(), Math.min(old.qmax(), q));
            }
        }
        WeightQuantizer.Quantized q = new WeightQuantizer.Quantized(codes, params);
        layer.setQuantized(q, bits, manager);
        return q;
    }
}
