package io.dfq.results;

import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;

/**
 * What to list from the store: filters, one sort column, a page.
 *
 * <p>An immutable record with withers, so the CLI and the dashboard can build one from optional
 * flags or request parameters step by step. A null filter means "any"; blank text counts as
 * null. Sort columns are names from a fixed whitelist, never SQL: a query is checked here
 * against every known column, and again by {@link ResultStore#list} or {@link
 * ResultStore#leaderboard} against the columns that apply there.
 *
 * @param recipe trials of this recipe only
 * @param status trials in this status only
 * @param text whitespace-separated words; each must match a key prefix, or a part of the model,
 *     generator, quantizer or protocol (case-insensitive)
 * @param model equal to {@code config.teacher.model}
 * @param generator equal to {@code config.generator.name}
 * @param quantizer equal to {@code config.quantizer.name}
 * @param protocol equal to {@code config.protocol}
 * @param wbits equal weight bits
 * @param abits equal activation bits
 * @param group trials of this leaderboard group (group key) only
 * @param updatedAfter trials whose row changed strictly after this instant only
 * @param sort a column of {@link #LIST_SORTS} or {@link #LEADERBOARD_SORTS}; null for the
 *     default order (list: creation time; leaderboard: top1 descending)
 * @param direction the order of {@code sort}, or of the default order; null for ascending,
 *     except the leaderboard's default order (top1 descending)
 * @param limit at most this many rows
 * @param offset rows to skip first
 */
public record TrialQuery(
        String recipe,
        TrialStatus status,
        String text,
        String model,
        String generator,
        String quantizer,
        String protocol,
        Integer wbits,
        Integer abits,
        String group,
        Instant updatedAfter,
        String sort,
        Direction direction,
        int limit,
        int offset) {

    /** Sort direction; missing values always come last. */
    public enum Direction {
        ASC,
        DESC
    }

    /** Columns {@link ResultStore#list} sorts by. */
    public static final Set<String> LIST_SORTS =
            Set.of("key", "recipe", "status", "model", "generator", "quantizer", "wbits",
                    "abits", "protocol", "seed", "attempts", "created", "updated", "top1",
                    "fp32_top1", "agreement", "drop", "size_bytes", "seconds");

    /** Columns {@link ResultStore#leaderboard} sorts by ({@code key} is the group key). */
    public static final Set<String> LEADERBOARD_SORTS =
            Set.of("key", "model", "generator", "quantizer", "wbits", "abits", "protocol", "n",
                    "top1", "fp32_top1", "agreement", "drop", "size_bytes", "seconds");

    public TrialQuery {
        recipe = blankToNull(recipe);
        text = blankToNull(text);
        model = blankToNull(model);
        generator = blankToNull(generator);
        quantizer = blankToNull(quantizer);
        protocol = blankToNull(protocol);
        group = blankToNull(group);
        sort = blankToNull(sort);
        if (sort != null && !LIST_SORTS.contains(sort) && !LEADERBOARD_SORTS.contains(sort)) {
            Set<String> valid = new TreeSet<>(LIST_SORTS);
            valid.addAll(LEADERBOARD_SORTS);
            throw new IllegalArgumentException("unknown sort column '" + sort
                    + "'; valid columns: " + String.join(", ", valid));
        }
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, got " + limit);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, got " + offset);
        }
    }

    /** Everything, default order, no limit. */
    public static TrialQuery all() {
        return new TrialQuery(null, null, null, null, null, null, null, null, null, null, null,
                null, null, Integer.MAX_VALUE, 0);
    }

    public TrialQuery withRecipe(String value) {
        return new TrialQuery(value, status, text, model, generator, quantizer, protocol, wbits,
                abits, group, updatedAfter, sort, direction, limit, offset);
    }

    public TrialQuery withStatus(TrialStatus value) {
        return new TrialQuery(recipe, value, text, model, generator, quantizer, protocol, wbits,
                abits, group, updatedAfter, sort, direction, limit, offset);
    }

    public TrialQuery withText(String value) {
        return new TrialQuery(recipe, status, value, model, generator, quantizer, protocol, wbits,
                abits, group, updatedAfter, sort, direction, limit, offset);
    }

    public TrialQuery withModel(String value) {
        return new TrialQuery(recipe, status, text, value, generator, quantizer, protocol, wbits,
                abits, group, updatedAfter, sort, direction, limit, offset);
    }

    public TrialQuery withGenerator(String value) {
        return new TrialQuery(recipe, status, text, model, value, quantizer, protocol, wbits,
                abits, group, updatedAfter, sort, direction, limit, offset);
    }

    public TrialQuery withQuantizer(String value) {
        return new TrialQuery(recipe, status, text, model, generator, value, protocol, wbits,
                abits, group, updatedAfter, sort, direction, limit, offset);
    }

    public TrialQuery withProtocol(String value) {
        return new TrialQuery(recipe, status, text, model, generator, quantizer, value, wbits,
                abits, group, updatedAfter, sort, direction, limit, offset);
    }

    public TrialQuery withWbits(Integer value) {
        return new TrialQuery(recipe, status, text, model, generator, quantizer, protocol, value,
                abits, group, updatedAfter, sort, direction, limit, offset);
    }

    public TrialQuery withAbits(Integer value) {
        return new TrialQuery(recipe, status, text, model, generator, quantizer, protocol, wbits,
                value, group, updatedAfter, sort, direction, limit, offset);
    }

    public TrialQuery withGroup(String value) {
        return new TrialQuery(recipe, status, text, model, generator, quantizer, protocol, wbits,
                abits, value, updatedAfter, sort, direction, limit, offset);
    }

    public TrialQuery withUpdatedAfter(Instant value) {
        return new TrialQuery(recipe, status, text, model, generator, quantizer, protocol, wbits,
                abits, group, value, sort, direction, limit, offset);
    }

    /** Sorts by {@code column} (null: the default order) in {@code order} (null: default). */
    public TrialQuery withSort(String column, Direction order) {
        return new TrialQuery(recipe, status, text, model, generator, quantizer, protocol, wbits,
                abits, group, updatedAfter, column, order, limit, offset);
    }

    /** Rows {@code offset} to {@code offset + limit - 1} of the sorted result. */
    public TrialQuery withPage(int pageLimit, int pageOffset) {
        return new TrialQuery(recipe, status, text, model, generator, quantizer, protocol, wbits,
                abits, group, updatedAfter, sort, direction, pageLimit, pageOffset);
    }

    /**
     * The sort column, checked against those {@code valid} for {@code where}; null for the
     * default order.
     */
    String sortIn(Set<String> valid, String where) {
        if (sort != null && !valid.contains(sort)) {
            throw new IllegalArgumentException("sort column '" + sort + "' does not apply to "
                    + where + "; valid columns: " + String.join(", ", new TreeSet<>(valid)));
        }
        return sort;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
