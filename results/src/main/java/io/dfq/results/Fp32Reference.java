package io.dfq.results;

/**
 * A full-precision teacher behind some leaderboard rows, shown as a reference line above them.
 *
 * <p>Teachers are told apart by what the trials measured of them (model, FP32 accuracy, FP32
 * size) rather than by their training config: that is what a reader compares the quantized rows
 * against, and it needs no JSON parsing per trial.
 *
 * @param model {@code config.teacher.model}
 * @param top1 the teacher's top-1 accuracy on the evaluated test images, in percent
 * @param sizeBytes the FP32 model size; null when the trials did not report it
 * @param trials how many DONE trials quantized this teacher
 */
public record Fp32Reference(String model, double top1, Double sizeBytes, int trials) {}
