package io.dfq.actors;

import static io.dfq.actors.TestTrials.specs;
import static org.assertj.core.api.Assertions.assertThat;

import io.dfq.quant.pipeline.TrialSpec;
import io.dfq.results.TrialStatus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workers in separate JVMs on loopback, one of them killed with SIGKILL in the middle of a trial:
 * no goodbye, no leaving, only silence. Its trial must be re-queued once the node has been
 * unreachable for {@code dfq.cluster.lost-worker-timeout} and complete on the other worker, every
 * trial exactly once. The coordinator runs in this JVM, so the store can be inspected; every child
 * process is killed at the end whatever happens.
 */
class ClusterProcessTest {

    /** The victim's trials last until it is killed, the survivor's are short. */
    private static final long VICTIM_MILLIS = 60_000;

    private static final long SURVIVOR_MILLIS = 200;

    @TempDir
    Path home;

    private final InMemoryResultStore store = new InMemoryResultStore();
    private final List<Process> children = new ArrayList<>();
    private SweepHandle coordinator;

    @AfterEach
    void shutDown() throws InterruptedException {
        for (Process child : children) {
            child.destroyForcibly();
        }
        for (Process child : children) {
            child.waitFor(10, TimeUnit.SECONDS);
        }
        if (coordinator != null) {
            coordinator.close();
        }
    }

    /** Starts a worker JVM; the trial keys it starts arrive on the returned queue. */
    private BlockingQueue<String> startWorker(int coordinatorPort, long trialMillis) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                WorkerProcess.class.getName(), "127.0.0.1:" + coordinatorPort, "1", Long.toString(trialMillis))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        children.add(child);
        BlockingQueue<String> started = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("started ")) {
                        started.add(line.substring("started ".length()));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "worker-" + child.pid() + "-stdout");
        reader.setDaemon(true);
        reader.start();
        return started;
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aSweepSurvivesAWorkerKilledMidTrialAndRunsEveryTrialOnce() throws Exception {
        int port = TestCluster.freePort();
        List<TrialSpec> specs = specs(10);
        coordinator = ClusterSweep.start(specs, store, new Settings(1, 2, Duration.ZERO),
                new NodeSetup(TestCluster.coordinator(port), List.of(), home, (slot, fetcher) -> {
                    throw new AssertionError("the coordinator has no slots");
                }),
                event -> {});

        BlockingQueue<String> victimStarted = startWorker(port, VICTIM_MILLIS);
        String runningOnVictim = victimStarted.poll(60, TimeUnit.SECONDS);
        assertThat(runningOnVictim).as("the first worker started a trial").isNotNull();
        BlockingQueue<String> survivorStarted = startWorker(port, SURVIVOR_MILLIS);
        assertThat(survivorStarted.poll(60, TimeUnit.SECONDS)).as("the second worker started a trial").isNotNull();
        Process victim = children.get(0);
        victim.destroyForcibly();
        assertThat(victim.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(victim.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
        SweepSummary summary = coordinator.done().toCompletableFuture().get(60, TimeUnit.SECONDS);

        assertThat(summary.done()).isEqualTo(specs.size());
        assertThat(summary.failed()).isZero();
        for (TrialSpec spec : specs) {
            assertThat(store.status(spec.key())).isEqualTo(TrialStatus.DONE);
            assertThat(store.successes(spec.key())).as(spec.key()).hasSize(1);
        }
        assertThat(store.failures(runningOnVictim)).singleElement().satisfies(failure -> {
            assertThat(failure.error()).startsWith("worker lost: node 127.0.0.1:").contains("unreachable");
            assertThat(failure.willRetry()).isTrue();
        });
        assertThat(store.successes(runningOnVictim)).singleElement().extracting(s -> s.attempt()).isEqualTo(2);
    }
}
