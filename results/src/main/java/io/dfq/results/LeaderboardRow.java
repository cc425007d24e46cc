package io.dfq.results;

/**
 * One leaderboard line: the DONE trials whose configs are equal except for {@code seed}, with
 * the mean and sample standard deviation of each headline number over them.
 *
 * <p>The grouping columns come first, as a reader scans them; {@code variant} carries whatever
 * else tells two lines of one listing apart (a method parameter, the calibration size...), so
 * that no two lines look identical. Accuracies are in percent, as the pipeline reports them.
 *
 * @param groupKey sha256 of the canonical config without {@code seed}
 * @param model {@code config.teacher.model}
 * @param generator {@code config.generator.name}
 * @param quantizer {@code config.quantizer.name}
 * @param wbits weight bits
 * @param abits activation bits
 * @param protocol quantization protocol
 * @param variant {@code path=value} pairs (space separated) of the other config values that
 *     differ among the rows listed together; empty when none
 * @param n how many trials (seeds) the group holds
 * @param top1 quantized top-1 accuracy
 * @param fp32Top1 full-precision teacher top-1 accuracy
 * @param agreement top-1 agreement between teacher and quantized model
 * @param drop {@code fp32_top1 - top1}, per trial
 * @param sizeBytes quantized model size
 * @param seconds wall seconds over all stages
 */
public record LeaderboardRow(
        String groupKey,
        String model,
        String generator,
        String quantizer,
        int wbits,
        int abits,
        String protocol,
        String variant,
        int n,
        Stat top1,
        Stat fp32Top1,
        Stat agreement,
        Stat drop,
        Stat sizeBytes,
        Stat seconds) {

    /**
     * A metric over a group's trials.
     *
     * @param mean the mean over the trials that reported it; null when none did
     * @param std the sample standard deviation (n - 1); null when fewer than two reported it
     */
    public record Stat(Double mean, Double std) {}
}
