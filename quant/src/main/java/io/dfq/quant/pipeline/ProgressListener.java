package io.dfq.quant.pipeline;

/** Receives a running trial's progress: the stage it entered and free-form messages. */
public interface ProgressListener {

    /** A listener that ignores everything. */
    ProgressListener NONE = new ProgressListener() {
        @Override
        public void stage(String stage) {}

        @Override
        public void message(String text) {}
    };

    /** The trial entered {@code stage} ({@code teacher}, {@code synthesis}, ...). */
    void stage(String stage);

    /** A progress line (iteration, loss...). */
    void message(String text);

    /**
     * A named number the stage measured (a training curve point, a loss term), recorded with the
     * trial's metrics; ignored by default.
     */
    default void metric(String name, double value) {}
}
