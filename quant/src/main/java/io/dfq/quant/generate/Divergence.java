package io.dfq.quant.generate;

/** Fails a synthesis whose objective became NaN or infinite, naming the method and iteration. */
final class Divergence {

    private Divergence() {}

    static void check(String method, int iteration, double loss) {
        if (!Double.isFinite(loss)) {
            throw new IllegalStateException(method + " diverged at iteration " + (iteration + 1) + ": loss " + loss);
        }
    }
}
