package io.dfq.results;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One page of the leaderboard and what a paging view shows around it, from a single read.
 *
 * <p>The totals and the distinct values cover every group the query matches, not only the page,
 * so a view can size its pager and hide the columns that are equal in every row ("differs only")
 * without a second query.
 *
 * @param rows the groups of the page, in the query's order
 * @param groups groups matching the query over all pages
 * @param trials DONE trials in those groups
 * @param values for each grouping column (model, generator, quantizer, wbits, abits, protocol, in
 *     this order), its distinct values among the matching groups, sorted
 * @param references the FP32 teachers of the matching trials
 */
public record LeaderboardPage(
        List<LeaderboardRow> rows,
        int groups,
        int trials,
        Map<String, List<String>> values,
        List<Fp32Reference> references) {

    public LeaderboardPage {
        rows = List.copyOf(rows);
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        references = List.copyOf(references);
    }

    /** Whether {@code column} (a key of {@link #values}) takes more than one value. */
    public boolean differs(String column) {
        return values.getOrDefault(column, List.of()).size() > 1;
    }
}
