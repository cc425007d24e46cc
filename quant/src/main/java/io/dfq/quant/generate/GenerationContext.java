package io.dfq.quant.generate;

/** Everything a generator needs (to be completed with the pipeline). */
public interface GenerationContext {
    /** Number of images to produce. */
    int samples();
}
