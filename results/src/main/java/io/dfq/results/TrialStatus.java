package io.dfq.results;

/** Where a trial stands in the store. */
public enum TrialStatus {
    /** Registered, not yet run (or to be retried). */
    PENDING,
    /** Handed to a worker. */
    RUNNING,
    /** Finished with metrics. */
    DONE,
    /** Failed on its last allowed attempt. */
    FAILED
}
