package io.dfq.results;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Text tables for terminals and Markdown files.
 *
 * <p>A table is rendered once as a Markdown pipe table whose columns are also padded to equal
 * width: the same string reads well in a terminal and pastes into a report. Numbers are
 * right-aligned (with the {@code ---:} marker), everything else left-aligned.
 */
public final class Tables {

    private static final List<String> LEADERBOARD_HEADER = List.of("model", "generator",
            "quantizer", "W/A", "protocol", "variant", "n", "top1", "fp32", "drop", "agreement",
            "size", "seconds");

    private static final Set<Integer> LEADERBOARD_NUMBERS = Set.of(3, 6, 7, 8, 9, 10, 11, 12);

    private Tables() {}

    /** The leaderboard with {@code mean ± std} cells (the mean alone for a single seed). */
    public static String leaderboard(List<LeaderboardRow> rows) {
        List<List<String>> cells = new ArrayList<>();
        for (LeaderboardRow row : rows) {
            cells.add(List.of(row.model(), row.generator(), row.quantizer(),
                    row.wbits() + "/" + row.abits(), row.protocol(), row.variant(),
                    Integer.toString(row.n()), meanStd(row.top1(), 2), meanStd(row.fp32Top1(), 2),
                    meanStd(row.drop(), 2), meanStd(row.agreement(), 2), bytes(row.sizeBytes()),
                    meanStd(row.seconds(), 1)));
        }
        return render(LEADERBOARD_HEADER, LEADERBOARD_NUMBERS, cells);
    }

    /**
     * A padded Markdown table; {@code rightAligned} holds the indexes of numeric columns. Pipes
     * and line breaks inside cells are escaped so that each row stays one line.
     */
    static String render(List<String> header, Set<Integer> rightAligned, List<List<String>> rows) {
        List<List<String>> escaped = new ArrayList<>();
        for (List<String> row : rows) {
            escaped.add(row.stream().map(Tables::escape).toList());
        }
        int[] widths = new int[header.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = Math.max(3, header.get(i).length());
            for (List<String> row : escaped) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, header.stream().map(Tables::escape).toList(), widths, rightAligned);
        for (int i = 0; i < widths.length; i++) {
            boolean right = rightAligned.contains(i);
            out.append('|').append("-".repeat(widths[i] + (right ? 1 : 2)));
            out.append(right ? ":" : "");
        }
        out.append("|\n");
        for (List<String> row : escaped) {
            line(out, row, widths, rightAligned);
        }
        return out.toString();
    }

    private static void line(
            StringBuilder out, List<String> cells, int[] widths, Set<Integer> rightAligned) {
        for (int i = 0; i < widths.length; i++) {
            String cell = cells.get(i);
            String pad = " ".repeat(widths[i] - cell.length());
            out.append("| ").append(rightAligned.contains(i) ? pad + cell : cell + pad).append(' ');
        }
        out.append("|\n");
    }

    private static String escape(String cell) {
        return cell.replace("|", "\\|").replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
    }

    private static String meanStd(LeaderboardRow.Stat stat, int decimals) {
        if (stat.mean() == null) {
            return "";
        }
        String format = "%." + decimals + "f";
        String mean = String.format(Locale.ROOT, format, stat.mean());
        return stat.std() == null
                ? mean
                : mean + " ± " + String.format(Locale.ROOT, format, stat.std());
    }

    private static String bytes(LeaderboardRow.Stat stat) {
        Double size = stat.mean();
        if (size == null) {
            return "";
        }
        if (size < 1024) {
            return String.format(Locale.ROOT, "%.0f B", size);
        }
        if (size < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", size / 1024);
        }
        return String.format(Locale.ROOT, "%.2f MiB", size / (1024 * 1024));
    }
}
