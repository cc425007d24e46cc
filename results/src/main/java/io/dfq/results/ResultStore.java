package io.dfq.results;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The results database. Writers (one per database: the ResultWriter actor) use the mutating
 * methods; the CLI and the dashboard only read, through {@link ResultReader}.
 *
 * <p>Every write is idempotent by trial key: registering a key twice, or recording a second
 * success for a finished key, changes nothing. A write to a key never registered is a bug of the
 * caller and fails with an {@link IllegalArgumentException} naming the key; a database failure
 * is a {@link ResultStoreException}.
 */
public interface ResultStore extends ResultReader {

    /**
     * Inserts the trials not yet present, as PENDING; existing rows are left as they are. A
     * config lacking a derived column (teacher.model, generator.name, quantizer.name, wbits,
     * abits, protocol, seed) fails the whole call, naming the trial and the path.
     */
    void register(List<NewTrial> trials);

    /**
     * Makes {@code keys} the whole expansion of {@code recipe}: every other trial linked to it
     * (one its recipe file no longer expands to, after an edit changed a method's parameters and so
     * its key) is unlinked, with its nested results, and leaves the recipe's leaderboard, counts
     * and exports. Nothing is deleted: the trial stays in the database, in every other recipe that
     * expands to it and in the unfiltered views. Returns how many rows were unlinked.
     */
    int retainOnly(String recipe, Collection<String> keys);

    /**
     * Puts the given trials back to PENDING with no attempts, metrics, artifacts, error or
     * worker ({@code --force}), and drops their nested results (their success records them again);
     * keys not present are skipped.
     */
    void reset(Collection<String> keys);

    /** Rows left RUNNING by a process that died are put back to PENDING; returns how many. */
    int requeueRunning();

    /**
     * The trial is handed to {@code worker} for attempt number {@code attempt} (1-based).
     * Ignored when the row is already DONE.
     */
    void markRunning(String key, int attempt, String worker);

    /**
     * The trial finished; ignored when the row is already DONE. Each of the result's nested results
     * becomes a DONE trial of its own, never PENDING: it is never registered nor run itself.
     */
    void recordSuccess(String key, int attempt, TrialResult result);

    /**
     * The attempt failed with {@code error}; the row goes back to PENDING when {@code willRetry},
     * else to FAILED. Ignored when the row is already DONE, or when a later attempt has started
     * since (the report of a worker given up on).
     */
    void recordFailure(String key, int attempt, String error, boolean willRetry);

    /** Of {@code keys}, those whose row has the given status. */
    Set<String> keysWithStatus(Collection<String> keys, TrialStatus status);

}
