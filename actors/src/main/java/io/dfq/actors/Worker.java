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

/**
 * One worker slot: asks the coordinator for a trial, runs it, reports, asks again. A trial blocks
 * for minutes, so it runs on the {@value #BLOCKING_DISPATCHER} thread pool (one thread per slot)
 * and comes back as a message through {@code pipeToSelf}; the actor itself never blocks and its
 * state is only touched from its own messages. An outcome with a NaN or infinite metric is
 * reported as a failure that names the metric; an exception as its root cause's class and
 * message. Progress callbacks arrive on the blocking thread and are only forwarded as messages.
 */
public final class Worker extends AbstractBehavior<Worker.Command> {

    /** The dispatcher trials run on; its thread names contain this id. */
    public static final String BLOCKING_DISPATCHER = "dfq.blocking-dispatcher";

    /** What a worker accepts. */
    public sealed interface Command {}

    /** Run attempt {@code attempt} (1-based) of {@code spec}. */
    public record Assign(TrialSpec spec, int attempt) implements Command {}

    /** Nothing to hand out now; wait for {@link WorkAvailable}. */
    public record NoWork() implements Command {}

    /** Work appeared after a {@link NoWork}; ask again. */
    public record WorkAvailable() implements Command {}

    private record RunFinished(String key, int attempt, TrialOutcome outcome, Throwable failure)
            implements Command {}

    /** Forwards a running trial's progress to the coordinator; called on the blocking thread. */
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

    private final ActorRef<Coordinator.Command> coordinator;
    private final TrialRunner runner;
    private final Executor blocking;

    private Worker(ActorContext<Command> context, ActorRef<Coordinator.Command> coordinator, TrialRunner runner) {
        super(context);
        this.coordinator = coordinator;
        this.runner = runner;
        this.blocking =
                context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(BLOCKING_DISPATCHER));
        requestWork();
    }

    /** A worker that starts pulling trials from {@code coordinator} and runs them with {@code runner}. */
    public static Behavior<Command> create(ActorRef<Coordinator.Command> coordinator, TrialRunner runner) {
        return Behaviors.setup(context -> new Worker(context, coordinator, runner));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Assign.class, this::onAssign)
                .onMessage(NoWork.class, noWork -> this)
                .onMessage(WorkAvailable.class, this::onWorkAvailable)
                .onMessage(RunFinished.class, this::onRunFinished)
                .build();
    }

    private Behavior<Command> onAssign(Assign assign) {
        TrialSpec spec = assign.spec();
        ProgressListener progress = new Progress(coordinator, spec.key(), assign.attempt());
        CompletableFuture<TrialOutcome> run =
                CompletableFuture.supplyAsync(() -> runTrial(spec, progress), blocking);
        getContext().pipeToSelf(
                run, (outcome, failure) -> new RunFinished(spec.key(), assign.attempt(), outcome, failure));
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

    private Behavior<Command> onRunFinished(RunFinished finished) {
        coordinator.tell(report(finished));
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

    private void requestWork() {
        coordinator.tell(new Coordinator.RequestWork(getContext().getSelf()));
    }
}
