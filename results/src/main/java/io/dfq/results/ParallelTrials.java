package io.dfq.results;

import java.util.List;
import java.util.Map;

/**
 * A set of trials as lines over axes, for a parallel-coordinates view: one axis per config value
 * that differs among them, then one per headline metric.
 *
 * <p>Only the differing config values become axes (the rest would be flat lines), chosen by the
 * same rule as the leaderboard's variant text: a method's parameter counts only among the
 * trials of that method.
 *
 * @param parameters the config paths that differ, sorted
 * @param metrics the metric axes, in order
 * @param lines one per trial, in the query's order
 */
public record ParallelTrials(List<String> parameters, List<String> metrics, List<Line> lines) {

    /** The headline metrics, one axis each. */
    public static final List<String> METRICS = List.of("top1", "drop", "agreement", "size_bytes");

    public ParallelTrials {
        parameters = List.copyOf(parameters);
        metrics = List.copyOf(metrics);
        lines = List.copyOf(lines);
    }

    /**
     * One trial.
     *
     * @param key the trial key
     * @param parameters path to value (JSON text for non-strings); a path the trial lacks is absent
     * @param metrics metric to value; a metric the trial did not report is absent
     */
    public record Line(String key, Map<String, String> parameters, Map<String, Double> metrics) {

        public Line {
            parameters = Map.copyOf(parameters);
            metrics = Map.copyOf(metrics);
        }
    }
}
