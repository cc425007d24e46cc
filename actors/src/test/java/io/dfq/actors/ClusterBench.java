package io.dfq.actors;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dfq.quant.pipeline.TrialSpec;
import io.dfq.results.H2ResultStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * The no-op half of {@code bench/cluster.sh} (not a test): {@code ClusterBench WORKERS TRIALS HOME}
 * runs TRIALS trials that do nothing through the whole cluster path (a coordinator here with the
 * real H2 store under HOME, WORKERS worker JVMs of one slot each on loopback; assign, run, report,
 * record) and prints the steady-state throughput, measured from the end of a warm-up fifth of the
 * trials to the last write, and what that means per trial.
 */
public final class ClusterBench {

    private ClusterBench() {}

    public static void main(String[] args) throws Exception {
        int workers = Integer.parseInt(args[0]);
        int trials = Integer.parseInt(args[1]);
        Path home = Path.of(args[2]);
        int warmUp = trials / 5;
        int port = TestCluster.freePort();
        List<TrialSpec> specs = IntStream.range(0, trials).mapToObj(ClusterBench::spec).toList();
        AtomicInteger succeeded = new AtomicInteger();
        AtomicLong warmNanos = new AtomicLong();
        Map<String, Long> startedAt = new ConcurrentHashMap<>();
        AtomicLong latencyNanos = new AtomicLong();
        List<Process> children = new ArrayList<>();
        NodeSetup node = new NodeSetup(
                ClusterConfig.node(ClusterConfig.COORDINATOR_ROLE, TestCluster.loopback(port), List.of(),
                        TestCluster.PATIENT.withFallback(TestCluster.FAST), 0),
                List.of(),
                home.resolve("artifacts"),
                (slot, fetcher) -> {
                    throw new IllegalStateException("the coordinator has no slots");
                });
        Consumer<SweepEvent> timing = event -> {
            if (event instanceof SweepEvent.TrialStarted started) {
                startedAt.put(started.key(), System.nanoTime());
            } else if (event instanceof SweepEvent.TrialSucceeded done) {
                long now = System.nanoTime();
                if (succeeded.incrementAndGet() == warmUp) {
                    warmNanos.set(now);
                } else if (succeeded.get() > warmUp) {
                    latencyNanos.addAndGet(now - startedAt.get(done.key()));
                }
            }
        };
        try (H2ResultStore store = H2ResultStore.open(home);
                SweepHandle handle =
                        ClusterSweep.start(specs, store, new Settings(1, 1, Duration.ZERO), node, timing)) {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            for (int i = 0; i < workers; i++) {
                children.add(new ProcessBuilder(java.toString(), "-Xmx256m", "-XX:+UseSerialGC", "-cp",
                        System.getProperty("java.class.path"), WorkerProcess.class.getName(),
                        "127.0.0.1:" + port, "1", "0", "patient")
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start());
            }
            SweepSummary summary = handle.done().toCompletableFuture().get(30, TimeUnit.MINUTES);
            long endNanos = System.nanoTime();
            int measured = trials - warmUp;
            double seconds = (endNanos - warmNanos.get()) / 1e9;
            double perSecond = measured / seconds;
            System.out.printf("no-op trials, %d worker JVM(s) x 1 slot: %d done (%d warm-up), %.0f trials/s, "
                            + "%.2f ms per trial per slot, %.2f ms assign-to-report (mean)%n",
                    workers, summary.done(), warmUp, perSecond, 1000.0 * workers / perSecond,
                    latencyNanos.get() / 1e6 / measured);
        } finally {
            children.forEach(Process::destroyForcibly);
            for (Process child : children) {
                child.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** A trial config with every column the H2 store derives. */
    private static TrialSpec spec(int i) {
        ObjectNode config = JsonNodeFactory.instance.objectNode();
        config.putObject("teacher").put("model", "none");
        config.putObject("generator").put("name", "none");
        config.putObject("quantizer").put("name", "none");
        config.put("wbits", 8).put("abits", 8).put("protocol", "none").put("seed", i);
        return new TrialSpec(String.format("noop-%06d", i), "cluster-bench-noop", config);
    }
}
