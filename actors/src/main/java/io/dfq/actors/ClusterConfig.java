package io.dfq.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The configuration of a cluster node, composed in one place so that every node of a cluster is
 * built the same way. Layers, highest first: the command line's values (bind address, seed nodes,
 * role, slots), system properties, the user's file ({@code --config FILE}, else {@code
 * application.conf}: seed nodes, TLS, split-brain settings), a worker's or observer's default of a
 * random port, {@code dfq-cluster.conf} (provider, split-brain resolver, serialization bindings,
 * loopback address), {@code reference.conf}. {@code dfq-cluster.conf} is a separate resource and
 * not part of {@code reference.conf} because the single-JVM {@code run} must stay a local actor
 * system.
 */
public final class ClusterConfig {

    /** The actor system name every node uses; part of every node address. */
    public static final String SYSTEM_NAME = "dfq";

    /** The role of the node that owns the database and runs the coordinator singleton. */
    public static final String COORDINATOR_ROLE = "coordinator";

    /** The role of nodes that only run trials. */
    public static final String WORKER_ROLE = "worker";

    /** The role of a short-lived node that only asks for the status. */
    public static final String OBSERVER_ROLE = "observer";

    private ClusterConfig() {}

    /** A {@code HOST:PORT} pair as written on the command line ({@code [::1]:2552} for IPv6). */
    public record HostPort(String host, int port) {

        public HostPort {
            if (host.isBlank() || port < 0 || port > 65535) {
                throw new IllegalArgumentException("not a HOST:PORT: " + host + ":" + port);
            }
        }

        /** Parses {@code HOST:PORT}; the message names the text when it is not one. */
        public static HostPort parse(String text) {
            int colon = text.lastIndexOf(':');
            if (colon <= 0 || colon == text.length() - 1) {
                throw new IllegalArgumentException("'" + text + "' is not HOST:PORT");
            }
            String host = text.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            try {
                return new HostPort(host, Integer.parseInt(text.substring(colon + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not HOST:PORT: the port is not a number", e);
            }
        }

        /** The address of the node {@code dfq} listening here, as a seed node entry. */
        public String nodeAddress() {
            String h = host.contains(":") ? "[" + host + "]" : host;
            return "pekko://" + SYSTEM_NAME + "@" + h + ":" + port;
        }
    }

    /**
     * The configuration of a node.
     *
     * @param role {@link #COORDINATOR_ROLE}, {@link #WORKER_ROLE} or {@link #OBSERVER_ROLE}
     * @param bind the interface and port to listen on (only there), or null for the configured one
     * @param join seed nodes; empty for those configured ({@code pekko.cluster.seed-nodes})
     * @param user the user's settings, from {@link #user(Path)}
     * @param slots worker slots of this node: the size of its trial thread pool
     */
    public static Config node(String role, HostPort bind, List<HostPort> join, Config user, int slots) {
        Map<String, Object> values = new HashMap<>();
        values.put("pekko.cluster.roles", List.of(role));
        values.put("dfq.blocking-dispatcher.thread-pool-executor.fixed-pool-size", Math.max(1, slots));
        if (bind != null) {
            values.put("pekko.remote.artery.canonical.hostname", bind.host());
            values.put("pekko.remote.artery.canonical.port", bind.port());
            values.put("pekko.remote.artery.bind.hostname", bind.host());
        }
        if (!join.isEmpty()) {
            values.put("pekko.cluster.seed-nodes", join.stream().map(HostPort::nodeAddress).toList());
        }
        Config roleDefaults = role.equals(COORDINATOR_ROLE)
                ? ConfigFactory.empty()
                : ConfigFactory.parseMap(Map.of("pekko.remote.artery.canonical.port", 0));
        return ConfigFactory.parseMap(values)
                .withFallback(ConfigFactory.defaultOverrides())
                .withFallback(user)
                .withFallback(roleDefaults)
                .withFallback(ConfigFactory.parseResourcesAnySyntax("dfq-cluster"))
                .withFallback(ConfigFactory.defaultReference())
                .resolve();
    }

    /** The user's configuration: {@code file}, or {@code application.conf} when it is null. */
    public static Config user(Path file) {
        if (file == null) {
            return ConfigFactory.defaultApplication();
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no configuration file " + file.toAbsolutePath());
        }
        return ConfigFactory.parseFile(file.toFile());
    }
}
