package io.dfq.quant.generate;

/**
 * PyTorch's {@code ReduceLROnPlateau} in "min" mode with its defaults (factor 0.1, relative
 * threshold 1e-4): the learning rate drops tenfold when the loss has not improved for {@code
 * patience} steps, never below {@code minLr}.
 */
public final class Plateau {

    private static final double FACTOR = 0.1;
    private static final double THRESHOLD = 1e-4;

    private final int patience;
    private final double minLr;
    private double lr;
    private double best = Double.POSITIVE_INFINITY;
    private int bad;

    /** Starts at {@code lr}; drops after {@code patience} steps without improvement, to {@code minLr} at least. */
    public Plateau(double lr, int patience, double minLr) {
        this.lr = lr;
        this.patience = patience;
        this.minLr = minLr;
    }

    /** The learning rate of the next step. */
    public double current() {
        return lr;
    }

    /** Records the loss of a step (PyTorch's {@code scheduler.step(loss)}). */
    public void observe(double loss) {
        if (loss < best * (1 - THRESHOLD)) {
            best = loss;
            bad = 0;
        } else if (++bad > patience) {
            lr = Math.max(lr * FACTOR, minLr);
            bad = 0;
        }
    }
}
