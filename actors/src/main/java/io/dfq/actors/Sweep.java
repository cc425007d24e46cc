package io.dfq.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dfq.quant.pipeline.TrialRunner;
import io.dfq.quant.pipeline.TrialSpec;
import io.dfq.results.ResultStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Runs a sweep in this JVM without the caller touching actors: one call wires an actor system
 * whose guardian is the {@link Coordinator}, with the {@link ResultWriter} on its database thread
 * and {@link Settings#workers()} {@link Worker}s as children, and returns a {@link SweepHandle}.
 * The system's configuration is {@code ConfigFactory.load()} with two overrides: the blocking
 * pool gets one thread per worker, and Pekko's own JVM shutdown hook is off, so that Ctrl-C is
 * handled by the CLI's hook calling {@link SweepHandle#stop()} rather than by an abrupt
 * termination racing it.
 */
public final class Sweep {

    private Sweep() {}

    /**
     * Registers {@code specs} in {@code store} and runs those not already DONE.
     *
     * @param listener receives every {@link SweepEvent} in order, called from an actor: it must
     *     return quickly and never block (print a line, enqueue); an exception it throws is logged
     */
    public static SweepHandle start(
            List<TrialSpec> specs,
            TrialRunner runner,
            ResultStore store,
            Settings settings,
            Consumer<SweepEvent> listener) {
        Objects.requireNonNull(specs, "specs");
        Objects.requireNonNull(runner, "runner");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(listener, "listener");
        CompletableFuture<SweepSummary> done = new CompletableFuture<>();
        AtomicBoolean stopRequested = new AtomicBoolean();
        Behavior<Coordinator.Command> guardian = Behaviors.setup(context -> {
            ActorRef<ResultWriter.Command> writer =
                    context.spawn(ResultWriter.create(store), "result-writer", ResultWriter.DISPATCHER);
            ActorRef<SweepEvent> events =
                    context.spawn(EventRelay.create(listener, done, stopRequested), "events");
            for (int slot = 1; slot <= settings.workers(); slot++) {
                context.spawn(Worker.create(context.getSelf(), runner), "worker-" + slot);
            }
            return Coordinator.create(specs, writer, events, settings);
        });
        ActorSystem<Coordinator.Command> system = ActorSystem.create(guardian, "dfq", systemConfig(settings));
        system.getWhenTerminated().thenRun(() -> done.completeExceptionally(
                new IllegalStateException("the actor system terminated before the sweep finished")));
        Duration askTimeout = system.settings().config().getDuration("dfq.ask-timeout");
        return new SweepHandle(system, system, done, stopRequested, askTimeout);
    }

    private static Config systemConfig(Settings settings) {
        return ConfigFactory.parseMap(Map.of(
                        "dfq.blocking-dispatcher.thread-pool-executor.fixed-pool-size", settings.workers(),
                        "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", Boolean.FALSE))
                .withFallback(ConfigFactory.load());
    }
}
