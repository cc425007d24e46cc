package io.dfq.quant.generate;

/**
 * PyTorch's {@code ReduceLROnPlateau} in "min" mode with its defaults (factor 0.1, relative
 * threshold 1e-4): the learning rate drops tenfold when the loss has not improved for {@code
 * patience} steps, never below {@code minLr}.
 */
final class Plateau {

    private static final double FACTOR = 0.1;
    private static final double THRESHOLD = 1e-4;

    private final int patience;
    private final double minLr;
    private double lr;
    private double best = Double.POSITIVE_INFINITY;
    private int bad;

    Plateau(double lr, int patience, double minLr) {
        this.lr = lr;
        this.patience = patience;
        this.minLr = minLr;
    }

    double current() {
        return lr;
    }

    void observe(double loss) {
        if (loss < best * (1 - THRESHOLD)) {
            best = loss;
            bad = 0;
        } else if (++bad > patience) {
            lr = Math.max(lr * FACTOR, minLr);
            bad = 0;
        }
    }
}
