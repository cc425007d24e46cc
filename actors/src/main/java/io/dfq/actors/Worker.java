package io.dfq.actors;

import io.dfq.quant.pipeline.ProgressListener;
import io.dfq.quant.pipeline.TrialOutcome;
import io.dfq.quant.pipeline.TrialRunner;
import io.dfq.quant.pipeline.TrialSpec;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * One worker slot: asks the coordinator for a trial, runs it, reports, asks again. A trial blocks
 * for minutes, so it runs on the {@value #BLOCKING_DISPATCHER} thread pool (one thread per slot)
 * and comes back as a message through {@code pipeToSelf}; the actor itself never blocks and its
 * state is only touched from its own messages. An outcome with a NaN or infinite metric is
 * reported as a failure that names the metric; an exception as its root cause's class and
 * message. Progress callbacks arrive on the blocking thread and are only forwarded as messages.
 *
 * <p>Reports go to the coordinator that assigned the trial ({@link Assign#replyTo()}), requests to
 * the current one. In one JVM the coordinator is known at creation; in a cluster the worker
 * registers under {@link #SERVICE} and waits until a coordinator introduces itself ({@link
 * Attach}), which a restarted coordinator does again, so workers outlive coordinators. A busy
 * worker never asks, so it holds at most one trial even while coordinators change.
 */
public final class Worker extends AbstractBehavior<Worker.Command> {

    /** The dispatcher trials run on; its thread names contain this id. */
    public static final String BLOCKING_DISPATCHER = "dfq.blocking-dispatcher";

    /** The receptionist key cluster workers register under. */
    public static final ServiceKey<Command> SERVICE = ServiceKey.create(Command.class, "dfq-worker");

    /** What a worker accepts. */
    public sealed interface Command {}

    /** Run attempt {@code attempt} (1-based) of {@code spec} and report to {@code replyTo}. */
    public record Assign(TrialSpec spec, int attempt, ActorRef<Coordinator.Command> replyTo)
            implements Command, ClusterMessage {}

    /** Nothing to hand out now; wait for {@link WorkAvailable}. */
    public record NoWork() implements Command, ClusterMessage {}

    /** Work appeared after a {@link NoWork}; ask again. */
    public record WorkAvailable() implements Command, ClusterMessage {}

    /** A coordinator found this worker through the receptionist: pull from it from now on. */
    public record Attach(ActorRef<Coordinator.Command> coordinator) implements Command, ClusterMessage {}

    private record RunFinished(
            String key, int attempt, ActorRef<Coordinator.Command> replyTo, TrialOutcome outcome, Throwable failure)
            implements Command {}

    /** Forwards a running trial's progress to its coordinator; called on the blocking thread. */
    private record Progress(ActorRef<Coordinator.Command> coordinator, String key, int attempt)
            implements ProgressListener {

        @Override
        public void stage(String stage) {
            coordinator.tell(new Coordinator.StageEntered(key, attempt, stage));
        }

        @Override
        public void message(String text) {
            coordinator.tell(new Coordinator.ProgressReported(key, attempt, text));
        }
    }

    private final TrialRunner runner;
    private final Executor blocking;
    private ActorRef<Coordinator.Command> coordinator;
    private int running;

    private Worker(ActorContext<Command> context, ActorRef<Coordinator.Command> coordinator, TrialRunner runner) {
        super(context);
        this.coordinator = coordinator;
        this.runner = runner;
        this.blocking =
                context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(BLOCKING_DISPATCHER));
    }

    /** A worker that starts pulling trials from {@code coordinator} and runs them with {@code runner}. */
    public static Behavior<Command> create(ActorRef<Coordinator.Command> coordinator, TrialRunner runner) {
        Objects.requireNonNull(coordinator, "coordinator");
        return Behaviors.setup(context -> {
            Worker worker = new Worker(context, coordinator, runner);
            worker.requestWork();
            return worker;
        });
    }

    /**
     * A cluster worker: registers under {@link #SERVICE} and pulls from whichever coordinator
     * {@link Attach}es to it.
     */
    public static Behavior<Command> registered(TrialRunner runner) {
        return Behaviors.setup(context -> {
            context.getSystem().receptionist().tell(Receptionist.register(SERVICE, context.getSelf()));
            return new Worker(context, null, runner);
        });
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Assign.class, this::onAssign)
                .onMessage(NoWork.class, noWork -> this)
                .onMessage(WorkAvailable.class, this::onWorkAvailable)
                .onMessage(Attach.class, this::onAttach)
                .onMessage(RunFinished.class, this::onRunFinished)
                .build();
    }

    private Behavior<Command> onAssign(Assign assign) {
        TrialSpec spec = assign.spec();
        ProgressListener progress = new Progress(assign.replyTo(), spec.key(), assign.attempt());
        running++;
        CompletableFuture<TrialOutcome> run =
                CompletableFuture.supplyAsync(() -> runTrial(spec, progress), blocking);
        getContext().pipeToSelf(run, (outcome, failure) ->
                new RunFinished(spec.key(), assign.attempt(), assign.replyTo(), outcome, failure));
        return this;
    }

    private TrialOutcome runTrial(TrialSpec spec, ProgressListener progress) {
        try {
            return Objects.requireNonNull(runner.run(spec, progress), "the trial runner returned no outcome");
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    private Behavior<Command> onWorkAvailable(WorkAvailable available) {
        requestWork();
        return this;
    }

    private Behavior<Command> onAttach(Attach attach) {
        coordinator = attach.coordinator();
        requestWork();
        return this;
    }

    private Behavior<Command> onRunFinished(RunFinished finished) {
        running--;
        finished.replyTo().tell(report(finished));
        requestWork();
        return this;
    }

    private static Coordinator.Command report(RunFinished finished) {
        if (finished.failure() != null) {
            return new Coordinator.TrialErrored(
                    finished.key(), finished.attempt(), Failures.describe(finished.failure()));
        }
        TrialOutcome outcome = finished.outcome();
        return outcome.firstNonFiniteMetric()
                .<Coordinator.Command>map(metric -> new Coordinator.TrialErrored(
                        finished.key(),
                        finished.attempt(),
                        "non-finite metric " + metric + " = " + outcome.metrics().get(metric)))
                .orElseGet(() -> new Coordinator.TrialCompleted(finished.key(), finished.attempt(), outcome));
    }

    /** Asks the current coordinator for a trial, unless one is running here or none is known yet. */
    private void requestWork() {
        if (running == 0 && coordinator != null) {
            coordinator.tell(new Coordinator.RequestWork(getContext().getSelf()));
        }
    }
}
