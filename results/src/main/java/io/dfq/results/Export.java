package io.dfq.results;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Trials as CSV, JSON or Markdown, one row per trial.
 *
 * <p>All three formats share one column list and one cell function, so they never disagree on
 * what a trial exports as. A missing metric is an empty cell in CSV and Markdown and
 * {@code null} in JSON, where each object also carries every metric of the trial under {@code
 * metrics}; whole numbers print without a decimal point ({@code size_bytes}). The
 * caller owns the {@link Writer}: it is flushed, never closed.
 */
public final class Export {

    /** The formats {@link #write} accepts. */
    public static final List<String> FORMATS = List.of("csv", "json", "markdown");

    /** The columns of every format, in order. */
    public static final List<String> COLUMNS = List.of("trial_key", "recipe", "model",
            "generator", "quantizer", "wbits", "abits", "protocol", "seed", "status", "top1",
            "fp32_top1", "agreement", "size_bytes", "seconds", "seconds_teacher",
            "seconds_synthesis", "seconds_quantization", "seconds_evaluation");

    private static final Set<Integer> NUMERIC = Stream.of("wbits", "abits", "seed", "top1",
                    "fp32_top1", "agreement", "size_bytes", "seconds", "seconds_teacher",
                    "seconds_synthesis", "seconds_quantization", "seconds_evaluation")
            .map(COLUMNS::indexOf)
            .collect(Collectors.toUnmodifiableSet());

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .build();

    private Export() {}

    /** Writes {@code trials} to {@code out} in {@code format}, one of {@link #FORMATS}. */
    public static void write(String format, List<TrialRecord> trials, Writer out)
            throws IOException {
        switch (format) {
            case "csv" -> csv(trials, out);
            case "json" -> json(trials, out);
            case "markdown" -> out.write(Tables.render(COLUMNS, NUMERIC, texts(trials)));
            default -> throw new IllegalArgumentException("unknown export format '" + format
                    + "'; valid formats: " + String.join(", ", FORMATS));
        }
        out.flush();
    }

    private static void csv(List<TrialRecord> trials, Writer out) throws IOException {
        out.write(csvRecord(COLUMNS));
        for (List<String> row : texts(trials)) {
            out.write(csvRecord(row));
        }
    }

    /** One RFC 4180 record, CRLF included: a field with a comma, quote or line break is quoted. */
    static String csvRecord(List<String> fields) {
        List<String> quoted = new ArrayList<>();
        for (String field : fields) {
            boolean quote = field.indexOf(',') >= 0 || field.indexOf('"') >= 0
                    || field.indexOf('\n') >= 0 || field.indexOf('\r') >= 0;
            quoted.add(quote ? '"' + field.replace("\"", "\"\"") + '"' : field);
        }
        return String.join(",", quoted) + "\r\n";
    }

    private static void json(List<TrialRecord> trials, Writer out) throws IOException {
        ArrayNode array = JSON.createArrayNode();
        for (TrialRecord trial : trials) {
            ObjectNode object = array.addObject();
            for (String column : COLUMNS) {
                Object cell = cell(trial, column);
                if (cell == null) {
                    object.putNull(column);
                } else if (cell instanceof Integer i) {
                    object.put(column, i);
                } else if (cell instanceof Double d) {
                    putNumber(object, column, d);
                } else {
                    object.put(column, cell.toString());
                }
            }
            ObjectNode metrics = object.putObject("metrics");
            new TreeMap<>(trial.metrics()).forEach((name, value) -> putNumber(metrics, name, value));
        }
        JSON.writeValue(out, array);
        out.write("\n");
    }

    /** Whole numbers as integers; NaN and infinities, which JSON lacks, as null. */
    private static void putNumber(ObjectNode object, String column, double value) {
        if (!Double.isFinite(value)) {
            object.putNull(column);
        } else if (isWhole(value)) {
            object.put(column, (long) value);
        } else {
            object.put(column, value);
        }
    }

    private static List<List<String>> texts(List<TrialRecord> trials) {
        List<List<String>> rows = new ArrayList<>();
        for (TrialRecord trial : trials) {
            List<String> row = new ArrayList<>();
            for (String column : COLUMNS) {
                row.add(text(cell(trial, column)));
            }
            rows.add(row);
        }
        return rows;
    }

    private static String text(Object cell) {
        if (cell == null) {
            return "";
        }
        if (cell instanceof Double d && isWhole(d)) {
            return Long.toString(d.longValue());
        }
        return cell.toString();
    }

    private static boolean isWhole(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15;
    }

    private static Object cell(TrialRecord trial, String column) {
        return switch (column) {
            case "trial_key" -> trial.key();
            case "recipe" -> trial.recipe();
            case "model" -> trial.model();
            case "generator" -> trial.generator();
            case "quantizer" -> trial.quantizer();
            case "wbits" -> trial.wbits();
            case "abits" -> trial.abits();
            case "protocol" -> trial.protocol();
            case "seed" -> trial.seed();
            case "status" -> trial.status().name();
            case "seconds" -> trial.stageSeconds().isEmpty() ? null : trial.seconds();
            case "seconds_teacher", "seconds_synthesis", "seconds_quantization", "seconds_evaluation" ->
                    trial.stageSeconds().get(column.substring("seconds_".length()));
            default -> trial.metrics().get(column);
        };
    }
}
