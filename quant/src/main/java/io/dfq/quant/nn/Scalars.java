package io.dfq.quant.nn;

import ai.djl.ndarray.NDArray;

/**
 * Arithmetic with a constant that is safe on the autograd graph (use it for every constant inside
 * {@link Autograd#record()}).
 *
 * <p>DJL's {@code mul(Number)} and {@code div(Number)} wrap the constant in an array backed by a
 * direct buffer and close that array as soon as the product exists, while the recorded graph keeps
 * the constant for the backward pass: a garbage collection between forward and backward frees the
 * buffer, and the gradient then reads freed memory (seen here: run-to-run differences for a fixed
 * seed, and NaN). The constant made here is an ordinary array of {@code x}'s manager, closed with the
 * enclosing {@link ai.djl.ndarray.NDScope} (or manager), after backward.
 */
public final class Scalars {

    private Scalars() {}

    /** {@code x * c}, with {@code c} kept alive for the backward pass. */
    public static NDArray mul(NDArray x, double c) {
        return x.mul(constant(x, c));
    }

    /** {@code x + c}, with {@code c} kept alive for the backward pass. */
    public static NDArray add(NDArray x, double c) {
        return x.add(constant(x, c));
    }

    /** {@code x / c}, with {@code c} kept alive for the backward pass. */
    public static NDArray div(NDArray x, double c) {
        return x.div(constant(x, c));
    }

    /** {@code max(x, c)} elementwise, with {@code c} kept alive for the backward pass. */
    public static NDArray max(NDArray x, double c) {
        return x.maximum(constant(x, c));
    }

    /** {@code x ^ c} elementwise, with {@code c} kept alive for the backward pass. */
    public static NDArray pow(NDArray x, double c) {
        return x.pow(constant(x, c));
    }

    /**
     * {@code x} in the forward, its gradient multiplied by {@code g} in the backward: LSQ's gradient
     * scaling of a learned quantizer parameter (Esser et al., ICLR 2020).
     */
    public static NDArray gradScaled(NDArray x, double g) {
        NDArray scaled = mul(x, g);
        return scaled.add(x.sub(scaled).stopGradient());
    }

    private static NDArray constant(NDArray x, double c) {
        return x.getManager().create((float) c);
    }
}
