package io.dfq.actors;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Hands the coordinator's events to the caller's listener and completes the handle's future;
 * a separate actor so that a slow listener delays no scheduling decision.
 */
final class EventRelay extends AbstractBehavior<SweepEvent> {

    private final Consumer<SweepEvent> listener;
    private final CompletableFuture<SweepSummary> done;
    private final AtomicBoolean stopRequested;
    private int skipped;

    private EventRelay(
            ActorContext<SweepEvent> context,
            Consumer<SweepEvent> listener,
            CompletableFuture<SweepSummary> done,
            AtomicBoolean stopRequested) {
        super(context);
        this.listener = listener;
        this.done = done;
        this.stopRequested = stopRequested;
    }

    static Behavior<SweepEvent> create(
            Consumer<SweepEvent> listener, CompletableFuture<SweepSummary> done, AtomicBoolean stopRequested) {
        return Behaviors.setup(context -> new EventRelay(context, listener, done, stopRequested));
    }

    @Override
    public Receive<SweepEvent> createReceive() {
        return newReceiveBuilder()
                .onMessage(SweepEvent.SweepStarted.class, this::onStarted)
                .onMessage(SweepEvent.SweepFinished.class, this::onFinished)
                .onMessage(SweepEvent.SweepAborted.class, this::onAborted)
                .onMessage(SweepEvent.class, this::relay)
                .build();
    }

    private Behavior<SweepEvent> onStarted(SweepEvent.SweepStarted started) {
        skipped = started.alreadyDone();
        return relay(started);
    }

    private Behavior<SweepEvent> onFinished(SweepEvent.SweepFinished finished) {
        relay(finished);
        done.complete(new SweepSummary(
                finished.done(), finished.failed(), skipped, finished.elapsed(), stopRequested.get()));
        return this;
    }

    private Behavior<SweepEvent> onAborted(SweepEvent.SweepAborted aborted) {
        relay(aborted);
        done.completeExceptionally(new IllegalStateException("sweep aborted: " + aborted.reason()));
        return this;
    }

    private Behavior<SweepEvent> relay(SweepEvent event) {
        try {
            listener.accept(event);
        } catch (RuntimeException e) {
            getContext().getLog().warn("the sweep listener failed on {}", event, e);
        }
        return this;
    }
}
