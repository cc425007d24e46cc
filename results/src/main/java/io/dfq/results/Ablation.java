package io.dfq.results;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Leaderboard groups laid out as an ablation table: one row per configuration that differs in
 * anything but the bit-widths (and the seed), one column per bit setting, a metric's mean and std
 * over seeds in each cell.
 *
 * <p>The row labels are the config values that differ among the rows (the leaderboard's variant
 * rule, with the method names included), so a sweep over generators x quantizers x bit-widths
 * reads as the usual paper table. The same data renders as CSV (mean, std and n per setting, for
 * scripts) and as a LaTeX tabular (mean ± std, the best cell of each column in bold) whose text is
 * escaped for LaTeX.
 *
 * @param metric the metric in the cells: one of {@link #METRICS}
 * @param parameters the config paths that label the rows (display names: {@code model},
 *     {@code generator}, {@code quantizer} for the method names)
 * @param settings the bit settings, e.g. {@code W4A4}, widest first
 * @param rows the rows, sorted by their labels
 */
public record Ablation(String metric, List<String> parameters, List<String> settings, List<Row> rows) {

    /** Metrics an ablation can show. */
    public static final Set<String> METRICS = Set.of("top1", "drop", "agreement");

    public Ablation {
        parameters = List.copyOf(parameters);
        settings = List.copyOf(settings);
        rows = List.copyOf(rows);
    }

    /**
     * One configuration.
     *
     * @param labels the value of each of {@link #parameters}, in order; empty when the row lacks it
     * @param cells one per setting, in order; null where no group has that setting
     */
    public record Row(List<String> labels, List<Cell> cells) {

        public Row {
            labels = List.copyOf(labels);
            cells = Collections.unmodifiableList(new ArrayList<>(cells));
        }
    }

    /**
     * The metric over one group's seeds.
     *
     * @param stat mean and sample std
     * @param n trials (seeds)
     * @param groupKey the group, for links
     */
    public record Cell(LeaderboardRow.Stat stat, int n, String groupKey) {}

    /** The settings label of a bit-width pair. */
    public static String setting(int wbits, int abits) {
        return "W" + wbits + "A" + abits;
    }

    /** CSV (RFC 4180): the parameter columns, then mean, std and n of each setting. */
    public String csv() {
        List<String> header = new ArrayList<>(parameters);
        for (String setting : settings) {
            header.addAll(List.of(setting + " mean", setting + " std", setting + " n"));
        }
        StringBuilder out = new StringBuilder(Export.csvRecord(header));
        for (Row row : rows) {
            List<String> fields = new ArrayList<>(row.labels());
            for (Cell cell : row.cells()) {
                fields.add(cell == null ? "" : number(cell.stat().mean()));
                fields.add(cell == null ? "" : number(cell.stat().std()));
                fields.add(cell == null ? "" : Integer.toString(cell.n()));
            }
            out.append(Export.csvRecord(fields));
        }
        return out.toString();
    }

    /**
     * A LaTeX {@code tabular} (no package needed): mean ± std per cell, the best mean of each
     * column (highest; lowest for {@code drop}) in bold.
     */
    public String latex() {
        StringBuilder out = new StringBuilder("\\begin{tabular}{")
                .append("l".repeat(parameters.size())).append(parameters.isEmpty() ? "" : "|")
                .append("r".repeat(settings.size())).append("}\n\\hline\n");
        List<String> header = new ArrayList<>();
        parameters.forEach(p -> header.add(latexText(p)));
        settings.forEach(s -> header.add(latexText(s)));
        out.append(String.join(" & ", header)).append(" \\\\\n\\hline\n");
        Double[] best = best();
        for (Row row : rows) {
            List<String> cells = new ArrayList<>();
            row.labels().forEach(label -> cells.add(latexText(label)));
            for (int i = 0; i < settings.size(); i++) {
                Cell cell = row.cells().get(i);
                cells.add(cell == null || cell.stat().mean() == null ? "--" : latexCell(cell, best[i]));
            }
            out.append(String.join(" & ", cells)).append(" \\\\\n");
        }
        return out.append("\\hline\n\\end{tabular}\n").toString();
    }

    private Double[] best() {
        Double[] best = new Double[settings.size()];
        boolean lowest = metric.equals("drop");
        for (Row row : rows) {
            for (int i = 0; i < best.length; i++) {
                Cell cell = row.cells().get(i);
                Double mean = cell == null ? null : cell.stat().mean();
                if (mean != null && (best[i] == null || (lowest ? mean < best[i] : mean > best[i]))) {
                    best[i] = mean;
                }
            }
        }
        return best;
    }

    private static String latexCell(Cell cell, Double best) {
        String mean = String.format(Locale.ROOT, "%.2f", cell.stat().mean());
        String bold = cell.stat().mean().equals(best) ? "\\mathbf{" + mean + "}" : mean;
        return cell.stat().std() == null ? "$" + bold + "$"
                : "$" + bold + " \\pm " + String.format(Locale.ROOT, "%.2f", cell.stat().std()) + "$";
    }

    /** Text with LaTeX's special characters escaped. */
    static String latexText(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '\\' -> out.append("\\textbackslash{}");
                case '&', '%', '$', '#', '_', '{', '}' -> out.append('\\').append(c);
                case '~' -> out.append("\\textasciitilde{}");
                case '^' -> out.append("\\textasciicircum{}");
                case '<' -> out.append("\\textless{}");
                case '>' -> out.append("\\textgreater{}");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String number(Double value) {
        return value == null ? "" : String.format(Locale.ROOT, "%.4f", value);
    }
}
