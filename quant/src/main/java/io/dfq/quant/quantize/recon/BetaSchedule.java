package io.dfq.quant.quantize.recon;

/**
 * AdaRound's annealing of the rounding regularizer's exponent (Nagel et al., ICML 2020; BRECQ's
 * {@code LinearTempDecay}): no regularization during the first {@code warmup} fraction of the
 * iterations, then beta decays linearly from {@code start} to {@code end}.
 *
 * @param iterations total iterations
 * @param warmup fraction of iterations without the regularizer
 * @param start beta when the regularizer starts
 * @param end beta at the last iteration
 */
public record BetaSchedule(int iterations, double warmup, double start, double end) {

    public BetaSchedule {
        if (iterations < 1 || warmup < 0 || warmup >= 1) {
            throw new IllegalArgumentException("need iterations >= 1 and warmup in [0, 1), got "
                    + iterations + ", " + warmup);
        }
    }

    /** The first iteration (0-based) that carries the regularizer. */
    public int warmupIterations() {
        return (int) (warmup * iterations);
    }

    /** Whether iteration {@code t} (0-based) adds the rounding regularizer. */
    public boolean regularizes(int t) {
        return t >= warmupIterations();
    }

    /** Beta at iteration {@code t}: start at the end of warm-up, end at the last iteration. */
    public double beta(int t) {
        int from = warmupIterations();
        double rel = (double) (t - from) / Math.max(1, iterations - from);
        return end + (start - end) * Math.max(0.0, 1 - rel);
    }
}
