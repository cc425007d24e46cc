package io.dfq.quant.pipeline;

import java.util.List;
import java.util.Map;

/**
 * What a finished trial produced.
 *
 * @param metrics named numbers: {@code top1}, {@code fp32_top1}, {@code agreement}, {@code
 *     size_bytes}, {@code fp32_size_bytes} and method-specific extras (loss terms...)
 * @param stageSeconds wall time per stage: {@code teacher}, {@code synthesis}, {@code
 *     quantization}, {@code evaluation}
 * @param artifacts artifact name to path relative to the artifact root
 * @param nested the results of the further bit-width modes of a nested quantizer (once-qat), each a
 *     result of its own; empty for other quantizers
 */
public record TrialOutcome(
        Map<String, Double> metrics, Map<String, Double> stageSeconds, Map<String, String> artifacts,
        List<Nested> nested) {

    /**
     * The result of one further mode of the trial's network.
     *
     * @param name the mode's name ({@code w4a4}), unique within the trial
     * @param wbits its weight bits
     * @param abits its activation bits
     * @param metrics the trial's metrics with the evaluation's replaced by this mode's
     * @param artifacts the trial's artifacts with {@code quantized_model} this mode's model
     */
    public record Nested(String name, int wbits, int abits, Map<String, Double> metrics,
            Map<String, String> artifacts) {

        public Nested {
            metrics = Map.copyOf(metrics);
            artifacts = Map.copyOf(artifacts);
        }
    }

    public TrialOutcome {
        metrics = Map.copyOf(metrics);
        stageSeconds = Map.copyOf(stageSeconds);
        artifacts = Map.copyOf(artifacts);
        nested = List.copyOf(nested);
    }

    /** An outcome without nested results. */
    public TrialOutcome(Map<String, Double> metrics, Map<String, Double> stageSeconds, Map<String, String> artifacts) {
        this(metrics, stageSeconds, artifacts, List.of());
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
