package io.dfq.actors;

import static io.dfq.actors.TestTrials.outcome;
import static io.dfq.actors.TestTrials.spec;
import static io.dfq.actors.TestTrials.specs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dfq.actors.InMemoryResultStore.Failure;
import io.dfq.quant.pipeline.TrialRunner;
import io.dfq.quant.pipeline.TrialSpec;
import io.dfq.results.TrialStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Whole sweeps through {@link Sweep#start}, with a fake runner and the in-memory store. */
class SweepTest {

    private static final Settings TWO_WORKERS = new Settings(2, 2, Duration.ZERO);

    private final InMemoryResultStore store = new InMemoryResultStore();
    private final ConcurrentLinkedQueue<SweepEvent> events = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private SweepHandle handle;

    @AfterEach
    void close() {
        release.countDown();
        if (handle != null) {
            handle.close();
        }
    }

    private SweepSummary run(List<TrialSpec> specs, Settings settings, TrialRunner runner) throws Exception {
        handle = Sweep.start(specs, counting(runner), store, settings, events::add);
        return handle.done().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private TrialRunner counting(TrialRunner runner) {
        return (spec, progress) -> {
            calls.computeIfAbsent(spec.key(), key -> new AtomicInteger()).incrementAndGet();
            return runner.run(spec, progress);
        };
    }

    private int calls(String key) {
        return calls.getOrDefault(key, new AtomicInteger()).get();
    }

    @Test
    void runsEveryTrialOnceOffTheDefaultDispatcher() throws Exception {
        Set<String> runnerThreads = ConcurrentHashMap.newKeySet();
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        SweepSummary summary = run(specs(12), TWO_WORKERS, (spec, progress) -> {
            runnerThreads.add(Thread.currentThread().getName());
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            Thread.sleep(10); // simulated work, not synchronisation
            concurrent.decrementAndGet();
            return outcome(0.9);
        });

        assertThat(summary.done()).isEqualTo(12);
        assertThat(summary.failed()).isZero();
        assertThat(summary.stopped()).isFalse();
        for (TrialSpec spec : specs(12)) {
            assertThat(calls(spec.key())).as(spec.key()).isEqualTo(1);
            assertThat(store.status(spec.key())).isEqualTo(TrialStatus.DONE);
            assertThat(store.successes(spec.key())).singleElement().extracting(s -> s.attempt()).isEqualTo(1);
        }
        assertThat(maxConcurrent.get()).isLessThanOrEqualTo(2);
        assertThat(runnerThreads).allSatisfy(name -> assertThat(name).contains(Worker.BLOCKING_DISPATCHER));
        assertThat(store.writerThreads()).allSatisfy(name -> assertThat(name).contains("dfq.db-dispatcher"));
    }

    @Test
    void emitsEventsInOrderAndPullsOneTrialPerWorker() throws Exception {
        run(specs(8), TWO_WORKERS, (spec, progress) -> {
            progress.stage("quantization");
            progress.message("step 1");
            Thread.sleep(10); // simulated work, not synchronisation
            return outcome(0.9);
        });

        List<SweepEvent> seen = new ArrayList<>(events);
        assertThat(seen.get(0)).isEqualTo(new SweepEvent.SweepStarted(8, 0));
        assertThat(seen.get(seen.size() - 1)).isInstanceOfSatisfying(SweepEvent.SweepFinished.class, finished -> {
            assertThat(finished.done()).isEqualTo(8);
            assertThat(finished.failed()).isZero();
        });
        Map<String, String> runningOn = new HashMap<>();
        Set<String> workers = new HashSet<>();
        for (SweepEvent event : seen) {
            if (event instanceof SweepEvent.TrialStarted started) {
                assertThat(runningOn).as("%s is idle", started.worker()).doesNotContainValue(started.worker());
                runningOn.put(started.key(), started.worker());
                workers.add(started.worker());
            } else if (event instanceof SweepEvent.TrialStage stage) {
                assertThat(runningOn).containsKey(stage.key());
            } else if (event instanceof SweepEvent.TrialProgress progress) {
                assertThat(runningOn).containsKey(progress.key());
            } else if (event instanceof SweepEvent.TrialSucceeded succeeded) {
                assertThat(runningOn.remove(succeeded.key())).isNotNull();
            }
        }
        assertThat(runningOn).isEmpty();
        assertThat(workers).containsExactlyInAnyOrder("worker-1", "worker-2");
        assertThat(seen).filteredOn(SweepEvent.TrialStage.class::isInstance).hasSize(8);
        assertThat(seen).filteredOn(SweepEvent.TrialProgress.class::isInstance).hasSize(8);
    }

    @Test
    void retriesAnAttemptThatThrew() throws Exception {
        SweepSummary summary = run(specs(3), TWO_WORKERS, (spec, progress) -> {
            if (spec.key().equals("t1") && calls("t1") == 1) {
                throw new RuntimeException("wrapper", new IllegalStateException("flaky"));
            }
            return outcome(0.9);
        });

        assertThat(summary.done()).isEqualTo(3);
        assertThat(store.status("t1")).isEqualTo(TrialStatus.DONE);
        assertThat(store.successes("t1")).singleElement().extracting(s -> s.attempt()).isEqualTo(2);
        assertThat(store.failures("t1"))
                .containsExactly(new Failure("t1", 1, "IllegalStateException: flaky", true));
        assertThat(new ArrayList<>(events))
                .filteredOn(e -> e instanceof SweepEvent.TrialFailed || e instanceof SweepEvent.TrialSucceeded)
                .filteredOn(e -> e.toString().contains("key=t1"))
                .hasSize(2)
                .first()
                .isEqualTo(new SweepEvent.TrialFailed("t1", "IllegalStateException: flaky", true));
    }

    @Test
    void failsATrialAfterMaxAttemptsAndGoesOn() throws Exception {
        SweepSummary summary = run(specs(3), TWO_WORKERS.withMaxAttempts(3), (spec, progress) -> {
            if (spec.key().equals("t0")) {
                throw new IOException("disk full");
            }
            return outcome(0.9);
        });

        assertThat(summary.done()).isEqualTo(2);
        assertThat(summary.failed()).isEqualTo(1);
        assertThat(calls("t0")).isEqualTo(3);
        assertThat(store.status("t0")).isEqualTo(TrialStatus.FAILED);
        assertThat(store.failures("t0"))
                .containsExactly(
                        new Failure("t0", 1, "IOException: disk full", true),
                        new Failure("t0", 2, "IOException: disk full", true),
                        new Failure("t0", 3, "IOException: disk full", false));
        assertThat(store.status("t1")).isEqualTo(TrialStatus.DONE);
        assertThat(store.status("t2")).isEqualTo(TrialStatus.DONE);
    }

    @Test
    void failsAnOutcomeWithANonFiniteMetricNamingIt() throws Exception {
        SweepSummary summary = run(specs(2), TWO_WORKERS.withMaxAttempts(1),
                (spec, progress) -> outcome(spec.key().equals("t0") ? Double.NaN : 0.9));

        assertThat(summary.failed()).isEqualTo(1);
        assertThat(store.status("t0")).isEqualTo(TrialStatus.FAILED);
        assertThat(store.successes("t0")).isEmpty();
        assertThat(store.failures("t0"))
                .containsExactly(new Failure("t0", 1, "non-finite metric top1 = NaN", false));
        assertThat(events).contains(new SweepEvent.TrialFailed("t0", "non-finite metric top1 = NaN", false));
    }

    @Test
    void retriesATimedOutAttemptWhileItsThreadIsStillBusy() throws Exception {
        List<TrialSpec> specs = List.of(spec("slow"), spec("a"), spec("b"));
        Settings settings = TWO_WORKERS.withTrialTimeout(Duration.ofMillis(300));
        SweepSummary summary = run(specs, settings, (spec, progress) -> {
            if (spec.key().equals("slow") && calls("slow") == 1) {
                release.await(10, TimeUnit.SECONDS);
                return outcome(0.1);
            }
            return outcome(0.9);
        });

        assertThat(summary.done()).isEqualTo(3);
        assertThat(store.failures("slow")).containsExactly(new Failure("slow", 1, "timed out after 300ms", true));
        assertThat(store.successes("slow")).singleElement().satisfies(success -> {
            assertThat(success.attempt()).isEqualTo(2);
            assertThat(success.result().metrics()).containsEntry("top1", 0.9);
        });
    }

    @Test
    void stopKeepsFinishedTrialsAndPutsRunningOnesBack() throws Exception {
        CountDownLatch blocked = new CountDownLatch(2);
        handle = Sweep.start(specs(6), counting((spec, progress) -> {
            if (!spec.key().equals("t0") && !spec.key().equals("t1")) {
                blocked.countDown();
                release.await(10, TimeUnit.SECONDS);
            }
            return outcome(0.9);
        }), store, TWO_WORKERS, events::add);
        assertThat(blocked.await(5, TimeUnit.SECONDS)).isTrue();

        handle.stop().toCompletableFuture().get(5, TimeUnit.SECONDS);
        SweepSummary summary = handle.done().toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(summary.stopped()).isTrue();
        assertThat(summary.done()).isEqualTo(2);
        assertThat(store.status("t0")).isEqualTo(TrialStatus.DONE);
        assertThat(store.status("t1")).isEqualTo(TrialStatus.DONE);
        for (String key : List.of("t2", "t3")) {
            assertThat(store.status(key)).isEqualTo(TrialStatus.PENDING);
            assertThat(store.failures(key)).containsExactly(new Failure(key, 1, Coordinator.INTERRUPTED, true));
        }
        for (String key : List.of("t4", "t5")) {
            assertThat(calls(key)).isZero();
            assertThat(store.status(key)).isEqualTo(TrialStatus.PENDING);
        }
        assertThat(new ArrayList<>(events).get(events.size() - 1)).isInstanceOf(SweepEvent.SweepFinished.class);
        handle.stop().toCompletableFuture().get(1, TimeUnit.SECONDS);
    }

    @Test
    void skipsTrialsAlreadyDone() throws Exception {
        store.markDone("t0");

        SweepSummary summary = run(specs(3), TWO_WORKERS, (spec, progress) -> outcome(0.9));

        assertThat(summary.done()).isEqualTo(2);
        assertThat(summary.skipped()).isEqualTo(1);
        assertThat(calls("t0")).isZero();
        assertThat(events).first().isEqualTo(new SweepEvent.SweepStarted(2, 1));
    }

    @Test
    void abortsWhenTheTrialsCannotBeRegistered() {
        store.failRegister(new IllegalStateException("database is locked"));

        assertThatThrownBy(() -> run(specs(2), TWO_WORKERS, (spec, progress) -> outcome(0.9)))
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("register 2 trials: IllegalStateException: database is locked");
        assertThat(events).containsExactly(
                new SweepEvent.SweepAborted("register 2 trials: IllegalStateException: database is locked"));
        assertThat(calls).isEmpty();
    }
}
