package io.dfq.actors;

import static io.dfq.actors.TestTrials.outcome;
import static io.dfq.actors.TestTrials.specs;
import static org.assertj.core.api.Assertions.assertThat;

import io.dfq.quant.artifact.ArtifactStore;
import io.dfq.quant.pipeline.TrialOutcome;
import io.dfq.quant.pipeline.TrialRunner;
import io.dfq.quant.pipeline.TrialSpec;
import io.dfq.results.TrialStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A coordinator and worker nodes as separate actor systems in this JVM, talking over loopback
 * Artery with every message serialized: the sweep survives a worker downed mid-trial, a restarted
 * worker is used again, and the live status sees the nodes and what they run.
 */
class ClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path home;

    private final InMemoryResultStore store = new InMemoryResultStore();
    private final Map<String, Queue<String>> ranOn = new ConcurrentHashMap<>();
    private final CountDownLatch releaseFirst = new CountDownLatch(1);
    private final List<ActorSystem<?>> workers = new ArrayList<>();
    private SweepHandle coordinator;

    @AfterEach
    void shutDown() {
        releaseFirst.countDown();
        workers.forEach(ActorSystem::terminate);
        if (coordinator != null) {
            coordinator.close();
        }
        workers.forEach(system -> system.getWhenTerminated().toCompletableFuture().join());
    }

    /** A runner that records on which node each attempt ran, then behaves as {@code body}. */
    private TrialRunner recording(String node, TrialRunner body) {
        return (spec, progress) -> {
            ranOn.computeIfAbsent(spec.key(), key -> new ConcurrentLinkedQueue<>()).add(node);
            return body.run(spec, progress);
        };
    }

    private ActorSystem<?> startWorker(int coordinatorPort, String node, TrialRunner runner) {
        ActorSystem<?> system = WorkerNode.start(new NodeSetup(TestCluster.worker(coordinatorPort, 1),
                Slot.cpus(1), home.resolve(node), (slot, fetcher) -> recording(node, runner)));
        workers.add(system);
        return system;
    }

    private static boolean await(CountDownLatch latch) throws InterruptedException {
        return latch.await(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aTrialOfADownedWorkerCompletesElsewhereOnceAndARestartedWorkerIsUsedAgain() throws Exception {
        int port = TestCluster.freePort();
        List<TrialSpec> specs = specs(6);
        coordinator = ClusterSweep.start(specs, store, new Settings(1, 2, Duration.ZERO),
                new NodeSetup(TestCluster.coordinator(port), List.of(), home.resolve("coordinator"),
                        (slot, fetcher) -> (spec, progress) -> outcome(0.5)),
                event -> {});
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch secondStarted = new CountDownLatch(1);
        CountDownLatch restartedRan = new CountDownLatch(1);
        ActorSystem<?> first = startWorker(port, "first", (spec, progress) -> {
            firstStarted.countDown();
            releaseFirst.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            return outcome(0.1);
        });
        assertThat(await(firstStarted)).isTrue();
        String lostKey = ranOn.keySet().iterator().next();
        ActorSystem<?> second = startWorker(port, "second", (spec, progress) -> {
            secondStarted.countDown();
            restartedRan.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            return outcome(0.9);
        });
        assertThat(await(secondStarted)).isTrue();

        ClusterStatus.Report report = ClusterStatus.query(TestCluster.observer(port), WAIT);

        assertThat(report.nodes()).hasSize(3).allSatisfy(node -> {
            assertThat(node.reachable()).isTrue();
            assertThat(node.status()).isEqualTo("Up");
        });
        assertThat(report.nodes()).filteredOn(node -> node.roles().contains("coordinator"))
                .singleElement().extracting(ClusterStatus.Node::address).isEqualTo("127.0.0.1:" + port);
        assertThat(report.coordinator().slots()).hasSize(2).allSatisfy(slot -> {
            assertThat(slot.worker()).startsWith("127.0.0.1:").endsWith("/worker-cpu-1");
            assertThat(slot.trial()).isNotNull();
        });
        assertThat(report.coordinator().slots()).extracting(Coordinator.SlotStatus::trial).contains(lostKey);

        Address firstAddress = Cluster.get(first).selfMember().address();
        Cluster.get(second).manager().tell(new Down(firstAddress));
        first.getWhenTerminated().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        startWorker(port, "restarted", (spec, progress) -> {
            restartedRan.countDown();
            return outcome(0.9);
        });
        SweepSummary summary = coordinator.done().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(summary.done()).isEqualTo(6);
        assertThat(summary.failed()).isZero();
        for (TrialSpec spec : specs) {
            assertThat(store.status(spec.key())).isEqualTo(TrialStatus.DONE);
            assertThat(store.successes(spec.key())).as(spec.key()).hasSize(1);
        }
        assertThat(store.successes(lostKey)).singleElement().satisfies(success -> {
            assertThat(success.attempt()).isEqualTo(2);
            assertThat(success.result().metrics()).containsEntry("top1", 0.9);
        });
        assertThat(store.failures(lostKey)).singleElement().satisfies(failure -> {
            assertThat(failure.error()).startsWith("worker lost: 127.0.0.1:").endsWith("/worker-cpu-1 stopped");
            assertThat(failure.willRetry()).isTrue();
        });
        assertThat(ranOn.get(lostKey)).hasSize(2).first().isEqualTo("first");
        assertThat(ranOn.values()).anySatisfy(nodes -> assertThat(nodes).contains("restarted"));
    }

    @Test
    void aRestartedCoordinatorResumesWithoutRecomputingAndItsWorkerRejoins() throws Exception {
        int port = TestCluster.freePort();
        List<TrialSpec> specs = specs(5);
        NodeSetup coordinatorNode = new NodeSetup(TestCluster.coordinator(port), List.of(),
                home.resolve("coordinator"), (slot, fetcher) -> (spec, progress) -> outcome(0.5));
        CountDownLatch inFlight = new CountDownLatch(1);
        List<ActorSystem<WorkerNode.Command>> incarnations = new CopyOnWriteArrayList<>();
        NodeSetup workerNode = new NodeSetup(TestCluster.worker(port, 1), Slot.cpus(1), home.resolve("worker"),
                (slot, fetcher) -> recording("worker", (spec, progress) -> {
                    if (spec.key().equals("t2") && ranOn.get("t2").size() == 1) {
                        inFlight.countDown();
                        releaseFirst.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                    }
                    return outcome(0.7);
                }));
        coordinator = ClusterSweep.start(specs, store, new Settings(1, 2, Duration.ZERO), coordinatorNode, e -> {});
        try (WorkerLoop loop = new WorkerLoop(workerNode, incarnations::add)) {
            Thread worker = new Thread(loop::run, "worker-loop");
            worker.start();
            assertThat(await(inFlight)).isTrue();

            coordinator.stop().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            coordinator.close();
            releaseFirst.countDown();
            coordinator = ClusterSweep.start(specs, store, new Settings(1, 2, Duration.ZERO), coordinatorNode,
                    e -> {});
            SweepSummary resumed = coordinator.done().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);

            assertThat(resumed.skipped()).isEqualTo(2);
            assertThat(resumed.done()).isEqualTo(3);
            assertThat(incarnations).as("the worker left the finished cluster and joined the new one").hasSize(2);
            loop.close();
            worker.join(WAIT.toMillis());
            assertThat(worker.isAlive()).isFalse();
        }
        for (TrialSpec spec : specs) {
            assertThat(store.successes(spec.key())).as(spec.key()).hasSize(1);
            assertThat(ranOn.get(spec.key())).as(spec.key()).hasSize(spec.key().equals("t2") ? 2 : 1);
        }
        assertThat(store.failures("t2")).containsExactly(
                new InMemoryResultStore.Failure("t2", 1, Coordinator.INTERRUPTED, true));
    }

    @Test
    void theCoordinatorsNodeCollectsTheArtifactsOfEachFinishedTrial() throws Exception {
        int port = TestCluster.freePort();
        List<TrialSpec> specs = specs(3);
        coordinator = ClusterSweep.start(specs, store, new Settings(1, 2, Duration.ZERO),
                new NodeSetup(TestCluster.coordinator(port), List.of(), home.resolve("coordinator"),
                        (slot, fetcher) -> (spec, progress) -> outcome(0.5)),
                event -> {});
        NodeSetup worker = new NodeSetup(TestCluster.worker(port, 1), Slot.cpus(1), home.resolve("worker"),
                (slot, fetcher) -> {
                    ArtifactStore artifacts = new ArtifactStore(home.resolve("worker"), fetcher);
                    return (spec, progress) -> {
                        artifacts.obtain("teacher", "tk", dir -> Files.writeString(dir.resolve("net.params"), "w"));
                        artifacts.obtain("quantized", spec.key(),
                                dir -> Files.writeString(dir.resolve("model.dfqm"), spec.key()));
                        Thread.sleep(300); // simulated work: the worker's artifact server becomes known meanwhile
                        return new TrialOutcome(Map.of("top1", 0.5), Map.of(), Map.of(
                                "teacher", "teacher/tk",
                                "quantized_model", "quantized/" + spec.key() + "/model.dfqm",
                                "outside", "../" + spec.key()));
                    };
                });
        workers.add(WorkerNode.start(worker));

        coordinator.done().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        ArtifactStore collected = new ArtifactStore(home.resolve("coordinator"));
        assertThat(collected.isValid("teacher", "tk")).isTrue();
        for (TrialSpec spec : specs) {
            assertThat(collected.isValid("quantized", spec.key())).as(spec.key()).isTrue();
            assertThat(Files.readString(collected.dir("quantized", spec.key()).resolve("model.dfqm")))
                    .isEqualTo(spec.key());
        }
        assertThat(home.resolve(specs.get(0).key())).doesNotExist();
    }
}
