package io.dfq.quant.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;

/** Runs named stages in order, reporting each to the progress listener and timing it. */
final class Stages {

    /** A stage's body. */
    @FunctionalInterface
    interface Body<T> {
        T get() throws Exception;
    }

    private final ProgressListener progress;
    private final Map<String, Double> seconds = new LinkedHashMap<>();

    Stages(ProgressListener progress) {
        this.progress = progress;
    }

    <T> T run(String stage, Body<T> body) throws Exception {
        progress.stage(stage);
        long start = System.nanoTime();
        try {
            return body.get();
        } catch (Exception e) {
            throw new StageException(stage, e);
        } finally {
            seconds.put(stage, (System.nanoTime() - start) / 1e9);
        }
    }

    Map<String, Double> seconds() {
        return seconds;
    }

    /** A failure, prefixed with the stage it happened in. */
    static final class StageException extends Exception {

        StageException(String stage, Exception cause) {
            super(stage + ": " + describe(cause), cause);
        }

        private static String describe(Throwable t) {
            Throwable root = t;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String msg = root.getMessage();
            return root.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
        }
    }
}
