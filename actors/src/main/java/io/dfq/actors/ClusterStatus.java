package io.dfq.actors;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The live status of a cluster ({@code status --cluster}). The database says what is done, only
 * the running coordinator knows which node runs what right now, and the cluster's membership is
 * only known inside the cluster; so the query joins it for a moment as an {@value
 * ClusterConfig#OBSERVER_ROLE} (no slots; the singleton never moves to it), finds the coordinator
 * through the receptionist, asks it, reads the membership and leaves.
 */
public final class ClusterStatus {

    private ClusterStatus() {}

    /** A cluster member as this query saw it. */
    public record Node(String address, String status, List<String> roles, boolean reachable) {}

    /** The members (the querying node left out) and the coordinator's view of its sweep. */
    public record Report(List<Node> nodes, Coordinator.Status coordinator) {}

    /**
     * Joins with {@code config} (an {@value ClusterConfig#OBSERVER_ROLE} node, see {@link
     * ClusterConfig#node}), asks and leaves; each step is bounded by {@code timeout}.
     *
     * @throws TimeoutException when no coordinator was found in time (none running, wrong address)
     */
    public static Report query(Config config, Duration timeout) throws Exception {
        if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
            throw new IllegalArgumentException(
                    "the status of which cluster? --join HOST:PORT (the coordinator) or pekko.cluster.seed-nodes");
        }
        CompletableFuture<ActorRef<Coordinator.Command>> found = new CompletableFuture<>();
        Behavior<Receptionist.Listing> guardian = Behaviors.setup(context -> {
            context.getSystem().receptionist().tell(Receptionist.subscribe(Coordinator.SERVICE, context.getSelf()));
            return Behaviors.receiveMessage(listing -> {
                listing.getServiceInstances(Coordinator.SERVICE).stream().findFirst().ifPresent(found::complete);
                return Behaviors.same();
            });
        });
        ActorSystem<Receptionist.Listing> system = ActorSystem.create(guardian, ClusterConfig.SYSTEM_NAME, config);
        try {
            ActorRef<Coordinator.Command> coordinator;
            try {
                coordinator = found.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new TimeoutException("no coordinator found within " + timeout.toSeconds() + " s via "
                        + config.getStringList("pekko.cluster.seed-nodes"));
            }
            Coordinator.Status status = AskPattern.<Coordinator.Command, Coordinator.Status>ask(
                            coordinator, Coordinator.GetStatus::new, timeout, system.scheduler())
                    .toCompletableFuture()
                    .get();
            return new Report(members(Cluster.get(system)), status);
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static List<Node> members(Cluster cluster) {
        ClusterEvent.CurrentClusterState state = cluster.state();
        Address self = cluster.selfMember().address();
        List<Node> nodes = new ArrayList<>();
        for (Member member : state.getMembers()) {
            if (!member.address().equals(self)) {
                nodes.add(new Node(
                        member.address().getHost().orElse("?") + ":" + member.address().getPort().orElse(0),
                        member.status().toString(),
                        member.getRoles().stream().filter(role -> !role.startsWith("dc-")).sorted().toList(),
                        !state.getUnreachable().contains(member)));
            }
        }
        return List.copyOf(nodes);
    }
}
