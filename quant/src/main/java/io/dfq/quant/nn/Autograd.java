package io.dfq.quant.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

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

    private Autograd(boolean enabled) {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(enabled);
    }

    /** Starts recording operations on the calling thread. */
    public static Autograd record() {
        return new Autograd(true);
    }

    /**
     * Stops recording on the calling thread until closed. LibTorch starts every new thread with
     * recording on (DJL turns it off only on the thread that starts the engine), so a trial on a
     * worker thread runs inside this scope and records only inside {@link #record()}. The engine
     * must be loaded first (create an {@code NDManager} before opening this scope).
     */
    public static Autograd off() {
        return new Autograd(false);
    }

    /** Back-propagates the scalar {@code loss}; gradients accumulate into the leaves. */
    public void backward(NDArray loss) {
        try (NDArray seed = loss.onesLike()) {
            JniUtils.backward((PtNDArray) loss, (PtNDArray) seed, false, false);
        }
    }

    /** Runs {@code body} with gradient recording off on this thread (evaluation). */
    public static <T> T noGrad(Supplier<T> body) {
        try (Autograd ignored = off()) {
            return body.get();
        }
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
