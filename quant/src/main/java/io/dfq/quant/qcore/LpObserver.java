package io.dfq.quant.qcore;

/**
 * Searches the clipping range that minimizes the Lp norm of the quantization error, sum_i w_i
 * |x_i - Q(x_i)|^p, over the candidates [a * min, a * max] for a = 1/steps ... 1 (the Lp / MSE
 * clipping search of BRECQ and the PTQ line; p = 2 is plain MSE, p = 2.4 the PTQ weight default).
 */
public final class LpObserver implements Observer {

    /** Number of candidate clipping ratios. */
    public static final int STEPS = 100;

    private final double p;

    public LpObserver(double p) {
        if (!(p > 0)) {
            throw new IllegalArgumentException("p must be positive, got " + p);
        }
        this.p = p;
    }

    @Override
    public float[] range(Distribution values, int bits, boolean symmetric) {
        float min = values.min();
        float max = values.max();
        float[] best = {min, max};
        double bestError = Double.POSITIVE_INFINITY;
        for (int s = STEPS; s >= 1; s--) {
            float a = (float) s / STEPS;
            double error = error(values, QParams.fromRange(a * min, a * max, bits, symmetric));
            if (error < bestError) {
                bestError = error;
                best = new float[] {a * min, a * max};
            }
        }
        return best;
    }

    /** The weighted Lp error of quantizing {@code values} with {@code q}. */
    public double error(Distribution values, QParams q) {
        double sum = 0;
        for (int i = 0; i < values.points(); i++) {
            double w = values.weight(i);
            if (w > 0) {
                float v = values.value(i);
                sum += w * Math.pow(Math.abs(v - q.fakeQuantize(v)), p);
            }
        }
        return sum;
    }
}
