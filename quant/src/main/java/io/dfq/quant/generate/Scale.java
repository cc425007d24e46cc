package io.dfq.quant.generate;

import ai.djl.ndarray.NDArray;

/**
 * Multiplication by a constant that is safe on the autograd graph.
 *
 * <p>DJL's {@code mul(Number)} and {@code div(Number)} wrap the constant in an array backed by a
 * direct buffer and close that array as soon as the product exists, while the recorded graph keeps
 * the constant for the backward pass: a garbage collection between forward and backward frees the
 * buffer, and the gradient then reads freed memory (seen here: run-to-run differences for a fixed
 * seed, and NaN). The constant made here is an ordinary array of {@code x}'s manager, closed with the
 * enclosing {@link ai.djl.ndarray.NDScope} (or manager), after backward.
 */
final class Scale {

    private Scale() {}

    /** {@code x * c}, with {@code c} kept alive for the backward pass. */
    static NDArray by(NDArray x, double c) {
        return x.mul(x.getManager().create((float) c));
    }
}
