package io.dfq.actors;

import static io.dfq.actors.TestTrials.nestedOutcome;
import static io.dfq.actors.TestTrials.outcome;
import static io.dfq.actors.TestTrials.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.dfq.quant.pipeline.TrialOutcome;
import io.dfq.quant.pipeline.TrialSpec;
import io.dfq.results.TrialResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The coordinator's protocol, driven by probes standing in for workers and the listener. */
class CoordinatorTest {

    private static final ActorTestKit testKit = ActorTestKit.create();

    private final InMemoryResultStore store = new InMemoryResultStore();
    private final TestProbe<SweepEvent> events = testKit.createTestProbe();

    @AfterAll
    static void shutDown() {
        testKit.shutdownTestKit();
    }

    private ActorRef<Coordinator.Command> coordinator(List<TrialSpec> specs, Settings settings) {
        ActorRef<ResultWriter.Command> writer = testKit.spawn(ResultWriter.create(store), ResultWriter.DISPATCHER);
        ActorRef<Coordinator.Command> coordinator =
                testKit.spawn(Coordinator.create(specs, writer, events.ref(), settings));
        events.expectMessage(new SweepEvent.SweepStarted(specs.size(), 0));
        return coordinator;
    }

    private static Worker.Command requestWork(
            ActorRef<Coordinator.Command> coordinator, TestProbe<Worker.Command> worker) {
        coordinator.tell(new Coordinator.RequestWork(worker.ref()));
        return worker.receiveMessage();
    }

    @Test
    void aWorkerRunningATrialGetsNoSecondOne() {
        ActorRef<Coordinator.Command> coordinator =
                coordinator(List.of(spec("a"), spec("b")), new Settings(2, 1, Duration.ZERO));
        TestProbe<Worker.Command> first = testKit.createTestProbe();
        TestProbe<Worker.Command> second = testKit.createTestProbe();

        assertThat(requestWork(coordinator, first)).isEqualTo(new Worker.Assign(spec("a"), 1, coordinator));
        assertThat(requestWork(coordinator, first)).isEqualTo(new Worker.NoWork());
        assertThat(requestWork(coordinator, second)).isEqualTo(new Worker.Assign(spec("b"), 1, coordinator));

        coordinator.tell(new Coordinator.TrialCompleted("a", 1, outcome(0.9)));
        assertThat(requestWork(coordinator, first)).isEqualTo(new Worker.NoWork());
        first.expectNoMessage(Duration.ofMillis(50));
    }

    @Test
    void aWorkerIsHandedATrialOfACalibrationSetNoRunningTrialShares() {
        List<TrialSpec> specs = List.of(spec("a-w8", 0), spec("a-w4", 0), spec("b-w8", 1), spec("b-w4", 1));
        ActorRef<Coordinator.Command> coordinator = coordinator(specs, new Settings(2, 1, Duration.ZERO));
        TestProbe<Worker.Command> first = testKit.createTestProbe();
        TestProbe<Worker.Command> second = testKit.createTestProbe();

        assertThat(requestWork(coordinator, first)).isEqualTo(new Worker.Assign(spec("a-w8", 0), 1, coordinator));
        // a-w4 would wait for a-w8's set: b-w8 goes first
        assertThat(requestWork(coordinator, second)).isEqualTo(new Worker.Assign(spec("b-w8", 1), 1, coordinator));
        coordinator.tell(new Coordinator.TrialCompleted("a-w8", 1, outcome(0.9)));
        // a's set is free again (b's is in use)
        assertThat(requestWork(coordinator, first)).isEqualTo(new Worker.Assign(spec("a-w4", 0), 1, coordinator));
        coordinator.tell(new Coordinator.TrialCompleted("a-w4", 1, outcome(0.9)));
        // only b-w4 is left, sharing the running b-w8's set: it is handed out all the same
        assertThat(requestWork(coordinator, first)).isEqualTo(new Worker.Assign(spec("b-w4", 1), 1, coordinator));
    }

    @Test
    void aWorkerIsHandedATrialOfATeacherNoRunningTrialSharesFirst() {
        List<TrialSpec> specs = List.of(spec("r-0", "resnet20", 0), spec("r-1", "resnet20", 1),
                spec("m-0", "mobilenetv2", 0));
        ActorRef<Coordinator.Command> coordinator = coordinator(specs, new Settings(2, 1, Duration.ZERO));
        TestProbe<Worker.Command> first = testKit.createTestProbe();
        TestProbe<Worker.Command> second = testKit.createTestProbe();

        assertThat(requestWork(coordinator, first)).isEqualTo(new Worker.Assign(spec("r-0", "resnet20", 0), 1,
                coordinator));
        // r-1 has a set of its own but would wait for the resnet20 teacher r-0 trains
        assertThat(requestWork(coordinator, second)).isEqualTo(new Worker.Assign(spec("m-0", "mobilenetv2", 0), 1,
                coordinator));
    }

    @Test
    void anIdleWorkerIsWokenWhenARetryQueuesWork() {
        ActorRef<Coordinator.Command> coordinator =
                coordinator(List.of(spec("a")), new Settings(2, 2, Duration.ZERO));
        TestProbe<Worker.Command> first = testKit.createTestProbe();
        TestProbe<Worker.Command> second = testKit.createTestProbe();
        assertThat(requestWork(coordinator, first)).isEqualTo(new Worker.Assign(spec("a"), 1, coordinator));
        assertThat(requestWork(coordinator, second)).isEqualTo(new Worker.NoWork());

        coordinator.tell(new Coordinator.TrialErrored("a", 1, "IllegalStateException: boom"));

        second.expectMessage(new Worker.WorkAvailable());
        assertThat(requestWork(coordinator, second)).isEqualTo(new Worker.Assign(spec("a"), 2, coordinator));
    }

    @Test
    void theLateResultOfATimedOutAttemptIsIgnored() {
        ActorRef<Coordinator.Command> coordinator =
                coordinator(List.of(spec("a")), new Settings(2, 2, Duration.ofMillis(100)));
        TestProbe<Worker.Command> first = testKit.createTestProbe();
        TestProbe<Worker.Command> second = testKit.createTestProbe();
        assertThat(requestWork(coordinator, first)).isEqualTo(new Worker.Assign(spec("a"), 1, coordinator));
        events.expectMessage(new SweepEvent.TrialStarted("a", first.ref().path().name(), 1));

        events.expectMessage(new SweepEvent.TrialFailed("a", "timed out after 100ms", true));
        assertThat(requestWork(coordinator, second)).isEqualTo(new Worker.Assign(spec("a"), 2, coordinator));
        events.expectMessage(new SweepEvent.TrialStarted("a", second.ref().path().name(), 2));
        TrialOutcome late = outcome(0.1);
        TrialOutcome current = nestedOutcome(0.9);
        coordinator.tell(new Coordinator.StageEntered("a", 1, "evaluation"));
        coordinator.tell(new Coordinator.TrialCompleted("a", 1, late));
        coordinator.tell(new Coordinator.TrialCompleted("a", 2, current));

        events.expectMessage(new SweepEvent.TrialSucceeded("a", current));
        assertThat(events.expectMessageClass(SweepEvent.SweepFinished.class).done()).isEqualTo(1);
        assertThat(store.successes("a")).singleElement().satisfies(success -> {
            assertThat(success.attempt()).isEqualTo(2);
            assertThat(success.result().metrics()).containsEntry("top1", 0.9);
            assertThat(success.result().nested()).containsExactly(new TrialResult.Nested("w4a4", 4, 4,
                    Map.of("top1", 0.45), Map.of("quantized_model", "quantized/k/model_w4a4.dfqm")));
        });
    }

    @Test
    void stopAnswersOnceTheWritesAreFlushedAndPutsRunningTrialsBack() {
        ActorRef<Coordinator.Command> coordinator =
                coordinator(List.of(spec("a"), spec("b"), spec("c")), new Settings(2, 2, Duration.ZERO));
        TestProbe<Worker.Command> worker = testKit.createTestProbe();
        TestProbe<Coordinator.Stopped> stopped = testKit.createTestProbe();
        assertThat(requestWork(coordinator, worker)).isEqualTo(new Worker.Assign(spec("a"), 1, coordinator));
        coordinator.tell(new Coordinator.TrialCompleted("a", 1, outcome(0.9)));
        assertThat(requestWork(coordinator, worker)).isEqualTo(new Worker.Assign(spec("b"), 1, coordinator));

        coordinator.tell(new Coordinator.Stop(stopped.ref()));

        stopped.expectMessage(new Coordinator.Stopped());
        assertThat(store.successes("a")).hasSize(1);
        assertThat(store.failures("b"))
                .containsExactly(new InMemoryResultStore.Failure("b", 1, Coordinator.INTERRUPTED, true));
        assertThat(requestWork(coordinator, worker)).isEqualTo(new Worker.NoWork());
        coordinator.tell(new Coordinator.Stop(stopped.ref()));
        stopped.expectMessage(new Coordinator.Stopped());
    }

    @Test
    void theTrialOfAStoppedWorkerGoesToAnotherAndItsLateReportIsIgnored() {
        ActorRef<Coordinator.Command> coordinator =
                coordinator(List.of(spec("a")), new Settings(2, 2, Duration.ZERO));
        TestProbe<Worker.Command> lost = testKit.createTestProbe();
        TestProbe<Worker.Command> other = testKit.createTestProbe();
        assertThat(requestWork(coordinator, lost)).isEqualTo(new Worker.Assign(spec("a"), 1, coordinator));
        assertThat(requestWork(coordinator, other)).isEqualTo(new Worker.NoWork());

        lost.stop();

        other.expectMessage(new Worker.WorkAvailable());
        assertThat(requestWork(coordinator, other)).isEqualTo(new Worker.Assign(spec("a"), 2, coordinator));
        String error = "worker lost: " + lost.ref().path().name() + " stopped";
        events.fishForMessage(Duration.ofSeconds(3), event ->
                event.equals(new SweepEvent.TrialFailed("a", error, true))
                        ? FishingOutcomes.complete()
                        : FishingOutcomes.continueAndIgnore());
        events.expectMessage(new SweepEvent.TrialStarted("a", other.ref().path().name(), 2));
        coordinator.tell(new Coordinator.TrialCompleted("a", 1, outcome(0.1)));
        coordinator.tell(new Coordinator.TrialCompleted("a", 2, outcome(0.9)));
        events.expectMessage(new SweepEvent.TrialSucceeded("a", outcome(0.9)));
        events.expectMessageClass(SweepEvent.SweepFinished.class);
        assertThat(store.failures("a")).containsExactly(new InMemoryResultStore.Failure("a", 1, error, true));
        assertThat(store.successes("a")).singleElement().extracting(s -> s.attempt()).isEqualTo(2);
    }

    @Test
    void aLostNodesTrialsAreRequeuedAndItsIdleWorkersInvitedBackWhenItReturns() {
        ActorRef<Coordinator.Command> coordinator =
                coordinator(List.of(spec("a"), spec("b")), new Settings(2, 2, Duration.ZERO));
        TestProbe<Worker.Command> remote = testKit.createTestProbe();
        coordinator.tell(new Coordinator.WorkersListed(Set.of(remote.ref())));
        remote.expectMessage(new Worker.Attach(coordinator));
        assertThat(requestWork(coordinator, remote)).isEqualTo(new Worker.Assign(spec("a"), 1, coordinator));
        Address node = remote.ref().path().address();

        coordinator.tell(new Coordinator.NodeLost(node, "node n1 unreachable for 1000 ms"));
        coordinator.tell(new Coordinator.NodeReachable(node));

        remote.expectMessage(new Worker.Attach(coordinator));
        assertThat(requestWork(coordinator, remote)).isEqualTo(new Worker.Assign(spec("b"), 1, coordinator));
        assertThat(requestWork(coordinator, remote)).isEqualTo(new Worker.NoWork());
        TestProbe<Coordinator.Stopped> stopped = testKit.createTestProbe();
        coordinator.tell(new Coordinator.Stop(stopped.ref()));
        stopped.expectMessage(new Coordinator.Stopped());
        assertThat(store.failures("a")).containsExactly(
                new InMemoryResultStore.Failure("a", 1, "worker lost: node n1 unreachable for 1000 ms", true));
        coordinator.tell(new Coordinator.WorkersListed(Set.of(remote.ref())));
        remote.expectNoMessage(Duration.ofMillis(50));
    }

    @Test
    void statusListsEveryKnownSlotWithItsRunningTrial() {
        ActorRef<Coordinator.Command> coordinator =
                coordinator(List.of(spec("a"), spec("b")), new Settings(2, 2, Duration.ZERO));
        TestProbe<Worker.Command> busy = testKit.createTestProbe("busy");
        TestProbe<Worker.Command> idle = testKit.createTestProbe("idle");
        TestProbe<Coordinator.Status> status = testKit.createTestProbe();
        requestWork(coordinator, busy);
        coordinator.tell(new Coordinator.TrialCompleted("a", 1, outcome(0.9)));
        requestWork(coordinator, busy);
        coordinator.tell(new Coordinator.WorkersListed(Set.of(idle.ref())));

        coordinator.tell(new Coordinator.GetStatus(status.ref()));

        Coordinator.Status got = status.receiveMessage();
        assertThat(got.pending()).isZero();
        assertThat(got.done()).isEqualTo(1);
        assertThat(got.slots()).extracting(Coordinator.SlotStatus::worker)
                .containsExactly(busy.ref().path().name(), idle.ref().path().name());
        assertThat(got.slots().get(0).trial()).isEqualTo("b");
        assertThat(got.slots().get(0).attempt()).isEqualTo(1);
        assertThat(got.slots().get(1).trial()).isNull();
    }
}
