package io.dfq.quant.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * A gradient-recording scope for the calling thread.
 *
 * <p>DJL's {@code PtGradientCollector} allows one collector per process (a static flag), which
 * would serialize every worker slot of a sweep. LibTorch's grad mode is thread-local, so this scope
 * switches it on for the current thread only and runs backward directly; several trials can then
 * train at once in one JVM.
 */
public final class Autograd implements AutoCloseable {

    private final boolean previous;

    private Autograd() {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
    }

    /** Starts recording operations on the calling thread. */
    public static Autograd record() {
        return new Autograd();
    }

    /** Back-propagates the scalar {@code loss}; gradients accumulate into the leaves. */
    public void backward(NDArray loss) {
        try (NDArray seed = loss.onesLike()) {
            JniUtils.backward((PtNDArray) loss, (PtNDArray) seed, false, false);
        }
    }

    /** Runs {@code body} with gradient recording off on this thread (evaluation). */
    public static <T> T noGrad(java.util.function.Supplier<T> body) {
        boolean prev = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return body.get();
        } finally {
            JniUtils.setGradMode(prev);
        }
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
