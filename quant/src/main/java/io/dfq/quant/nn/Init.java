package io.dfq.quant.nn;

import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;
import java.util.Random;

/**
 * Seeded parameter initializers that draw from a Java {@link Random} rather than the engine's
 * global generator, so that a network's initial weights depend only on its seed, whatever other
 * trials run in the same process.
 */
public final class Init {

    private Init() {}

    /** Kaiming-normal (fan-in, ReLU gain) weights: N(0, 2 / fanIn). */
    public static Initializer kaimingNormal(Random rnd) {
        return (manager, shape, type) -> {
            long fanIn = shape.size() / shape.get(0);
            double std = Math.sqrt(2.0 / fanIn);
            return manager.create(gaussian(rnd, shape, std), shape);
        };
    }

    /** Uniform in [-1/sqrt(fanIn), 1/sqrt(fanIn)] (PyTorch's default for linear layers). */
    public static Initializer fanInUniform(Random rnd) {
        return (manager, shape, type) -> {
            long fanIn = shape.dimension() > 1 ? shape.size() / shape.get(0) : shape.size();
            double bound = 1.0 / Math.sqrt(fanIn);
            float[] v = new float[(int) shape.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
            }
            return manager.create(v, shape);
        };
    }

    /** Gaussian floats of the given shape. */
    public static float[] gaussian(Random rnd, Shape shape, double std) {
        float[] v = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * std);
        }
        return v;
    }
}
