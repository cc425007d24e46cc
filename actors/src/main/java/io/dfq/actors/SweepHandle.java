package io.dfq.actors;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * A running sweep, seen from plain Java code: the CLI waits on {@link #done()}, calls {@link
 * #stop()} from its shutdown hook and {@link #close()} at the end. It only talks to the actors
 * by messages, so it is safe to use from any thread. In a cluster the coordinator is a singleton
 * reached through its proxy, and closing leaves the cluster before the system terminates.
 */
public final class SweepHandle implements AutoCloseable {

    private final ActorSystem<?> system;
    private final ActorRef<Coordinator.Command> coordinator;
    private final CompletableFuture<SweepSummary> done;
    private final AtomicBoolean stopRequested;
    private final Duration askTimeout;

    SweepHandle(
            ActorSystem<?> system,
            ActorRef<Coordinator.Command> coordinator,
            CompletableFuture<SweepSummary> done,
            AtomicBoolean stopRequested,
            Duration askTimeout) {
        this.system = system;
        this.coordinator = coordinator;
        this.done = done;
        this.stopRequested = stopRequested;
        this.askTimeout = askTimeout;
    }

    /**
     * Completes when every trial is DONE or FAILED (or after a stop) and all results are written;
     * fails when the trials could not be registered or the actor system ended first. It is
     * completed on an actor thread: use the {@code ...Async} methods for slow continuations.
     */
    public CompletionStage<SweepSummary> done() {
        return done.minimalCompletionStage();
    }

    /**
     * Stops gracefully: no new trials, running attempts go back to PENDING (error {@value
     * Coordinator#INTERRUPTED}), finished results are written. Completes when that is done.
     */
    public CompletionStage<Void> stop() {
        if (done.isDone()) {
            return CompletableFuture.completedFuture(null);
        }
        stopRequested.set(true);
        // The coordinator itself waits up to the ask timeout for the writer's flush.
        return AskPattern.<Coordinator.Command, Coordinator.Stopped>ask(
                        coordinator, Coordinator.Stop::new, askTimeout.multipliedBy(2), system.scheduler())
                .thenAccept(stopped -> {});
    }

    /**
     * Terminates the actor system and waits for it. A trial thread stuck past its timeout cannot
     * be killed and may keep the JVM alive; the CLI exits explicitly.
     */
    @Override
    public void close() {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
    }
}
