package io.dfq.quant.qcore;

/**
 * A fixed-range histogram of activation values, filled over the whole calibration set.
 *
 * <p>Keeping every activation of 1024 images would take gigabytes; a histogram over the exact
 * range seen in a first pass keeps memory constant and lets percentile and Lp searches use all
 * data, deterministically.
 */
public final class Histogram implements Distribution {

    /** Default resolution (as torch's HistogramObserver). */
    public static final int BINS = 2048;

    private final float lo;
    private final float hi;
    private final double[] counts;
    private final float width;
    private long total;

    /** An empty histogram over [lo, hi]. */
    public Histogram(float lo, float hi, int bins) {
        if (!(hi >= lo)) {
            throw new IllegalArgumentException("invalid histogram range [" + lo + ", " + hi + "]");
        }
        this.lo = lo;
        this.hi = hi;
        this.counts = new double[bins];
        this.width = hi > lo ? (hi - lo) / bins : 0f;
    }

    /** Adds values (values outside the range go to the end bins). */
    public void add(float[] values) {
        int last = counts.length - 1;
        for (float v : values) {
            int b = width == 0f ? 0 : (int) ((v - lo) / width);
            counts[b < 0 ? 0 : Math.min(b, last)]++;
        }
        total += values.length;
    }

    /** Number of values added. */
    public long total() {
        return total;
    }

    @Override
    public float min() {
        return lo;
    }

    @Override
    public float max() {
        return hi;
    }

    @Override
    public int points() {
        return counts.length;
    }

    /** The centre of bin {@code i}. */
    @Override
    public float value(int i) {
        return lo + (i + 0.5f) * width;
    }

    @Override
    public double weight(int i) {
        return counts[i];
    }

    /** Interpolates linearly inside the bin where the cumulative count crosses q * total. */
    @Override
    public double quantile(double q) {
        double target = q * total;
        double cum = 0;
        for (int i = 0; i < counts.length; i++) {
            if (cum + counts[i] >= target && counts[i] > 0) {
                double frac = (target - cum) / counts[i];
                return lo + (i + frac) * width;
            }
            cum += counts[i];
        }
        return hi;
    }
}
