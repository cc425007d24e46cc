package io.dfq.quant.qcore;

import ai.djl.ndarray.NDArray;

/**
 * Per-tensor fake quantizer for a layer's input activation, calibrated in two passes over the
 * calibration set: first the exact range, then a histogram over that range; an {@link Observer}
 * then picks the quantization range from the histogram.
 *
 * <p>The forward uses a straight-through estimator (x + stopGradient(Q(x) - x)) so that the same
 * object serves reconstruction and training methods.
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

    public ActQuantizer(int bits, boolean symmetric) {
        this.bits = bits;
        this.symmetric = symmetric;
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
        if (mode == Mode.QUANTIZE && params == null) {
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
                return fakeQuantize(x, params);
            }
            default -> {
                return x;
            }
        }
    }

    /** Fake quantization with a straight-through gradient. */
    public static NDArray fakeQuantize(NDArray x, QParams q) {
        NDArray y = x.div(q.scale()).round().add(q.zeroPoint()).clip(q.qmin(), q.qmax())
                .sub(q.zeroPoint()).mul(q.scale());
        return x.add(y.sub(x).stopGradient());
    }
}
