package io.dfq.results;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Lays out groups and trials for the views that compare configurations: the {@link Ablation}
 * table and the {@link ParallelTrials} axes.
 *
 * <p>Both take their labels from {@link Variants#differences}, so a config value appears exactly
 * when it tells some rows apart, by the same rule everywhere. Kept apart from the store because it
 * is pure computation on what the store read.
 */
final class Ablations {

    /** Row labels come first in this order, the other paths after them, sorted. */
    private static final List<String> FIRST = List.of("teacher.model", "generator.name", "quantizer.name", "protocol");

    private Ablations() {}

    /**
     * The ablation of {@code groups} in {@code metric}.
     *
     * @param configs a stored config of each group, by group key
     */
    static Ablation ablation(String metric, List<Groups.Group> groups, Map<String, String> configs) {
        if (!Ablation.METRICS.contains(metric)) {
            throw new IllegalArgumentException("unknown ablation metric '" + metric + "'; valid metrics: "
                    + String.join(", ", new TreeSet<>(Ablation.METRICS)));
        }
        Map<String, ObjectNode> rowConfigs = new LinkedHashMap<>();
        Map<String, String> rowOfGroup = new HashMap<>();
        for (Groups.Group group : groups) {
            ObjectNode config = TrialConfig.grouped("group " + group.key, configs.get(group.key));
            config.remove(List.of("wbits", "abits"));
            String row = TrialConfig.canonical(config);
            rowConfigs.putIfAbsent(row, config);
            rowOfGroup.put(group.key, row);
        }
        List<String> rowIds = List.copyOf(rowConfigs.keySet());
        List<Map<String, String>> differences =
                Variants.differences(List.copyOf(rowConfigs.values()), Set.of());
        List<String> paths = order(differences);
        List<String> settings = groups.stream()
                .sorted(Comparator.<Groups.Group>comparingInt(g -> -g.wbits).thenComparingInt(g -> -g.abits))
                .map(g -> Ablation.setting(g.wbits, g.abits)).distinct().toList();
        Map<String, Ablation.Cell[]> cells = new LinkedHashMap<>();
        for (Groups.Group group : groups) {
            Ablation.Cell[] row =
                    cells.computeIfAbsent(rowOfGroup.get(group.key), r -> new Ablation.Cell[settings.size()]);
            Groups.Moments moments = switch (metric) {
                case "drop" -> group.drop;
                case "agreement" -> group.agreement;
                default -> group.top1;
            };
            row[settings.indexOf(Ablation.setting(group.wbits, group.abits))] =
                    new Ablation.Cell(moments.stat(), group.n, group.key);
        }
        List<Ablation.Row> rows = new ArrayList<>();
        for (int i = 0; i < rowIds.size(); i++) {
            Map<String, String> values = differences.get(i);
            rows.add(new Ablation.Row(paths.stream().map(p -> values.getOrDefault(p, "")).toList(),
                    Arrays.asList(cells.get(rowIds.get(i)))));
        }
        rows.sort(Comparator.comparing(r -> String.join("\u0000", r.labels())));
        return new Ablation(metric, paths.stream().map(Ablations::displayName).toList(), settings, rows);
    }

    /** The trials as lines over their differing config values and the headline metrics. */
    static ParallelTrials parallel(List<TrialRecord> trials) {
        List<ObjectNode> configs = trials.stream()
                .map(t -> TrialConfig.object("trial " + t.key(), t.configJson())).toList();
        List<Map<String, String>> differences = Variants.differences(configs, Set.of());
        List<ParallelTrials.Line> lines = new ArrayList<>();
        for (int i = 0; i < trials.size(); i++) {
            TrialRecord trial = trials.get(i);
            Map<String, Double> metrics = new LinkedHashMap<>();
            trial.metric("top1").ifPresent(v -> metrics.put("top1", v));
            trial.metric("top1").flatMap(top1 -> trial.metric("fp32_top1").map(fp32 -> fp32 - top1))
                    .ifPresent(v -> metrics.put("drop", v));
            trial.metric("agreement").ifPresent(v -> metrics.put("agreement", v));
            trial.metric("size_bytes").ifPresent(v -> metrics.put("size_bytes", v));
            lines.add(new ParallelTrials.Line(trial.key(), differences.get(i), metrics));
        }
        return new ParallelTrials(order(differences), ParallelTrials.METRICS, lines);
    }

    private static List<String> order(List<Map<String, String>> differences) {
        Set<String> paths = new TreeSet<>();
        differences.forEach(d -> paths.addAll(d.keySet()));
        List<String> ordered = new ArrayList<>(FIRST.stream().filter(paths::contains).toList());
        paths.stream().filter(p -> !FIRST.contains(p)).forEach(ordered::add);
        return ordered;
    }

    private static String displayName(String path) {
        return switch (path) {
            case "teacher.model" -> "model";
            case "generator.name" -> "generator";
            case "quantizer.name" -> "quantizer";
            default -> path;
        };
    }
}
