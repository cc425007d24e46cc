package io.dfq.quant.generate;

import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;

/**
 * What a batch-wise pixel synthesis carries from one batch to the next, its random generator and
 * its loss terms, saved with each finished batch ({@link BatchCheckpoints}) and restored with it.
 */
final class BatchRun {

    private Random rnd;
    private LossTerms terms = new LossTerms();

    BatchRun(long seed) {
        rnd = new Random(seed);
    }

    Random rnd() {
        return rnd;
    }

    LossTerms terms() {
        return terms;
    }

    /**
     * Batch {@code batch}: as an earlier run finished it (this run's state then becomes the state
     * after it), else made by {@code compute} from this run's state and saved.
     */
    float[] batch(GenerationContext ctx, int batch, Supplier<float[]> compute) {
        Optional<BatchCheckpoints.Finished> finished = ctx.checkpoints().restore(batch);
        if (finished.isPresent()) {
            rnd = finished.get().state(0, Random.class);
            terms = finished.get().state(1, LossTerms.class);
            return finished.get().pixels();
        }
        float[] pixels = compute.get();
        ctx.checkpoints().save(batch, pixels, rnd, terms);
        return pixels;
    }
}
