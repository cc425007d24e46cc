package io.dfq.quant.train;

/**
 * The one-cycle learning-rate schedule with PyTorch's {@code OneCycleLR} defaults: cosine warm-up
 * from max/25 to max over the first 30% of steps, then cosine annealing to max/25/1e4.
 */
public record OneCycle(double maxLr, long totalSteps) {

    private static final double PCT_START = 0.3;
    private static final double DIV = 25;
    private static final double FINAL_DIV = 1e4;

    /** The learning rate at step {@code step} (0-based). */
    public double lr(long step) {
        double initial = maxLr / DIV;
        double last = initial / FINAL_DIV;
        double warm = PCT_START * totalSteps - 1;
        if (step <= warm) {
            return cosine(initial, maxLr, warm <= 0 ? 1 : step / warm);
        }
        double rest = totalSteps - 1 - warm;
        return cosine(maxLr, last, rest <= 0 ? 1 : (step - warm) / rest);
    }

    private static double cosine(double from, double to, double pct) {
        return to + (from - to) / 2 * (Math.cos(Math.PI * Math.min(1, pct)) + 1);
    }
}
