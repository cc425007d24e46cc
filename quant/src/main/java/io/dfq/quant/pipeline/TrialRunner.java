package io.dfq.quant.pipeline;

/** Runs one trial to completion on the calling thread (a blocking call). */
@FunctionalInterface
public interface TrialRunner {

    /**
     * Runs the trial.
     *
     * @throws Exception any failure; the caller records its message as the trial's error
     */
    TrialOutcome run(TrialSpec spec, ProgressListener progress) throws Exception;
}
