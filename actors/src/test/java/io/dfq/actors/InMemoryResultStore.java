package io.dfq.actors;

import io.dfq.results.Ablation;
import io.dfq.results.LeaderboardPage;
import io.dfq.results.LeaderboardRow;
import io.dfq.results.NewTrial;
import io.dfq.results.ParallelTrials;
import io.dfq.results.ParetoPoint;
import io.dfq.results.ResultStore;
import io.dfq.results.TrialQuery;
import io.dfq.results.TrialRecord;
import io.dfq.results.TrialResult;
import io.dfq.results.TrialStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A test double of the store: the status rules of {@link ResultStore} on a map, plus a log of
 * every success and failure written and of the threads that wrote, so tests can check what the
 * actors sent and where they ran it. Read queries the actors never use are unsupported.
 */
final class InMemoryResultStore implements ResultStore {

    record Failure(String key, int attempt, String error, boolean willRetry) {}

    record Success(String key, int attempt, TrialResult result) {}

    private final Map<String, TrialStatus> rows = new LinkedHashMap<>();
    private final List<Failure> failures = new ArrayList<>();
    private final List<Success> successes = new ArrayList<>();
    private final Set<String> writerThreads = new HashSet<>();
    private RuntimeException registerFailure;
    private RuntimeException successFailure;

    /** Makes {@link #register} throw {@code failure}. */
    synchronized InMemoryResultStore failRegister(RuntimeException failure) {
        registerFailure = failure;
        return this;
    }

    /** Makes {@link #recordSuccess} throw {@code failure}. */
    synchronized InMemoryResultStore failSuccess(RuntimeException failure) {
        successFailure = failure;
        return this;
    }

    /** Stores {@code key} as DONE, as an earlier run would have. */
    synchronized InMemoryResultStore markDone(String key) {
        rows.put(key, TrialStatus.DONE);
        return this;
    }

    synchronized TrialStatus status(String key) {
        return rows.get(key);
    }

    synchronized List<Failure> failures(String key) {
        return failures.stream().filter(f -> f.key().equals(key)).toList();
    }

    synchronized List<Success> successes(String key) {
        return successes.stream().filter(s -> s.key().equals(key)).toList();
    }

    synchronized Set<String> writerThreads() {
        return Set.copyOf(writerThreads);
    }

    @Override
    public synchronized void register(List<NewTrial> trials) {
        written();
        if (registerFailure != null) {
            throw registerFailure;
        }
        trials.forEach(trial -> rows.putIfAbsent(trial.key(), TrialStatus.PENDING));
    }

    @Override
    public void reset(Collection<String> keys) {
        throw new UnsupportedOperationException("not used by the actors");
    }

    @Override
    public int requeueRunning() {
        throw new UnsupportedOperationException("not used by the actors");
    }

    @Override
    public synchronized void markRunning(String key, int attempt, String worker) {
        written();
        if (rows.get(key) != TrialStatus.DONE) {
            rows.put(key, TrialStatus.RUNNING);
        }
    }

    @Override
    public synchronized void recordSuccess(String key, int attempt, TrialResult result) {
        written();
        if (successFailure != null) {
            throw successFailure;
        }
        successes.add(new Success(key, attempt, result));
        rows.put(key, TrialStatus.DONE);
    }

    @Override
    public synchronized void recordFailure(String key, int attempt, String error, boolean willRetry) {
        written();
        failures.add(new Failure(key, attempt, error, willRetry));
        if (rows.get(key) != TrialStatus.DONE) {
            rows.put(key, willRetry ? TrialStatus.PENDING : TrialStatus.FAILED);
        }
    }

    @Override
    public synchronized Set<String> keysWithStatus(Collection<String> keys, TrialStatus status) {
        return keys.stream()
                .filter(key -> rows.get(key) == status)
                .collect(Collectors.toSet());
    }

    @Override
    public Optional<TrialRecord> find(String key) {
        throw new UnsupportedOperationException("not used by the actors");
    }

    @Override
    public List<TrialRecord> list(TrialQuery query) {
        throw new UnsupportedOperationException("not used by the actors");
    }

    @Override
    public Map<TrialStatus, Integer> counts(String recipe) {
        throw new UnsupportedOperationException("not used by the actors");
    }

    @Override
    public int retainOnly(String recipe, Collection<String> keys) {
        throw new UnsupportedOperationException("not used by the actors");
    }

    @Override
    public List<String> recipes() {
        throw new UnsupportedOperationException("not used by the actors");
    }

    @Override
    public List<LeaderboardRow> leaderboard(TrialQuery query) {
        throw new UnsupportedOperationException("not used by the actors");
    }

    @Override
    public LeaderboardPage leaderboardPage(TrialQuery query) {
        throw new UnsupportedOperationException("not used by the actors");
    }

    @Override
    public List<ParetoPoint> pareto(TrialQuery query) {
        throw new UnsupportedOperationException("not used by the actors");
    }

    @Override
    public Ablation ablation(TrialQuery query, String metric) {
        throw new UnsupportedOperationException("not used by the actors");
    }

    @Override
    public ParallelTrials parallel(TrialQuery query) {
        throw new UnsupportedOperationException("not used by the actors");
    }

    @Override
    public void close() {}

    private void written() {
        writerThreads.add(Thread.currentThread().getName());
    }
}
