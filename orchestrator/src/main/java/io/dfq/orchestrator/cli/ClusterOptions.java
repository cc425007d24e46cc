package io.dfq.orchestrator.cli;

import ai.djl.Device;
import com.typesafe.config.Config;
import io.dfq.actors.ClusterConfig;
import io.dfq.actors.Slot;
import io.dfq.actors.WorkerNode;
import io.dfq.quant.artifact.ArtifactStore;
import io.dfq.quant.pipeline.Pipeline;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/**
 * The options of every command that makes this process a cluster node (coordinator, worker, status
 * observer): where it listens, whom it joins, the user's configuration file. Values given here win
 * over the file, which wins over the defaults (see {@link ClusterConfig#node}).
 */
public final class ClusterOptions {

    @Option(names = "--bind", paramLabel = "HOST:PORT", converter = HostPortConverter.class,
            description = "Listen on this interface and port only (default from config: 127.0.0.1, port 25520 for "
                    + "the coordinator, random for others).")
    ClusterConfig.HostPort bind;

    @Option(names = "--join", paramLabel = "HOST:PORT", converter = HostPortConverter.class,
            description = "A seed node, normally the coordinator (repeatable; default: pekko.cluster.seed-nodes).")
    List<ClusterConfig.HostPort> join = new ArrayList<>();

    @Option(names = "--config", paramLabel = "FILE",
            description = "HOCON file with Pekko/dfq settings: seed nodes, TLS, split-brain resolver "
                    + "(default: application.conf on the class path).")
    Path config;

    /** The configuration of this node in {@code role} with {@code slots} worker slots. */
    Config nodeConfig(String role, int slots) {
        return ClusterConfig.node(role, bind, join, ClusterConfig.user(config), slots);
    }

    /** The address other nodes use to reach this one, as configured ({@code host:port}). */
    static String address(Config config) {
        return config.getString("pekko.remote.artery.canonical.hostname") + ":"
                + config.getInt("pekko.remote.artery.canonical.port");
    }

    /**
     * Each slot's trial pipeline over the node's own artifact store (which fetches what other nodes
     * have), pinned to the slot's device: {@code Device.gpu(i)} for a GPU slot, the CPU otherwise.
     */
    static WorkerNode.Runners pipelines(Path artifacts, Path dataDir) {
        return (slot, fetcher) -> new Pipeline(new ArtifactStore(artifacts, fetcher), dataDir, device(slot));
    }

    private static Device device(Slot slot) {
        return slot.gpu().isPresent() ? Device.gpu(slot.gpu().getAsInt()) : Device.cpu();
    }

    /** Parses {@code HOST:PORT} options. */
    public static final class HostPortConverter implements ITypeConverter<ClusterConfig.HostPort> {
        @Override
        public ClusterConfig.HostPort convert(String value) {
            return ClusterConfig.HostPort.parse(value);
        }
    }
}
