package io.dfq.results;

import java.util.Map;

/**
 * The numbers a successful trial produced.
 *
 * @param metrics named metrics ({@code top1}, {@code fp32_top1}, {@code agreement}, {@code
 *     size_bytes}, extras)
 * @param stageSeconds wall seconds per stage
 * @param artifacts artifact name to path (relative to the artifact root)
 */
public record TrialResult(
        Map<String, Double> metrics,
        Map<String, Double> stageSeconds,
        Map<String, String> artifacts) {

    public TrialResult {
        metrics = Map.copyOf(metrics);
        stageSeconds = Map.copyOf(stageSeconds);
        artifacts = Map.copyOf(artifacts);
    }
}
