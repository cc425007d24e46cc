package io.dfq.actors;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Turns the cluster's reachability into the coordinator's two decisions: a node unreachable for
 * longer than the timeout has its running trials re-queued ({@link Coordinator.NodeLost}), and a
 * node reachable again after that has its idle workers invited back ({@link
 * Coordinator.NodeReachable}). Downing a node is the split-brain resolver's business and takes
 * longer ({@code stable-after}); a trial should not wait for it, nor be re-queued on the first
 * missed heartbeat, hence a timeout of its own. A separate actor, so that the coordinator stays
 * free of cluster events and its tests need no cluster.
 */
final class NodeMonitor extends AbstractBehavior<NodeMonitor.Command> {

    /** What the monitor accepts. */
    sealed interface Command {}

    private record ClusterChanged(ClusterEvent.ClusterDomainEvent event) implements Command {}

    private record StillUnreachable(Address address) implements Command {}

    private final ActorRef<Coordinator.Command> coordinator;
    private final Duration timeout;
    private final TimerScheduler<Command> timers;
    private final Set<Address> lost = new HashSet<>();

    private NodeMonitor(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            ActorRef<Coordinator.Command> coordinator,
            Duration timeout) {
        super(context);
        this.timers = timers;
        this.coordinator = coordinator;
        this.timeout = timeout;
        ActorRef<ClusterEvent.ReachabilityEvent> reachability =
                context.messageAdapter(ClusterEvent.ReachabilityEvent.class, ClusterChanged::new);
        ActorRef<ClusterEvent.MemberRemoved> removals =
                context.messageAdapter(ClusterEvent.MemberRemoved.class, ClusterChanged::new);
        Cluster cluster = Cluster.get(context.getSystem());
        cluster.subscriptions().tell(Subscribe.create(reachability, ClusterEvent.ReachabilityEvent.class));
        cluster.subscriptions().tell(Subscribe.create(removals, ClusterEvent.MemberRemoved.class));
    }

    /** Reports to {@code coordinator} the nodes unreachable for longer than {@code timeout}. */
    static Behavior<Command> create(ActorRef<Coordinator.Command> coordinator, Duration timeout) {
        return Behaviors.withTimers(timers -> Behaviors.setup(
                context -> new NodeMonitor(context, timers, coordinator, timeout)));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(ClusterChanged.class, this::onClusterChanged)
                .onMessage(StillUnreachable.class, this::onStillUnreachable)
                .build();
    }

    private Behavior<Command> onClusterChanged(ClusterChanged changed) {
        if (changed.event() instanceof ClusterEvent.UnreachableMember unreachable) {
            Address address = unreachable.member().address();
            timers.startSingleTimer(address, new StillUnreachable(address), timeout);
        } else if (changed.event() instanceof ClusterEvent.ReachableMember reachable) {
            Address address = reachable.member().address();
            timers.cancel(address);
            if (lost.remove(address)) {
                coordinator.tell(new Coordinator.NodeReachable(address));
            }
        } else if (changed.event() instanceof ClusterEvent.MemberRemoved removed) {
            timers.cancel(removed.member().address());
            lost.remove(removed.member().address());
        }
        return this;
    }

    private Behavior<Command> onStillUnreachable(StillUnreachable still) {
        lost.add(still.address());
        String node = still.address().getHost().orElse("?") + ":" + still.address().getPort().orElse(0);
        getContext().getLog().warn("node {} unreachable for {} ms: re-queuing its trials", node, timeout.toMillis());
        coordinator.tell(new Coordinator.NodeLost(
                still.address(), "node " + node + " unreachable for " + timeout.toMillis() + " ms"));
        return this;
    }
}
