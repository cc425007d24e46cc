package io.dfq.results;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The read side of the results database: what the CLI's tables and exports and the dashboard use.
 *
 * <p>A separate interface so that a reader holding one (the dashboard) has no write method to
 * call at all; {@link H2ResultStore#openReadOnly} backs it with a database user that may only
 * SELECT, so a write would fail in the database too. Every method reads a consistent snapshot
 * (one statement or one lock); errors are {@link ResultStoreException}s, and a query the store
 * cannot answer (an unknown sort column or metric) an {@link IllegalArgumentException} naming the
 * valid values.
 */
public interface ResultReader extends AutoCloseable {

    /** One trial, if present. */
    Optional<TrialRecord> find(String key);

    /**
     * Trials matching the query, in its order (registration order by default); a sort column
     * outside {@link TrialQuery#LIST_SORTS} is an {@link IllegalArgumentException}.
     */
    List<TrialRecord> list(TrialQuery query);

    /** How many trials of a recipe (all recipes when null) are in each status, zeros included. */
    Map<TrialStatus, Integer> counts(String recipe);

    /** The names of the recipes with trials, sorted. */
    List<String> recipes();

    /**
     * The DONE trials matching the query, grouped by configuration without the seed, with mean
     * and std; best top1 first by default. A sort column outside {@link
     * TrialQuery#LEADERBOARD_SORTS} is an {@link IllegalArgumentException}.
     */
    List<LeaderboardRow> leaderboard(TrialQuery query);

    /** {@link #leaderboard} with the totals, distinct values and FP32 teachers of every matching group. */
    LeaderboardPage leaderboardPage(TrialQuery query);

    /** Every group matching the query (its sort and page ignored) as a point, Pareto front marked. */
    List<ParetoPoint> pareto(TrialQuery query);

    /**
     * The groups matching the query (its sort and page ignored) as an ablation table of {@code
     * metric}, one of {@link Ablation#METRICS}.
     */
    Ablation ablation(TrialQuery query, String metric);

    /** The DONE trials matching the query, in its order and page, as parallel-coordinate lines. */
    ParallelTrials parallel(TrialQuery query);

    @Override
    void close();
}
