package io.dfq.quant.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import io.dfq.quant.nn.Adam;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.nn.Divergence;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.Params;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The optimization loop of the pixel-space generators (ZeroQ and its successors), written once:
 * Adam on the pixels with PyTorch's ReduceLROnPlateau (parameters {@code lr}, {@code patience},
 * {@code min_lr}, {@code iters}), one {@link NDScope} per iteration so every temporary is closed,
 * the objective (augmentation included) recorded on the calling thread only, and a NaN or
 * infinite loss reported with its method and iteration.
 */
final class PixelOptimization {

    /** One iteration's loss, built inside the recording scope. */
    @FunctionalInterface
    interface Objective {
        NDArray loss(int iteration);
    }

    private PixelOptimization() {}

    /**
     * The schedule parameters of a pixel-space generator ({@code iters}, {@code lr} 0.5, {@code
     * batch}, {@code patience}, {@code min_lr} 1e-4) with the method's own defaults, followed by
     * {@code own}, the method's loss weights and switches.
     */
    static List<ParamSpec> params(int iters, int batch, int minBatch, int patience, ParamSpec... own) {
        List<ParamSpec> out = new ArrayList<>(List.of(
                ParamSpec.integer("iters", iters, 1, 100000, "Adam iterations per batch"),
                ParamSpec.real("lr", 0.5, 1e-6, 10, "Adam learning rate"),
                ParamSpec.integer("batch", batch, minBatch, 4096, "images optimized together"),
                ParamSpec.integer("patience", patience, 1, 100000, "plateau patience (iterations)"),
                ParamSpec.real("min_lr", 1e-4, 0, 10, "plateau learning-rate floor")));
        out.addAll(List.of(own));
        return out;
    }

    /** Optimizes the leaf {@code x} in place; {@code value} reads the scalar to watch from the loss. */
    static void run(String method, NDArray x, Params p, Objective objective, ToDoubleFunction<NDArray> value) {
        Plateau lr = new Plateau(p.getDouble("lr"), p.getInt("patience"), p.getDouble("min_lr"));
        try (Adam adam = new Adam(List.of(x))) {
            for (int it = 0; it < p.getInt("iters"); it++) {
                try (NDScope step = new NDScope()) {
                    step.suppressNotUsedWarning();
                    double v;
                    try (Autograd g = Autograd.record()) {
                        NDArray loss = objective.loss(it);
                        v = value.applyAsDouble(loss);
                        Divergence.check(method, it, v);
                        g.backward(loss);
                    }
                    adam.step(lr.current());
                    lr.observe(v);
                }
            }
        }
    }
}
