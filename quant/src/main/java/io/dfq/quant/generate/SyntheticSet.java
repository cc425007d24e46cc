package io.dfq.quant.generate;

/** A calibration set (to be completed with the pipeline). */
public record SyntheticSet(float[] images, int count) {}
