package io.dfq.quant.qcore;

/**
 * The parameters of one uniform affine quantizer: x_q = clamp(round(x / scale) + zeroPoint, qmin,
 * qmax), x_hat = (x_q - zeroPoint) * scale. Rounding is half-to-even, as {@code torch.round}.
 *
 * <p>Ranges are widened to include zero so that zero is exactly representable (padding, ReLU
 * outputs). Asymmetric: unsigned codes [0, 2^b - 1] with a zero point. Symmetric: zero point 0,
 * unsigned codes [0, 2^b - 1] when the range is non-negative, else signed [-2^(b-1), 2^(b-1) - 1]
 * with scale max|x| / (2^(b-1) - 1).
 */
public record QParams(float scale, int zeroPoint, int qmin, int qmax) {

    /** Smallest scale used, so that an all-zero range still quantizes. */
    public static final float MIN_SCALE = 1e-8f;

    /** The quantizer covering [lo, hi] (widened to include 0) with {@code bits} bits. */
    public static QParams fromRange(float lo, float hi, int bits, boolean symmetric) {
        if (bits < 1 || bits > 16) {
            throw new IllegalArgumentException("bits must be in [1, 16], got " + bits);
        }
        if (!Float.isFinite(lo) || !Float.isFinite(hi) || lo > hi) {
            throw new IllegalArgumentException("invalid range [" + lo + ", " + hi + "]");
        }
        float min = Math.min(lo, 0f);
        float max = Math.max(hi, 0f);
        int levels = (1 << bits) - 1;
        if (symmetric) {
            if (min >= 0) {
                return new QParams(Math.max(max / levels, MIN_SCALE), 0, 0, levels);
            }
            int qmax = (1 << (bits - 1)) - 1;
            float absMax = Math.max(-min, max);
            return new QParams(Math.max(absMax / Math.max(qmax, 1), MIN_SCALE), 0, -(1 << (bits - 1)), qmax);
        }
        float scale = Math.max((max - min) / levels, MIN_SCALE);
        int zp = (int) Math.rint(-min / scale);
        zp = Math.max(0, Math.min(levels, zp));
        return new QParams(scale, zp, 0, levels);
    }

    /** The integer code of {@code x}. */
    public int quantize(float x) {
        double q = Math.rint(x / scale) + zeroPoint;
        return (int) Math.max(qmin, Math.min(qmax, q));
    }

    /** The value an integer code stands for. */
    public float dequantize(int q) {
        return (q - zeroPoint) * scale;
    }

    /** Quantize then dequantize. */
    public float fakeQuantize(float x) {
        return dequantize(quantize(x));
    }

    /** The smallest and largest representable values. */
    public float[] representableRange() {
        return new float[] {dequantize(qmin), dequantize(qmax)};
    }
}
