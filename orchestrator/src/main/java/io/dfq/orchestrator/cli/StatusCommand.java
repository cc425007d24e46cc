package io.dfq.orchestrator.cli;

import io.dfq.actors.ClusterConfig;
import io.dfq.actors.ClusterStatus;
import io.dfq.actors.Coordinator;
import io.dfq.results.ResultStore;
import io.dfq.results.TrialRecord;
import io.dfq.results.TrialStatus;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code status}: how many trials are in each state, the running ones, and failures with reasons,
 * from the database. {@code status --cluster} asks a running cluster instead: its nodes, the
 * coordinator's slots and what each runs now (see {@link ClusterStatus}).
 */
@Command(name = "status", description = "Trial counts per status; running and failed trials; --cluster: live nodes.")
public final class StatusCommand implements Callable<Integer> {

    @Mixin
    HomeOptions home;

    @Option(names = "--recipe", paramLabel = "NAME", description = "Only this recipe.")
    String recipe;

    @Option(names = "--failed", description = "List failed trials with their errors.")
    boolean failed;

    @Option(names = "--cluster", description = "Ask the running cluster (--join HOST:PORT) for its nodes and slots.")
    boolean cluster;

    @Mixin
    ClusterOptions clusterOptions;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "20",
            description = "With --cluster: how long to wait for the cluster (default: ${DEFAULT-VALUE}).")
    long timeout;

    @Override
    public Integer call() throws Exception {
        if (cluster) {
            return printCluster(ClusterStatus.query(
                    clusterOptions.nodeConfig(ClusterConfig.OBSERVER_ROLE, 0), Duration.ofSeconds(timeout)));
        }
        try (ResultStore store = home.openExisting()) {
            Map<TrialStatus, Integer> counts = store.counts(recipe);
            StringBuilder sb = new StringBuilder(recipe == null ? "all recipes:" : recipe + ":");
            for (TrialStatus s : TrialStatus.values()) {
                sb.append(' ').append(s.name().toLowerCase()).append(' ').append(counts.getOrDefault(s, 0));
            }
            System.out.println(sb);
            FilterOptions running = new FilterOptions();
            running.recipe = recipe;
            running.limit = 1000;
            for (TrialRecord r : store.list(running.query().withStatus(TrialStatus.RUNNING))) {
                System.out.printf("running %s %s %s/%s W%dA%d %s attempt %d on %s%n", r.key().substring(0, 12),
                        r.model(), r.generator(), r.quantizer(), r.wbits(), r.abits(), r.protocol(), r.attempts(), r.worker());
            }
            if (failed) {
                for (TrialRecord r : store.list(running.query().withStatus(TrialStatus.FAILED))) {
                    System.out.printf("failed %s %s %s/%s W%dA%d %s after %d attempt(s): %s%n", r.key().substring(0, 12),
                            r.model(), r.generator(), r.quantizer(), r.wbits(), r.abits(), r.protocol(), r.attempts(), r.error());
                }
            }
            return 0;
        }
    }

    private static int printCluster(ClusterStatus.Report report) {
        System.out.println("nodes:");
        for (ClusterStatus.Node node : report.nodes()) {
            System.out.printf("  %-22s %-8s %-12s%s%n", node.address(), node.status(), String.join(",", node.roles()),
                    node.reachable() ? "" : " UNREACHABLE");
        }
        Coordinator.Status status = report.coordinator();
        long busy = status.slots().stream().filter(slot -> slot.trial() != null).count();
        System.out.printf("slots: %d, %d running%n", status.slots().size(), busy);
        for (Coordinator.SlotStatus slot : status.slots()) {
            if (slot.trial() == null) {
                System.out.printf("  %-36s idle%n", slot.worker());
            } else {
                System.out.printf("  %-36s running %s attempt %d, %d s%n", slot.worker(),
                        slot.trial().substring(0, Math.min(12, slot.trial().length())), slot.attempt(),
                        slot.runningMillis() / 1000);
            }
        }
        System.out.printf("this run: %d pending, %d running, %d done, %d failed%n",
                status.pending(), busy, status.done(), status.failed());
        return 0;
    }
}
