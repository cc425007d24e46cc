package io.dfq.quant.qcore;

/**
 * Clips to the [100 - p, p] percentiles of the observed values, discarding rare outliers (a fixed
 * clipping rule, as opposed to {@link LpObserver}'s search).
 */
public final class PercentileObserver implements Observer {

    private final double percentile;

    /** @param percentile the upper percentile in (50, 100], e.g. 99.99 */
    public PercentileObserver(double percentile) {
        if (!(percentile > 50 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile must be in (50, 100], got " + percentile);
        }
        this.percentile = percentile;
    }

    @Override
    public float[] range(Distribution values, int bits, boolean symmetric) {
        double q = percentile / 100.0;
        return new float[] {(float) values.quantile(1 - q), (float) values.quantile(q)};
    }
}
