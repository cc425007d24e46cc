package io.dfq.quant.qcore;

import java.util.Arrays;

/** The exact values of a small tensor (a weight channel) as a {@link Distribution}. */
public final class Values implements Distribution {

    private final float[] sorted;

    /** Copies and sorts {@code values[from, to)}; the range must not be empty. */
    public Values(float[] values, int from, int to) {
        if (to <= from) {
            throw new IllegalArgumentException("no values");
        }
        sorted = Arrays.copyOfRange(values, from, to);
        Arrays.sort(sorted);
    }

    public Values(float[] values) {
        this(values, 0, values.length);
    }

    @Override
    public float min() {
        return sorted[0];
    }

    @Override
    public float max() {
        return sorted[sorted.length - 1];
    }

    @Override
    public int points() {
        return sorted.length;
    }

    @Override
    public float value(int i) {
        return sorted[i];
    }

    @Override
    public double weight(int i) {
        return 1;
    }

    /** Linear interpolation between order statistics (numpy's default). */
    @Override
    public double quantile(double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
