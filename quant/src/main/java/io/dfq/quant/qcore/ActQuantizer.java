package io.dfq.quant.qcore;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.dfq.quant.nn.RandomMask;
import java.util.SplittableRandom;

/**
 * Per-tensor fake quantizer for a layer's input activation, calibrated in two passes over the
 * calibration set: first the exact range, then a histogram over that range; an {@link Observer}
 * then picks the quantization range from the histogram.
 *
 * <p>The forward uses a straight-through estimator (x + stopGradient(Q(x) - x)) so that the same
 * object serves reconstruction and training methods. Reconstruction methods may make the step
 * learnable ({@link #learnStep}, LSQ: Esser et al., ICLR 2020, as BRECQ uses it) and drop the
 * quantization of random elements ({@link #setDrop}, QDrop) until {@link #freezeStep}. An optional
 * {@link ActBorder} (AQuant) replaces round-to-nearest by a learned per-channel rounding border; an
 * {@link ActCodebook} (LQ-Nets, DIR-Net) replaces the uniform grid altogether.
 */
public final class ActQuantizer {

    /** What {@link #apply} does. */
    public enum Mode {
        /** Record min and max; pass through. */
        RANGE,
        /** Fill the histogram; pass through. */
        HISTOGRAM,
        /** Fake-quantize with the calibrated parameters. */
        QUANTIZE,
        /** Pass through. */
        OFF
    }

    private final int bits;
    private final boolean symmetric;
    private Mode mode = Mode.RANGE;
    private float min = Float.POSITIVE_INFINITY;
    private float max = Float.NEGATIVE_INFINITY;
    private Histogram histogram;
    private QParams params;
    private NDArray learnedStep;
    private double keep = 1;
    private SplittableRandom dropRandom;
    private ActBorder border;
    private ActCodebook codebook;

    public ActQuantizer(int bits, boolean symmetric) {
        this.bits = bits;
        this.symmetric = symmetric;
    }

    /** A quantizer that applies {@code codebook}, in QUANTIZE mode from the start. */
    public static ActQuantizer of(ActCodebook codebook) {
        ActQuantizer q = new ActQuantizer(codebook.bits(), false);
        q.codebook = codebook;
        q.mode = Mode.QUANTIZE;
        return q;
    }

    /** The non-uniform quantizer in use, or null (the uniform grid of {@link #params()}). */
    public ActCodebook codebook() {
        return codebook;
    }

    public int bits() {
        return bits;
    }

    public Mode mode() {
        return mode;
    }

    /** Switches mode; entering HISTOGRAM requires a recorded range. */
    public void setMode(Mode mode) {
        if (mode == Mode.HISTOGRAM) {
            if (min > max) {
                throw new IllegalStateException("no range recorded before the histogram pass");
            }
            histogram = new Histogram(min, max, Histogram.BINS);
        }
        if (mode == Mode.QUANTIZE && params == null && codebook == null) {
            throw new IllegalStateException("quantizer not calibrated");
        }
        this.mode = mode;
    }

    /** Chooses the quantization parameters with {@code observer} from the histogram. */
    public void calibrate(Observer observer) {
        if (histogram == null || histogram.total() == 0) {
            throw new IllegalStateException("no activations observed");
        }
        params = observer.qparams(histogram, bits, symmetric);
    }

    /** Sets the parameters directly (tests, loaders). */
    public void setParams(QParams params) {
        this.params = params;
    }

    /** The calibrated parameters, or null. */
    public QParams params() {
        return params;
    }

    /** The observed histogram (after the histogram pass), or null. */
    public Histogram histogram() {
        return histogram;
    }

    /** The rounding border in use, or null (round to nearest). */
    public ActBorder border() {
        return border;
    }

    /**
     * Rounds with {@code border} in QUANTIZE mode (learned while it is learning, else fixed); null
     * (the default) rounds to nearest.
     */
    public void setBorder(ActBorder border) {
        this.border = border;
    }

    /** Observes or fake-quantizes {@code x} according to the mode. */
    public NDArray apply(NDArray x) {
        switch (mode) {
            case RANGE -> {
                min = Math.min(min, x.min().getFloat());
                max = Math.max(max, x.max().getFloat());
                return x;
            }
            case HISTOGRAM -> {
                histogram.add(x.toFloatArray());
                return x;
            }
            case QUANTIZE -> {
                if (codebook != null) {
                    return codebook.apply(x);
                }
                if (learnedStep == null && (border == null || !border.learning())) {
                    return fakeQuantize(x, params, border);
                }
                return drop(x, learnedQuantize(x));
            }
            default -> {
                return x;
            }
        }
    }

    /**
     * Makes the step a leaf array (created on {@code manager}, initialised from the calibrated
     * parameters, zero point kept) that gradients reach through an LSQ forward: (clip(round_ste(x /
     * s) + z, qmin, qmax) - z) * s, round_ste passing gradients straight through.
     */
    public NDArray learnStep(NDManager manager) {
        if (params == null) {
            throw new IllegalStateException("quantizer not calibrated");
        }
        learnedStep = manager.create(params.scale());
        learnedStep.setRequiresGradient(true);
        return learnedStep;
    }

    /**
     * QDrop (Wei et al., ICLR 2022): while the step or the border is learned, each element keeps its
     * quantized value with probability {@code keep} and its full-precision value otherwise, drawn from
     * {@code rnd}; keep 1 (the default) quantizes everything.
     */
    public void setDrop(double keep, SplittableRandom rnd) {
        this.keep = keep;
        this.dropRandom = rnd;
    }

    /** Ends learning: the learned step and border become fixed, dropping stops. */
    public void freezeStep() {
        if (border != null) {
            border.freeze();
        }
        if (learnedStep != null) {
            float step = Math.max(Math.abs(learnedStep.getFloat()), QParams.MIN_SCALE);
            params = new QParams(step, params.zeroPoint(), params.qmin(), params.qmax());
            learnedStep = null;
        }
        keep = 1;
        dropRandom = null;
    }

    /** The LSQ forward with the learned step, or with the fixed one while only the border is learned. */
    private NDArray learnedQuantize(NDArray x) {
        NDArray step = learnedStep != null ? learnedStep : x.getManager().create(params.scale());
        NDArray v = x.div(step);
        NDArray rounded = border == null ? v.add(v.round().sub(v).stopGradient()) : border.roundStraightThrough(v);
        return rounded.add(params.zeroPoint()).clip(params.qmin(), params.qmax()).sub(params.zeroPoint())
                .mul(step);
    }

    private NDArray drop(NDArray x, NDArray quantized) {
        if (keep >= 1) {
            return quantized;
        }
        return quantized.sub(x).mul(RandomMask.bernoulli(x.getManager(), x.getShape(), keep, dropRandom)).add(x);
    }

    /** Fake quantization with a straight-through gradient. */
    public static NDArray fakeQuantize(NDArray x, QParams q) {
        return fakeQuantize(x, q, null);
    }

    /** Fake quantization rounding with {@code border} (null: to nearest), straight-through gradient. */
    private static NDArray fakeQuantize(NDArray x, QParams q, ActBorder border) {
        NDArray v = x.div(q.scale());
        NDArray y = (border == null ? v.round() : border.round(v)).add(q.zeroPoint()).clip(q.qmin(), q.qmax())
                .sub(q.zeroPoint()).mul(q.scale());
        return x.add(y.sub(x).stopGradient());
    }
}
