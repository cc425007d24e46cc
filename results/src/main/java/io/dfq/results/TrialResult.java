package io.dfq.results;

import java.util.List;
import java.util.Map;

/**
 * The numbers a successful trial produced.
 *
 * @param metrics named metrics ({@code top1}, {@code fp32_top1}, {@code agreement}, {@code
 *     size_bytes}, extras)
 * @param stageSeconds wall seconds per stage
 * @param artifacts artifact name to path (relative to the artifact root)
 * @param nested the results of the further bit-widths of a nested quantizer (once-qat), each
 *     recorded as a DONE trial of its own, keyed {@code KEY~NAME}
 */
public record TrialResult(
        Map<String, Double> metrics,
        Map<String, Double> stageSeconds,
        Map<String, String> artifacts,
        List<Nested> nested) {

    /**
     * One further bit-width of the trial's network.
     *
     * @param name names it within the trial ({@code w4a4}); its row's key is the trial's plus {@code ~NAME}
     * @param wbits its weight bits
     * @param abits its activation bits
     * @param metrics its metrics
     * @param artifacts its artifacts
     */
    public record Nested(String name, int wbits, int abits, Map<String, Double> metrics,
            Map<String, String> artifacts) {

        public Nested {
            metrics = Map.copyOf(metrics);
            artifacts = Map.copyOf(artifacts);
        }
    }

    public TrialResult {
        metrics = Map.copyOf(metrics);
        stageSeconds = Map.copyOf(stageSeconds);
        artifacts = Map.copyOf(artifacts);
        nested = List.copyOf(nested);
    }

    /** A result without nested bit-widths. */
    public TrialResult(Map<String, Double> metrics, Map<String, Double> stageSeconds, Map<String, String> artifacts) {
        this(metrics, stageSeconds, artifacts, List.of());
    }
}
