package io.dfq.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.List;

/**
 * Cluster nodes on loopback for the tests: the production composition ({@link ClusterConfig#node})
 * with a user layer of shorter timeouts, so that loss, downing and leaving take seconds.
 */
final class TestCluster {

    /**
     * Split-brain decisions, re-queuing and leaving in seconds instead of tens of seconds; failure
     * detection stays at Pekko's defaults (unreachable after about 4 s of silence), so that a busy
     * machine running the tests does not make a healthy node look dead.
     */
    static final Config FAST = ConfigFactory.parseString("""
            pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
            pekko.cluster.gossip-interval = 200ms
            pekko.cluster.leader-actions-interval = 200ms
            pekko.cluster.split-brain-resolver.stable-after = 6s
            pekko.cluster.typed.receptionist.distributed-data.gossip-interval = 200ms
            pekko.coordinated-shutdown.phases.cluster-exiting.timeout = 3s
            pekko.coordinated-shutdown.phases.cluster-leave.timeout = 3s
            dfq.cluster.lost-worker-timeout = 1s
            dfq.cluster.rejoin-after = 2s
            dfq.ask-timeout = 10s
            """);

    /**
     * For the benchmark's saturated cores: a node must be silent for 10 s to be unreachable, and
     * registering thousands of trials while worker JVMs start may take longer than a test's ask.
     */
    static final Config PATIENT = ConfigFactory.parseString("""
            pekko.cluster.failure-detector.acceptable-heartbeat-pause = 10s
            dfq.ask-timeout = 60s
            """);

    private TestCluster() {}

    /** A free loopback port (for the coordinator, whose address the workers must know). */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ClusterConfig.HostPort loopback(int port) {
        return new ClusterConfig.HostPort("127.0.0.1", port);
    }

    static Config coordinator(int port) {
        return ClusterConfig.node(ClusterConfig.COORDINATOR_ROLE, loopback(port), List.of(), FAST, 1);
    }

    static Config worker(int coordinatorPort, int slots) {
        return ClusterConfig.node(ClusterConfig.WORKER_ROLE, loopback(0), List.of(loopback(coordinatorPort)), FAST,
                slots);
    }

    static Config observer(int coordinatorPort) {
        return ClusterConfig.node(ClusterConfig.OBSERVER_ROLE, loopback(0), List.of(loopback(coordinatorPort)), FAST,
                0);
    }
}
