package io.dfq.quant.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * Bernoulli masks drawn on the Java side from a seeded {@link SplittableRandom}, so that QDrop's
 * per-element choices are reproducible per trial and independent of LibTorch's process-wide
 * generator (shared by every worker thread). A probability of 1/2 takes 64 elements from one random
 * long: the masks of a block-reconstruction iteration hold millions of elements.
 */
public final class RandomMask {

    private RandomMask() {}

    /** An array of {@code shape} on {@code manager}: 1 with probability {@code p}, else 0. */
    public static NDArray bernoulli(NDManager manager, Shape shape, double p, SplittableRandom rnd) {
        float[] mask = new float[Math.toIntExact(shape.size())];
        if (p == 0.5) {
            for (int i = 0; i < mask.length; i += 64) {
                long bits = rnd.nextLong();
                for (int j = i; j < Math.min(mask.length, i + 64); j++) {
                    mask[j] = (bits & 1L) == 0 ? 0f : 1f;
                    bits >>>= 1;
                }
            }
        } else {
            for (int i = 0; i < mask.length; i++) {
                mask[i] = rnd.nextDouble() < p ? 1f : 0f;
            }
        }
        return manager.create(mask, shape);
    }
}
