package io.dfq.actors;

import com.typesafe.config.Config;
import io.dfq.quant.artifact.ArtifactStore;
import io.dfq.quant.pipeline.TrialRunner;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * A worker machine's node: one {@link Worker} per {@link Slot}, registered with the receptionist,
 * and an {@link ArtifactServer} for what this node computed. The coordinator finds the workers,
 * not the other way round, so all the node must do is be in a cluster that has a coordinator: when
 * none has been up and reachable for {@code dfq.cluster.rejoin-after} (its sweep finished and it
 * left, or it went silent), the node terminates its actor system and the caller starts a new one,
 * which joins the seed nodes again and so finds the next coordinator. The split-brain resolver covers the other
 * cases: a partitioned or crashed coordinator makes the workers down themselves, which also ends
 * their systems.
 */
public final class WorkerNode extends AbstractBehavior<WorkerNode.Command> {

    /** Makes the trial runner of a slot; {@code fetcher} copies artifacts from other nodes. */
    @FunctionalInterface
    public interface Runners {
        TrialRunner create(Slot slot, ArtifactStore.Fetcher fetcher);
    }

    /** What the node's guardian accepts. */
    public sealed interface Command {}

    private record MemberChanged(ClusterEvent.MemberEvent event) implements Command {}

    private record ReachabilityChanged(ClusterEvent.ReachabilityEvent event) implements Command {}

    private record CoordinatorAbsent() implements Command {}

    private final TimerScheduler<Command> timers;
    private final Duration rejoinAfter;
    private final Address self;
    private final Set<Address> coordinators = new HashSet<>();
    private final Set<Address> unreachable = new HashSet<>();
    private boolean up;

    private WorkerNode(ActorContext<Command> context, TimerScheduler<Command> timers) {
        super(context);
        this.timers = timers;
        this.rejoinAfter = context.getSystem().settings().config().getDuration("dfq.cluster.rejoin-after");
        Cluster cluster = Cluster.get(context.getSystem());
        this.self = cluster.selfMember().address();
        ActorRef<ClusterEvent.MemberEvent> members =
                context.messageAdapter(ClusterEvent.MemberEvent.class, MemberChanged::new);
        ActorRef<ClusterEvent.ReachabilityEvent> reachability =
                context.messageAdapter(ClusterEvent.ReachabilityEvent.class, ReachabilityChanged::new);
        cluster.subscriptions().tell(Subscribe.create(members, ClusterEvent.MemberEvent.class));
        cluster.subscriptions().tell(Subscribe.create(reachability, ClusterEvent.ReachabilityEvent.class));
    }

    /**
     * Starts a worker node: it joins the seed nodes and offers its slots. The returned system
     * terminates when the node is downed or gives up on the coordinator.
     */
    public static ActorSystem<Command> start(NodeSetup node) {
        if (node.config().getStringList("pekko.cluster.seed-nodes").isEmpty()) {
            throw new IllegalArgumentException(
                    "a worker needs the coordinator's address: --join HOST:PORT or pekko.cluster.seed-nodes");
        }
        Behavior<Command> guardian = Behaviors.withTimers(timers -> Behaviors.setup(context -> {
            spawnSlots(context, node);
            return new WorkerNode(context, timers);
        }));
        return ActorSystem.create(guardian, ClusterConfig.SYSTEM_NAME, node.config());
    }

    /**
     * Spawns a node's {@link ArtifactServer} over its artifact root and one registered {@link
     * Worker} per slot, whose runners fetch missing artifacts from the other nodes.
     */
    static void spawnSlots(ActorContext<?> context, NodeSetup node) {
        Config cluster = context.getSystem().settings().config().getConfig("dfq.cluster");
        Behavior<ArtifactServer.Command> serving = ArtifactServer.create(new ArtifactStore(node.artifactRoot()),
                Set.copyOf(cluster.getStringList("serve-kinds")), (int) cluster.getBytes("artifact-chunk").longValue());
        ActorRef<ArtifactServer.Command> server = context.spawn(serving, "artifacts", ArtifactServer.DISPATCHER);
        context.getSystem().receptionist().tell(Receptionist.register(ArtifactServer.SERVICE, server));
        ArtifactStore.Fetcher fetcher = ArtifactFetcher.fromConfig(context.getSystem(), "fetch-kinds");
        for (Slot slot : node.slots()) {
            context.spawn(Worker.registered(node.runners().create(slot, fetcher)), "worker-" + slot.name());
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(MemberChanged.class, this::onMemberChanged)
                .onMessage(ReachabilityChanged.class, this::onReachabilityChanged)
                .onMessage(CoordinatorAbsent.class, this::onCoordinatorAbsent)
                .build();
    }

    private Behavior<Command> onMemberChanged(MemberChanged changed) {
        Member member = changed.event().member();
        boolean coordinator = member.hasRole(ClusterConfig.COORDINATOR_ROLE);
        if (changed.event() instanceof ClusterEvent.MemberUp) {
            up |= member.address().equals(self);
            if (coordinator) {
                coordinators.add(member.address());
            }
        } else if (coordinator && (changed.event() instanceof ClusterEvent.MemberRemoved
                || changed.event() instanceof ClusterEvent.MemberExited
                || changed.event() instanceof ClusterEvent.MemberLeft)) {
            coordinators.remove(member.address());
        }
        if (changed.event() instanceof ClusterEvent.MemberRemoved) {
            unreachable.remove(member.address());
        }
        return checkCoordinator();
    }

    private Behavior<Command> onReachabilityChanged(ReachabilityChanged changed) {
        Address address = changed.event().member().address();
        if (changed.event() instanceof ClusterEvent.UnreachableMember) {
            unreachable.add(address);
        } else {
            unreachable.remove(address);
        }
        return checkCoordinator();
    }

    /** Starts the rejoin timer when no coordinator is up and reachable, cancels it when one is. */
    private Behavior<Command> checkCoordinator() {
        boolean present = coordinators.stream().anyMatch(address -> !unreachable.contains(address));
        if (!up || present) {
            timers.cancel(CoordinatorAbsent.class);
        } else if (!timers.isTimerActive(CoordinatorAbsent.class)) {
            timers.startSingleTimer(CoordinatorAbsent.class, new CoordinatorAbsent(), rejoinAfter);
        }
        return this;
    }

    private Behavior<Command> onCoordinatorAbsent(CoordinatorAbsent absent) {
        getContext().getLog().warn("no coordinator in the cluster for {} s: leaving, to join the seed nodes again",
                rejoinAfter.toSeconds());
        getContext().getSystem().terminate();
        return this;
    }
}
