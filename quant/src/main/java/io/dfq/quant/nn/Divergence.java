package io.dfq.quant.nn;

/**
 * Fails an optimization (synthesis, reconstruction, training) whose objective became NaN or
 * infinite, naming what diverged (method, block) and the iteration.
 */
public final class Divergence {

    private Divergence() {}

    /** Throws when {@code loss} is not finite; {@code what} names the method and, if any, the block. */
    public static void check(String what, int iteration, double loss) {
        if (!Double.isFinite(loss)) {
            throw new IllegalStateException(what + " diverged at iteration " + (iteration + 1) + ": loss " + loss);
        }
    }
}
