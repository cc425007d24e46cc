package io.dfq.actors;

import io.dfq.quant.pipeline.TrialOutcome;
import java.time.Duration;

/**
 * What the coordinator tells the outside about a sweep, in the order it happens: {@link
 * SweepStarted}, then per attempt {@link TrialStarted}, any {@link TrialStage}/{@link
 * TrialProgress}, then {@link TrialSucceeded} or {@link TrialFailed}; last {@link SweepFinished}
 * (also after a stop) or {@link SweepAborted}. Plain records so that a CLI, a test or a cluster
 * listener can consume them without knowing the actors; events of an attempt that timed out are
 * not forwarded.
 */
public sealed interface SweepEvent {

    /** The trials are registered: {@code trials} will run, {@code alreadyDone} were DONE and are skipped. */
    record SweepStarted(int trials, int alreadyDone) implements SweepEvent {}

    /** Attempt {@code attempt} (1-based) of the trial was handed to {@code worker}. */
    record TrialStarted(String key, String worker, int attempt) implements SweepEvent {}

    /** The running trial entered {@code stage} ({@code teacher}, {@code synthesis}...). */
    record TrialStage(String key, String stage) implements SweepEvent {}

    /** A progress line of the running trial (iteration, loss...). */
    record TrialProgress(String key, String text) implements SweepEvent {}

    /** The trial is DONE with this outcome. */
    record TrialSucceeded(String key, TrialOutcome outcome) implements SweepEvent {}

    /** An attempt failed with {@code error}; it runs again when {@code willRetry}, else it is FAILED. */
    record TrialFailed(String key, String error, boolean willRetry) implements SweepEvent {}

    /** No trial is left to run (or the sweep was stopped) and every result is written. */
    record SweepFinished(int done, int failed, Duration elapsed) implements SweepEvent {}

    /** The sweep could not start: the trials could not be registered in the store. */
    record SweepAborted(String reason) implements SweepEvent {}
}
