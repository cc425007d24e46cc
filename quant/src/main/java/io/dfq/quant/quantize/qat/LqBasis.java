package io.dfq.quant.quantize.qat;

import java.util.Arrays;

/**
 * LQ-Nets' learned quantizer of one group of values (Zhang, Yang, Ye, Hua, "LQ-Nets: Learned
 * Quantization for Highly Accurate and Compact Deep Neural Networks", ECCV 2018), as the reference
 * code (microsoft/LQ-Nets) computes it: a K-bit value is basis^T code, codes in {-1, +1}^K for
 * weights and {0, 1}^K for activations, so the 2^K levels are non-uniform and learned. Encoding
 * takes the nearest level (sorted levels, midpoint thresholds, strictly greater goes up). Each
 * training step makes one quantization-error-minimization step: the least-squares basis for the
 * current codes, (B^T B + eps I)^-1 (B^T x + eps v) with eps 1e-4 (pulled toward the current basis),
 * averaged into the basis by an exponential moving average (0.9) with TensorFlow's zero debiasing,
 * so that after the first step the basis is that step's solution.
 *
 * <p>Initial bases as the reference code: weights v_j = 2^j * 0.6745 * sqrt(2 / n) / 2^(K-1) (n the
 * fan-out, He's standard deviation), activations v_j = 2^j * 0.6745 * 2 / (2^K - 1) (uniform levels
 * 0 .. 1.349).
 */
public final class LqBasis {

    static final double MOMENTUM = 0.9;
    static final double EPS = 1e-4;
    private static final double PPF_75 = 0.6745;

    private final int bits;
    private final boolean signed;
    private final double[] basis;
    private final double[] biased;
    private int updates;

    private LqBasis(int bits, boolean signed, double[] basis) {
        if (bits < 1 || bits > 8) {
            throw new IllegalArgumentException("LQ-Nets bits must be in [1, 8], got " + bits);
        }
        this.bits = bits;
        this.signed = signed;
        this.basis = basis;
        this.biased = new double[bits];
    }

    /** A weight basis (codes +-1) for a layer of fan-out {@code fanOut}. */
    public static LqBasis forWeights(int bits, long fanOut) {
        double base = PPF_75 * Math.sqrt(2.0 / fanOut) / (1 << (bits - 1));
        double[] v = new double[bits];
        for (int j = 0; j < bits; j++) {
            v[j] = base * (1 << j);
        }
        return new LqBasis(bits, true, v);
    }

    /** An activation basis (codes 0/1). */
    public static LqBasis forActivations(int bits) {
        double base = PPF_75 * 2 / ((1 << bits) - 1);
        double[] v = new double[bits];
        for (int j = 0; j < bits; j++) {
            v[j] = base * (1 << j);
        }
        return new LqBasis(bits, false, v);
    }

    /** The current basis. */
    public double[] basis() {
        return basis.clone();
    }

    /** Bit j of level index i as a code: +-1 (weights) or 0/1 (activations). */
    private double code(int i, int j) {
        boolean set = ((i >> j) & 1) == 1;
        return signed ? (set ? 1 : -1) : (set ? 1 : 0);
    }

    /** The value of level index i (unsorted): basis^T code(i). */
    public double level(int i) {
        double v = 0;
        for (int j = 0; j < bits; j++) {
            v += basis[j] * code(i, j);
        }
        return v;
    }

    /** For each of {@code x}, the index of its nearest level (ties between two levels go down). */
    public int[] encode(float[] x) {
        int n = 1 << bits;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(level(a), level(b)));
        double[] thresholds = new double[n - 1];
        for (int i = 0; i < n - 1; i++) {
            thresholds[i] = (level(order[i]) + level(order[i + 1])) / 2;
        }
        int[] out = new int[x.length];
        for (int k = 0; k < x.length; k++) {
            int pos = 0;
            while (pos < n - 1 && x[k] > thresholds[pos]) {
                pos++;
            }
            out[k] = order[pos];
        }
        return out;
    }

    /** The quantized values of {@code x}. */
    public float[] quantize(float[] x) {
        int[] idx = encode(x);
        float[] out = new float[x.length];
        for (int k = 0; k < x.length; k++) {
            out[k] = (float) level(idx[k]);
        }
        return out;
    }

    /** One QEM step on the values {@code x}: the least-squares basis of their codes, averaged in. */
    public void update(float[] x) {
        int[] idx = encode(x);
        double[][] a = new double[bits][bits + 1];
        for (int k = 0; k < x.length; k++) {
            for (int r = 0; r < bits; r++) {
                double br = code(idx[k], r);
                for (int c = 0; c < bits; c++) {
                    a[r][c] += br * code(idx[k], c);
                }
                a[r][bits] += br * x[k];
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
            basis[j] = biased[j] / debias;
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
