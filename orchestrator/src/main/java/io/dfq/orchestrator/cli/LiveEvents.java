package io.dfq.orchestrator.cli;

import io.dfq.actors.SweepEvent;
import io.dfq.dashboard.LiveFeed;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Forwards the trial events of an in-process sweep to the dashboard's live feed ({@code run
 * --serve}). The dashboard does not depend on the actors, so the translation into its plain
 * (key, kind, text) events lives here, beside the other listener of the sweep, the progress bar.
 */
final class LiveEvents {

    private LiveEvents() {}

    /** A listener that passes every event to {@code first}, then the trial events to {@code live}. */
    static Consumer<SweepEvent> to(LiveFeed live, Consumer<SweepEvent> first) {
        return first.andThen(event -> {
            if (event instanceof SweepEvent.TrialStarted s) {
                live.trialEvent(s.key(), "started", "attempt " + s.attempt() + " on " + s.worker());
            } else if (event instanceof SweepEvent.TrialStage s) {
                live.trialEvent(s.key(), "stage", s.stage());
            } else if (event instanceof SweepEvent.TrialProgress p) {
                live.trialEvent(p.key(), "progress", p.text());
            } else if (event instanceof SweepEvent.TrialSucceeded s) {
                Double top1 = s.outcome().metrics().get("top1");
                live.trialEvent(s.key(), "succeeded",
                        top1 == null ? "" : String.format(Locale.ROOT, "top1 %.2f", top1));
            } else if (event instanceof SweepEvent.TrialFailed f) {
                live.trialEvent(f.key(), "failed", (f.willRetry() ? "will retry: " : "") + f.error());
            }
        });
    }
}
