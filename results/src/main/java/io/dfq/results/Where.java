package io.dfq.results;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The WHERE clause of a {@link TrialQuery} over {@code trial_view} (or {@code trials}: it names
 * only columns of both), with its parameters.
 *
 * <p>Only fixed column names and {@code ?} placeholders enter the SQL text; every value the
 * caller supplied travels as a parameter, LIKE wildcards in free text escaped.
 *
 * @param sql conditions joined by AND ({@code TRUE} when there are none)
 * @param params the values of its placeholders, in order
 */
record Where(String sql, List<Object> params) {

    private static final List<String> TEXT_COLUMNS =
            List.of("model", "generator", "quantizer", "protocol");

    Where {
        params = List.copyOf(params);
    }

    static Where of(TrialQuery query) {
        List<String> conditions = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        if (query.recipe() != null) {
            conditions.add("trial_key IN (SELECT trial_key FROM recipe_trials WHERE recipe = ?)");
            params.add(query.recipe());
        }
        equal(conditions, params, "status", query.status() == null ? null : query.status().name());
        equal(conditions, params, "model", query.model());
        equal(conditions, params, "generator", query.generator());
        equal(conditions, params, "quantizer", query.quantizer());
        equal(conditions, params, "protocol", query.protocol());
        equal(conditions, params, "wbits", query.wbits());
        equal(conditions, params, "abits", query.abits());
        equal(conditions, params, "group_key", query.group());
        if (query.updatedAfter() != null) {
            conditions.add("updated_at > ?");
            params.add(OffsetDateTime.ofInstant(query.updatedAfter(), ZoneOffset.UTC));
        }
        if (query.text() != null) {
            for (String word : query.text().toLowerCase(Locale.ROOT).split("\\s+")) {
                String escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
                StringBuilder any = new StringBuilder("(LOWER(trial_key) LIKE ? ESCAPE '\\'");
                params.add(escaped + "%");
                for (String column : TEXT_COLUMNS) {
                    any.append(" OR LOWER(").append(column).append(") LIKE ? ESCAPE '\\'");
                    params.add("%" + escaped + "%");
                }
                conditions.add(any.append(')').toString());
            }
        }
        return new Where(conditions.isEmpty() ? "TRUE" : String.join(" AND ", conditions), params);
    }

    private static void equal(
            List<String> conditions, List<Object> params, String column, Object value) {
        if (value != null) {
            conditions.add(column + " = ?");
            params.add(value);
        }
    }
}
