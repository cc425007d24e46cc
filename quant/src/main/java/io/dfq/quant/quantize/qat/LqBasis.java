package io.dfq.quant.quantize.qat;

import java.util.stream.IntStream;

/**
 * LQ-Nets' learned quantizer of one group of values (Zhang, Yang, Ye, Hua, "LQ-Nets: Learned
 * Quantization for Highly Accurate and Compact Deep Neural Networks", ECCV 2018), as the reference
 * code (microsoft/LQ-Nets) computes it: a K-bit value is basis^T code, codes in {-1, +1}^K (signed
 * values: weights) or {0, 1}^K (non-negative values: activations after ReLU), so the 2^K levels are
 * non-uniform and learned. Encoding takes the nearest level (sorted levels, midpoint thresholds,
 * strictly greater goes up). Each training step makes one quantization-error-minimization step: the
 * least-squares basis for the current codes, (B^T B + eps I)^-1 (B^T x + eps v) with eps 1e-4
 * (pulled toward the current basis), averaged into the basis by an exponential moving average (0.9)
 * with TensorFlow's zero debiasing, so that after the first step the basis is that step's solution.
 *
 * <p>The reference code starts from He-initialised weights and a fixed activation grid; we fine-tune
 * a trained network, so a basis starts as the uniform grid of a calibrated step ({@link #uniform}):
 * v_j = 2^j * step for {0, 1} codes (levels 0 .. (2^K - 1) step), v_j = 2^(j-1) * step for +-1 codes
 * (levels symmetric around 0, step apart). The basis is kept in single precision, the precision of
 * the stored model, so that a stored model computes exactly what was trained.
 */
public final class LqBasis {

    static final double MOMENTUM = 0.9;
    static final double EPS = 1e-4;

    private final int bits;
    private final boolean signed;
    private final float[] basis;
    private final double[] biased;
    private int updates;

    private LqBasis(int bits, boolean signed, float[] basis) {
        if (bits < 1 || bits > 8) {
            throw new IllegalArgumentException("LQ-Nets bits must be in [1, 8], got " + bits);
        }
        if (basis.length != bits) {
            throw new IllegalArgumentException(basis.length + " basis values for " + bits + " bits");
        }
        this.bits = bits;
        this.signed = signed;
        this.basis = basis;
        this.biased = new double[bits];
    }

    /** The uniform grid of {@code step}: codes +-1 ({@code signed}) or 0/1. */
    public static LqBasis uniform(int bits, boolean signed, double step) {
        float[] v = new float[bits];
        for (int j = 0; j < bits; j++) {
            v[j] = (float) (step * (1 << j) / (signed ? 2 : 1));
        }
        return new LqBasis(bits, signed, v);
    }

    /** A basis with the given values (a stored model's). */
    public static LqBasis of(boolean signed, float[] basis) {
        return new LqBasis(basis.length, signed, basis.clone());
    }

    public int bits() {
        return bits;
    }

    /** Whether codes are +-1 (else 0/1). */
    public boolean signed() {
        return signed;
    }

    /** The current basis. */
    public float[] basis() {
        return basis.clone();
    }

    /** Bit j of level index i as a code: +-1 (signed) or 0/1. */
    private double code(int i, int j) {
        boolean set = ((i >> j) & 1) == 1;
        return signed ? (set ? 1 : -1) : (set ? 1 : 0);
    }

    /** The value of level index i (unsorted): basis^T code(i), in single precision. */
    public float level(int i) {
        double v = 0;
        for (int j = 0; j < bits; j++) {
            v += basis[j] * code(i, j);
        }
        return (float) v;
    }

    /** Every level, by index (the index's bits are the binary code). */
    public float[] levels() {
        float[] out = new float[1 << bits];
        for (int i = 0; i < out.length; i++) {
            out[i] = level(i);
        }
        return out;
    }

    /** The level indices in ascending order of their values. */
    private int[] order() {
        return IntStream.range(0, 1 << bits).boxed()
                .sorted((a, b) -> Float.compare(level(a), level(b))).mapToInt(Integer::intValue).toArray();
    }

    /** The levels in ascending order. */
    public float[] sortedLevels() {
        int[] order = order();
        float[] out = new float[order.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = level(order[i]);
        }
        return out;
    }

    /** For each of {@code x}, the index of its nearest level (ties between two levels go down). */
    public int[] encode(float[] x) {
        int[] order = order();
        float[] sorted = sortedLevels();
        float[] thresholds = new float[sorted.length - 1];
        for (int i = 0; i < thresholds.length; i++) {
            thresholds[i] = (sorted[i] + sorted[i + 1]) / 2;
        }
        int[] out = new int[x.length];
        for (int k = 0; k < x.length; k++) {
            int lo = 0; // the number of thresholds strictly below x[k]
            int hi = thresholds.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (x[k] > thresholds[mid]) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            out[k] = order[lo];
        }
        return out;
    }

    /** The quantized values of {@code x}. */
    public float[] quantize(float[] x) {
        return values(encode(x));
    }

    /**
     * A training step's order in one pass: the quantized values of {@code x} with the current basis,
     * then one QEM step on {@code x} and those codes.
     */
    public float[] quantizeAndUpdate(float[] x) {
        int[] idx = encode(x);
        float[] out = values(idx);
        update(x, idx);
        return out;
    }

    private float[] values(int[] idx) {
        float[] levels = levels();
        float[] out = new float[idx.length];
        for (int k = 0; k < idx.length; k++) {
            out[k] = levels[idx[k]];
        }
        return out;
    }

    /** One QEM step on the values {@code x}: the least-squares basis of their codes, averaged in. */
    public void update(float[] x) {
        update(x, encode(x));
    }

    private void update(float[] x, int[] idx) {
        int n = 1 << bits;
        double[] count = new double[n];
        double[] sum = new double[n];
        for (int k = 0; k < x.length; k++) {
            count[idx[k]]++;
            sum[idx[k]] += x[k];
        }
        update(count, sum);
    }

    /**
     * One QEM step from the statistics of the values' encoding with the current basis: per level in
     * ascending order ({@link #sortedLevels()}), how many values took it and their sum.
     */
    public void updateSorted(double[] count, double[] sum) {
        int[] order = order();
        double[] byIndexCount = new double[order.length];
        double[] byIndexSum = new double[order.length];
        for (int k = 0; k < order.length; k++) {
            byIndexCount[order[k]] = count[k];
            byIndexSum[order[k]] = sum[k];
        }
        update(byIndexCount, byIndexSum);
    }

    /** The QEM step given, per level index, how many values took it and their sum (B^T B and B^T x). */
    private void update(double[] count, double[] sum) {
        int n = 1 << bits;
        double[][] a = new double[bits][bits + 1];
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < bits; r++) {
                double br = code(i, r);
                for (int c = 0; c < bits; c++) {
                    a[r][c] += count[i] * br * code(i, c);
                }
                a[r][bits] += br * sum[i];
            }
        }
        for (int r = 0; r < bits; r++) {
            a[r][r] += EPS;
            a[r][bits] += EPS * basis[r];
        }
        double[] solution = solve(a);
        updates++;
        double debias = 1 - Math.pow(MOMENTUM, updates);
        for (int j = 0; j < bits; j++) {
            biased[j] = MOMENTUM * biased[j] + (1 - MOMENTUM) * solution[j];
            basis[j] = (float) (biased[j] / debias);
        }
    }

    /** Sum of squared quantization errors of {@code x}. */
    public double error(float[] x) {
        float[] q = quantize(x);
        double e = 0;
        for (int k = 0; k < x.length; k++) {
            e += (x[k] - q[k]) * (double) (x[k] - q[k]);
        }
        return e;
    }

    /** Gauss-Jordan elimination with partial pivoting of the augmented system {@code a} (K x K+1). */
    private static double[] solve(double[][] a) {
        int n = a.length;
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            double[] t = a[col];
            a[col] = a[pivot];
            a[pivot] = t;
            for (int r = 0; r < n; r++) {
                if (r != col) {
                    double f = a[r][col] / a[col][col];
                    for (int c = col; c <= n; c++) {
                        a[r][c] -= f * a[col][c];
                    }
                }
            }
        }
        double[] x = new double[n];
        for (int r = 0; r < n; r++) {
            x[r] = a[r][n] / a[r][r];
        }
        return x;
    }
}
