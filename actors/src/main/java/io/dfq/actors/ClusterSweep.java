package io.dfq.actors;

import com.typesafe.config.ConfigFactory;
import io.dfq.quant.artifact.ArtifactStore;
import io.dfq.quant.pipeline.TrialSpec;
import io.dfq.results.ResultStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Runs a sweep as the coordinator node of a Pekko cluster, the counterpart of {@link Sweep}: the
 * same {@link Coordinator}, {@link ResultWriter} and events, but the coordinator is a cluster
 * singleton (role {@value ClusterConfig#COORDINATOR_ROLE}), so the cluster never has two, and it
 * finds its workers through the receptionist wherever they run. This node owns the database (the
 * writer is its child, the single writer) and serves its artifacts; it may offer worker slots of
 * its own. Worker loss is watched twice: an actor or node that stops (downed, left) is seen by
 * death watch at once, a node that only went silent by the {@link NodeMonitor} after {@code
 * dfq.cluster.lost-worker-timeout}. The artifacts of each finished trial are copied to this node
 * ({@link ArtifactCollector}), and the sweep counts as done only once they are here.
 *
 * <p>Without seed nodes the node forms a cluster of its own (it is the first seed); the workers
 * join it. The handle's {@link SweepHandle#close()} leaves the cluster gracefully.
 */
public final class ClusterSweep {

    private ClusterSweep() {}

    /**
     * Registers {@code specs} in {@code store} and runs those not already DONE on the cluster's
     * workers. {@code listener} is called as in {@link Sweep#start}.
     */
    public static SweepHandle start(
            List<TrialSpec> specs,
            ResultStore store,
            Settings settings,
            NodeSetup node,
            Consumer<SweepEvent> listener) {
        Objects.requireNonNull(specs, "specs");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(listener, "listener");
        CompletableFuture<SweepSummary> finished = new CompletableFuture<>();
        CompletableFuture<ActorRef<Coordinator.Command>> coordinator = new CompletableFuture<>();
        CompletableFuture<ActorRef<ArtifactCollector.Command>> collector = new CompletableFuture<>();
        AtomicBoolean stopRequested = new AtomicBoolean();
        Behavior<Void> guardian = Behaviors.setup(context -> {
            ActorRef<ResultWriter.Command> writer =
                    context.spawn(ResultWriter.create(store), "result-writer", ResultWriter.DISPATCHER);
            ActorRef<ArtifactCollector.Command> collecting = spawnCollector(context, node.artifactRoot());
            collector.complete(collecting);
            Consumer<SweepEvent> collectingListener = event -> {
                if (event instanceof SweepEvent.TrialSucceeded succeeded) {
                    collecting.tell(new ArtifactCollector.Collect(succeeded.outcome().artifacts()));
                }
                listener.accept(event);
            };
            ActorRef<SweepEvent> events =
                    context.spawn(EventRelay.create(collectingListener, finished, stopRequested), "events");
            WorkerNode.spawnSlots(context, node);
            Duration lostAfter =
                    context.getSystem().settings().config().getDuration("dfq.cluster.lost-worker-timeout");
            coordinator.complete(ClusterSingleton.get(context.getSystem()).init(
                    SingletonActor.of(clustered(specs, writer, events, settings, lostAfter), "coordinator")
                            .withSettings(ClusterSingletonSettings.create(context.getSystem())
                                    .withRole(ClusterConfig.COORDINATOR_ROLE))));
            return Behaviors.empty();
        });
        ActorSystem<Void> system = ActorSystem.create(guardian, ClusterConfig.SYSTEM_NAME,
                ConfigFactory.parseMap(Map.of("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", Boolean.FALSE))
                        .withFallback(node.config()));
        system.getWhenTerminated().thenRun(() -> finished.completeExceptionally(
                new IllegalStateException("the actor system terminated before the sweep finished")));
        Duration askTimeout = system.settings().config().getDuration("dfq.ask-timeout");
        Duration drainTimeout = system.settings().config().getDuration("dfq.cluster.collect-timeout");
        CompletableFuture<SweepSummary> done = finished.thenCompose(summary -> collector.thenCompose(
                        collecting -> AskPattern.<ArtifactCollector.Command, ArtifactCollector.Drained>ask(
                                collecting, ArtifactCollector.Drain::new, drainTimeout, system.scheduler()))
                .handle((drained, failure) -> summary));
        Cluster cluster = Cluster.get(system);
        if (node.config().getStringList("pekko.cluster.seed-nodes").isEmpty()) {
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
        }
        try {
            return new SweepHandle(system, coordinator.get(askTimeout.toMillis(), TimeUnit.MILLISECONDS), done,
                    stopRequested, askTimeout);
        } catch (Exception e) {
            system.terminate();
            throw new IllegalStateException("the coordinator node did not start: " + Failures.describe(e), e);
        }
    }

    /** The collector of finished trials' artifacts into this node's store, fetching the served kinds. */
    private static ActorRef<ArtifactCollector.Command> spawnCollector(ActorContext<?> context, Path artifactRoot) {
        ArtifactStore artifacts =
                new ArtifactStore(artifactRoot, ArtifactFetcher.fromConfig(context.getSystem(), "serve-kinds"));
        Set<String> kinds =
                Set.copyOf(context.getSystem().settings().config().getStringList("dfq.cluster.serve-kinds"));
        return context.spawn(
                ArtifactCollector.create(artifacts, kinds), "artifact-collector", ArtifactServer.DISPATCHER);
    }

    /** The coordinator with its cluster wiring: receptionist registration and subscription, node monitor. */
    private static Behavior<Coordinator.Command> clustered(
            List<TrialSpec> specs,
            ActorRef<ResultWriter.Command> writer,
            ActorRef<SweepEvent> events,
            Settings settings,
            Duration lostAfter) {
        return Behaviors.setup(context -> {
            ActorRef<Receptionist.Listing> listings = context.messageAdapter(Receptionist.Listing.class,
                    listing -> new Coordinator.WorkersListed(listing.getServiceInstances(Worker.SERVICE)));
            context.getSystem().receptionist().tell(Receptionist.subscribe(Worker.SERVICE, listings));
            context.getSystem().receptionist().tell(Receptionist.register(Coordinator.SERVICE, context.getSelf()));
            context.spawn(NodeMonitor.create(context.getSelf(), lostAfter), "node-monitor");
            return Coordinator.create(specs, writer, events, settings);
        });
    }
}
