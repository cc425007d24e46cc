package io.dfq.results;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The results database. Writers (one per database: the ResultWriter actor) use the mutating
 * methods; the CLI and the dashboard only read.
 *
 * <p>Every write is idempotent by trial key: registering a key twice, or recording a second
 * success for a finished key, changes nothing.
 */
public interface ResultStore extends AutoCloseable {

    /** Inserts the trials not yet present, as PENDING; existing rows are left as they are. */
    void register(List<NewTrial> trials);

    /** Puts the given trials back to PENDING with no attempts and no metrics ({@code --force}). */
    void reset(Collection<String> keys);

    /** Rows left RUNNING by a process that died are put back to PENDING; returns how many. */
    int requeueRunning();

    /** The trial is handed to {@code worker} for attempt number {@code attempt} (1-based). */
    void markRunning(String key, int attempt, String worker);

    /** The trial finished; ignored when the row is already DONE. */
    void recordSuccess(String key, int attempt, TrialResult result);

    /**
     * The attempt failed with {@code error}; the row goes back to PENDING when {@code willRetry},
     * else to FAILED. Ignored when the row is already DONE.
     */
    void recordFailure(String key, int attempt, String error, boolean willRetry);

    /** Of {@code keys}, those whose row has the given status. */
    Set<String> keysWithStatus(Collection<String> keys, TrialStatus status);

    /** One trial, if present. */
    Optional<TrialRecord> find(String key);

    /** Trials matching the query, in its order. */
    List<TrialRecord> list(TrialQuery query);

    /** How many trials of a recipe (all recipes when null) are in each status. */
    Map<TrialStatus, Integer> counts(String recipe);

    /** The DONE trials grouped by configuration without the seed, with mean and std. */
    List<LeaderboardRow> leaderboard(TrialQuery query);

    @Override
    void close();
}
