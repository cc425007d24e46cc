package io.dfq.quant.generate;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.model.Net;
import io.dfq.quant.pipeline.ProgressListener;
import java.util.function.Supplier;

/**
 * Everything a generator may use.
 *
 * @param teacher the FP32 teacher (BN not folded; its BN layers can be tapped)
 * @param params the resolved generator node ({@code name} plus every parameter)
 * @param samples how many images to produce
 * @param imageShape the shape (C, H, W) of one image
 * @param seed the trial seed
 * @param trainingData the labelled training split, loaded on demand (only data-using methods call it)
 * @param manager a manager for the generation's arrays, closed by the caller
 * @param progress where iteration and loss lines go
 * @param checkpoints where a batch-wise generator keeps its finished batches (resuming a killed run)
 */
public record GenerationContext(
        Net teacher,
        JsonNode params,
        int samples,
        Shape imageShape,
        long seed,
        Supplier<ImageSet> trainingData,
        NDManager manager,
        ProgressListener progress,
        BatchCheckpoints checkpoints) {

    /** A context without checkpoints: every batch is computed. */
    public GenerationContext(Net teacher, JsonNode params, int samples, Shape imageShape, long seed,
            Supplier<ImageSet> trainingData, NDManager manager, ProgressListener progress) {
        this(teacher, params, samples, imageShape, seed, trainingData, manager, progress, BatchCheckpoints.NONE);
    }
}
