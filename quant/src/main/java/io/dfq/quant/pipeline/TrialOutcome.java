package io.dfq.quant.pipeline;

import java.util.Map;

/**
 * What a finished trial produced.
 *
 * @param metrics named numbers: {@code top1}, {@code fp32_top1}, {@code agreement}, {@code
 *     size_bytes}, {@code fp32_size_bytes} and method-specific extras (loss terms...)
 * @param stageSeconds wall time per stage: {@code teacher}, {@code synthesis}, {@code
 *     quantization}, {@code evaluation}
 * @param artifacts artifact name to path relative to the artifact root
 */
public record TrialOutcome(
        Map<String, Double> metrics, Map<String, Double> stageSeconds, Map<String, String> artifacts) {

    public TrialOutcome {
        metrics = Map.copyOf(metrics);
        stageSeconds = Map.copyOf(stageSeconds);
        artifacts = Map.copyOf(artifacts);
    }

    /** The first metric that is NaN or infinite, if any. */
    public java.util.Optional<String> firstNonFiniteMetric() {
        return metrics.entrySet().stream()
                .filter(e -> !Double.isFinite(e.getValue()))
                .map(Map.Entry::getKey)
                .sorted()
                .findFirst();
    }
}
