package io.dfq.orchestrator.cli;

import com.typesafe.config.Config;
import io.dfq.actors.ClusterConfig;
import io.dfq.actors.NodeSetup;
import io.dfq.actors.Slot;
import io.dfq.actors.WorkerLoop;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.typed.Cluster;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code worker --join HOST:PORT --slots cpu=2,gpu=1}: this machine's slots, offered to the
 * cluster's coordinator until the process is stopped. A node that leaves the cluster (downed after
 * a partition, or no coordinator for {@code dfq.cluster.rejoin-after}) is started again and joins
 * the seed nodes anew, so a worker outlives coordinators; only the JVM's shutdown (Ctrl-C,
 * SIGTERM) ends the loop, after leaving the cluster gracefully. Artifacts are cached under {@code
 * --home}; the dataset must be on this machine.
 */
@Command(name = "worker", description = "Join a cluster and run its coordinator's trials.")
public final class WorkerCommand implements Callable<Integer> {

    @Mixin
    HomeOptions home;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--slots", paramLabel = "SPEC",
            description = "Slots: cpu=N,gpu=M; each runs one trial, a GPU slot on its own GPU "
                    + "(default from config dfq.cluster.slots: cpu=1).")
    String slots;

    @Option(names = "--threads", paramLabel = "N",
            description = "Engine threads per CPU slot (default: cores / CPU slots).")
    Integer threads;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "MNIST-format dataset directory (default: $DFQ_DATA_DIR or the Debian package's).")
    Path dataDir;

    @Override
    public Integer call() {
        List<Slot> parsed = Slot.parse(slots != null
                ? slots
                : cluster.nodeConfig(ClusterConfig.WORKER_ROLE, 1).getString("dfq.cluster.slots"));
        if (parsed.isEmpty()) {
            throw new IllegalArgumentException("a worker needs at least one slot (--slots cpu=1)");
        }
        long cpus = parsed.stream().filter(slot -> slot.gpu().isEmpty()).count();
        Engine.configureThreads(threads != null
                ? threads
                : Math.max(1, Runtime.getRuntime().availableProcessors() / (int) Math.max(1, cpus)));
        Config config = cluster.nodeConfig(ClusterConfig.WORKER_ROLE, parsed.size());
        NodeSetup node = new NodeSetup(config, parsed, home.artifacts(),
                ClusterOptions.pipelines(home.artifacts(), dataDir));
        String slotNames = parsed.stream().map(Slot::name).collect(Collectors.joining(", "));
        try (WorkerLoop loop = new WorkerLoop(node, system -> {
            Address self = Cluster.get(system).selfMember().address();
            System.err.printf("worker %s:%d, slots %s, joining %s%n", self.getHost().orElse("?"),
                    self.getPort().orElse(0), slotNames, config.getStringList("pekko.cluster.seed-nodes"));
        })) {
            loop.run();
        }
        return 0;
    }
}
