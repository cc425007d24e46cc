package io.dfq.actors;

import java.time.Duration;

/**
 * How a sweep ended, as the CLI prints it. A value, so it can leave the actor system.
 *
 * @param done trials DONE in this run
 * @param failed trials FAILED in this run (every attempt failed)
 * @param skipped trials already DONE in the store before the run, not run again
 * @param elapsed wall time from start to the last write
 * @param stopped whether {@link SweepHandle#stop()} ended it early
 */
public record SweepSummary(int done, int failed, int skipped, Duration elapsed, boolean stopped) {}
