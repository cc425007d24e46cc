package io.dfq.actors;

import io.dfq.quant.pipeline.TrialOutcome;
import io.dfq.quant.pipeline.TrialSpec;
import io.dfq.results.NewTrial;
import io.dfq.results.TrialResult;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * Owns a sweep: which trials wait, which run where, how often each was tried. Workers pull work
 * ({@link RequestWork}) instead of being pushed to, so a slow trial never queues others behind it
 * and a worker holds at most one trial; a worker told {@link Worker.NoWork} is woken with {@link
 * Worker.WorkAvailable} when a retry puts work back. All decisions happen here, in one actor, so
 * they need no locks, and every write goes through the {@link ResultWriter} in decision order.
 * A worker gets the first waiting trial whose teacher ({@link TrialSpec#teacher()}) no running
 * trial shares, else the first whose calibration set ({@link TrialSpec#calibrationSet()}) none
 * shares, else the first waiting trial: trials of one teacher and one set queue back to back, and a
 * second worker handed the same ones would only wait while the first trains or synthesizes them.
 *
 * <p>An attempt fails when the runner throws, when the outcome has a NaN or infinite metric (the
 * worker names it) or when it runs past {@link Settings#trialTimeout()}; it is queued again until
 * {@link Settings#maxAttempts()} attempts were made, then it is FAILED and the sweep goes on. A
 * worker thread cannot be killed, so a timed-out attempt may still report later: results count
 * only for the attempt currently running under that key, anything else is ignored.
 *
 * <p>{@link Stop} (Ctrl-C) hands out nothing more, records every running attempt as failed with
 * the error {@value #INTERRUPTED} and {@code willRetry = true} (its row goes back to PENDING, so
 * the next run of the recipe picks it up), waits until the writer flushed, emits {@link
 * SweepEvent.SweepFinished} and answers {@link Stopped}. Trials already DONE in the store are
 * skipped, which is how a re-run resumes.
 *
 * <p>A worker that stops, or whose node is lost ({@link NodeLost}, from the cluster's
 * reachability), has its running attempt recorded as failed with a {@code worker lost} error and
 * queued again like any failed attempt; a late report of that attempt is ignored like a timed-out
 * one, and the store keeps the first success of a key only, so a trial never gets two results.
 * In a cluster the workers are found through the receptionist ({@link WorkersListed}): each new
 * one is sent {@link Worker.Attach} and then pulls like a local worker; so is each idle worker of
 * a node that is reachable again, whose wake-up may have been lost.
 */
public final class Coordinator extends AbstractBehavior<Coordinator.Command> {

    /** The error recorded for attempts cut short by {@link Stop}. */
    public static final String INTERRUPTED = "interrupted";

    /** The receptionist key a cluster coordinator registers under, for status queries. */
    public static final ServiceKey<Command> SERVICE = ServiceKey.create(Command.class, "dfq-coordinator");

    /** What the coordinator accepts. */
    public sealed interface Command {}

    /** A worker asks for a trial; answered with {@link Worker.Assign} or {@link Worker.NoWork}. */
    public record RequestWork(ActorRef<Worker.Command> replyTo) implements Command, ClusterMessage {}

    /** Attempt {@code attempt} of the trial finished with finite metrics. */
    public record TrialCompleted(String key, int attempt, TrialOutcome outcome) implements Command, ClusterMessage {}

    /** Attempt {@code attempt} of the trial failed with {@code error}. */
    public record TrialErrored(String key, int attempt, String error) implements Command, ClusterMessage {}

    /** The running attempt entered {@code stage}. */
    public record StageEntered(String key, int attempt, String stage) implements Command, ClusterMessage {}

    /** The running attempt reported a progress line. */
    public record ProgressReported(String key, int attempt, String text) implements Command, ClusterMessage {}

    /** Answered with {@link Status}: the slots known to this coordinator and what they run. */
    public record GetStatus(ActorRef<Status> replyTo) implements Command, ClusterMessage {}

    /**
     * The coordinator's view of its sweep.
     *
     * @param slots every worker seen, by name ({@code host:port/cpu-1} in a cluster), sorted
     * @param pending trials waiting for a worker
     * @param done trials DONE in this run
     * @param failed trials FAILED in this run
     */
    public record Status(List<SlotStatus> slots, int pending, int done, int failed) implements ClusterMessage {}

    /**
     * One worker slot; {@code trial} is null when it is idle.
     *
     * @param runningMillis how long the current attempt has been running
     */
    public record SlotStatus(String worker, String trial, int attempt, long runningMillis) implements ClusterMessage {}

    /** The workers registered with the receptionist now (cluster mode). */
    record WorkersListed(Set<ActorRef<Worker.Command>> workers) implements Command {}

    /** The node at {@code address} is gone: its running attempts fail with {@code reason}. */
    record NodeLost(Address address, String reason) implements Command {}

    /** The node at {@code address}, declared lost before, is reachable again. */
    record NodeReachable(Address address) implements Command {}

    /** Stop the sweep gracefully; answered with {@link Stopped} once the results are written. */
    public record Stop(ActorRef<Stopped> replyTo) implements Command {}

    /** The answer to {@link Stop}. */
    public record Stopped() {}

    private record Registration(Set<String> alreadyDone, String error) implements Command {}

    private record TimedOut(String key, int attempt) implements Command {}

    private record WriteReplied(ResultWriter.Reply reply) implements Command {}

    private record Flushed(String error) implements Command {}

    private record WorkerStopped(ActorRef<Worker.Command> worker) implements Command {}

    private record Running(TrialSpec spec, int attempt, ActorRef<Worker.Command> worker, long startNanos) {}

    /** REGISTERING until the store answers, FLUSHING while waiting for the last writes. */
    private enum Phase { REGISTERING, RUNNING, FLUSHING, FINISHED }

    private final List<TrialSpec> specs;
    private final ActorRef<ResultWriter.Command> writer;
    private final ActorRef<SweepEvent> listener;
    private final Settings settings;
    private final TimerScheduler<Command> timers;
    private final Duration askTimeout;
    private final ActorRef<ResultWriter.Reply> writeReplies;
    private final long startNanos = System.nanoTime();
    private final Deque<TrialSpec> pending = new ArrayDeque<>();
    private final Map<String, Integer> attempts = new HashMap<>();
    private final Map<String, Running> running = new LinkedHashMap<>();
    private final Set<ActorRef<Worker.Command>> idle = new LinkedHashSet<>();
    private final Set<ActorRef<Worker.Command>> workers = new LinkedHashSet<>();
    private final List<ActorRef<Stopped>> stopRequests = new ArrayList<>();
    private Phase phase = Phase.REGISTERING;
    private int done;
    private int failed;

    private Coordinator(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            List<TrialSpec> specs,
            ActorRef<ResultWriter.Command> writer,
            ActorRef<SweepEvent> listener,
            Settings settings) {
        super(context);
        Map<String, TrialSpec> unique = new LinkedHashMap<>();
        specs.forEach(spec -> unique.putIfAbsent(spec.key(), spec));
        this.specs = List.copyOf(unique.values());
        this.writer = writer;
        this.listener = listener;
        this.settings = settings;
        this.timers = timers;
        this.askTimeout = context.getSystem().settings().config().getDuration("dfq.ask-timeout");
        this.writeReplies = context.messageAdapter(ResultWriter.Reply.class, WriteReplied::new);
        List<NewTrial> trials = this.specs.stream()
                .map(spec -> new NewTrial(spec.key(), spec.recipe(), spec.config().toString()))
                .toList();
        context.ask(
                ResultWriter.Reply.class,
                writer,
                askTimeout,
                replyTo -> new ResultWriter.Register(trials, replyTo),
                Coordinator::registration);
    }

    /**
     * A coordinator for {@code specs} (duplicate keys run once): registers them through {@code
     * writer}, then hands them to the workers that ask, and reports to {@code listener}.
     */
    public static Behavior<Command> create(
            List<TrialSpec> specs,
            ActorRef<ResultWriter.Command> writer,
            ActorRef<SweepEvent> listener,
            Settings settings) {
        return Behaviors.withTimers(timers -> Behaviors.setup(
                context -> new Coordinator(context, timers, specs, writer, listener, settings)));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Registration.class, this::onRegistration)
                .onMessage(RequestWork.class, this::onRequestWork)
                .onMessage(TrialCompleted.class, this::onTrialCompleted)
                .onMessage(TrialErrored.class, this::onTrialErrored)
                .onMessage(TimedOut.class, this::onTimedOut)
                .onMessage(StageEntered.class, this::onStageEntered)
                .onMessage(ProgressReported.class, this::onProgressReported)
                .onMessage(WriteReplied.class, this::onWriteReplied)
                .onMessage(Stop.class, this::onStop)
                .onMessage(Flushed.class, this::onFlushed)
                .onMessage(GetStatus.class, this::onGetStatus)
                .onMessage(WorkersListed.class, this::onWorkersListed)
                .onMessage(WorkerStopped.class, this::onWorkerStopped)
                .onMessage(NodeLost.class, this::onNodeLost)
                .onMessage(NodeReachable.class, this::onNodeReachable)
                .build();
    }

    private static Registration registration(ResultWriter.Reply reply, Throwable failure) {
        if (reply instanceof ResultWriter.Registered registered) {
            return new Registration(registered.alreadyDone(), null);
        }
        if (reply instanceof ResultWriter.WriteFailed writeFailed) {
            return new Registration(Set.of(), writeFailed.reason());
        }
        String reason = failure != null ? Failures.describe(failure) : "unexpected reply " + reply;
        return new Registration(Set.of(), "register: " + reason);
    }

    private Behavior<Command> onRegistration(Registration registration) {
        if (phase != Phase.REGISTERING) {
            return this;
        }
        if (registration.error() != null) {
            phase = Phase.FINISHED;
            listener.tell(new SweepEvent.SweepAborted(registration.error()));
            return this;
        }
        specs.stream().filter(spec -> !registration.alreadyDone().contains(spec.key())).forEach(pending::add);
        listener.tell(new SweepEvent.SweepStarted(pending.size(), registration.alreadyDone().size()));
        phase = Phase.RUNNING;
        wakeIdleWorkers();
        return finishIfDone();
    }

    private Behavior<Command> onRequestWork(RequestWork request) {
        ActorRef<Worker.Command> worker = request.replyTo();
        know(worker);
        boolean busy = running.values().stream().anyMatch(run -> run.worker().equals(worker));
        if (busy || phase == Phase.FLUSHING || phase == Phase.FINISHED) {
            worker.tell(new Worker.NoWork());
        } else if (pending.isEmpty()) {
            worker.tell(new Worker.NoWork());
            idle.add(worker);
        } else {
            assign(next(), worker);
        }
        return this;
    }

    /** Removes and returns the trial to hand out next (see the class comment). */
    private TrialSpec next() {
        Set<String> teachers = new HashSet<>();
        Set<String> sets = new HashSet<>();
        running.values().forEach(run -> {
            teachers.add(run.spec().teacher());
            sets.add(run.spec().calibrationSet());
        });
        TrialSpec spec = takeFirst(candidate -> !teachers.contains(candidate.teacher()));
        spec = spec != null ? spec : takeFirst(candidate -> !sets.contains(candidate.calibrationSet()));
        return spec != null ? spec : pending.poll();
    }

    /** Removes and returns the first waiting trial that passes {@code test}, or null. */
    private TrialSpec takeFirst(Predicate<TrialSpec> test) {
        for (Iterator<TrialSpec> it = pending.iterator(); it.hasNext(); ) {
            TrialSpec spec = it.next();
            if (test.test(spec)) {
                it.remove();
                return spec;
            }
        }
        return null;
    }

    private void assign(TrialSpec spec, ActorRef<Worker.Command> worker) {
        String key = spec.key();
        int attempt = attempts.merge(key, 1, Integer::sum);
        String workerName = name(worker);
        running.put(key, new Running(spec, attempt, worker, System.nanoTime()));
        writer.tell(new ResultWriter.MarkRunning(key, attempt, workerName));
        listener.tell(new SweepEvent.TrialStarted(key, workerName, attempt));
        if (settings.hasTrialTimeout()) {
            timers.startSingleTimer(key, new TimedOut(key, attempt), settings.trialTimeout());
        }
        worker.tell(new Worker.Assign(spec, attempt, getContext().getSelf()));
    }

    private Behavior<Command> onTrialCompleted(TrialCompleted completed) {
        Running run = current(completed.key(), completed.attempt());
        if (run == null) {
            getContext().getLog().debug(
                    "ignoring the late result of {} attempt {}", completed.key(), completed.attempt());
            return this;
        }
        release(run);
        done++;
        TrialOutcome outcome = completed.outcome();
        TrialResult result = new TrialResult(outcome.metrics(), outcome.stageSeconds(), outcome.artifacts(),
                outcome.nested().stream().map(n -> new TrialResult.Nested(n.name(), n.wbits(), n.abits(), n.metrics(),
                        n.artifacts())).toList());
        writer.tell(new ResultWriter.RecordSuccess(run.spec().key(), run.attempt(), result, writeReplies));
        listener.tell(new SweepEvent.TrialSucceeded(run.spec().key(), outcome));
        return finishIfDone();
    }

    private Behavior<Command> onTrialErrored(TrialErrored errored) {
        Running run = current(errored.key(), errored.attempt());
        return run == null ? this : fail(run, errored.error());
    }

    private Behavior<Command> onTimedOut(TimedOut timedOut) {
        Running run = current(timedOut.key(), timedOut.attempt());
        return run == null ? this : fail(run, "timed out after " + format(settings.trialTimeout()));
    }

    private Behavior<Command> fail(Running run, String error) {
        String key = run.spec().key();
        release(run);
        boolean retry = run.attempt() < settings.maxAttempts();
        writer.tell(new ResultWriter.RecordFailure(key, run.attempt(), error, retry, writeReplies));
        listener.tell(new SweepEvent.TrialFailed(key, error, retry));
        if (retry) {
            pending.addLast(run.spec());
            wakeIdleWorkers();
        } else {
            failed++;
        }
        return finishIfDone();
    }

    private Behavior<Command> onStageEntered(StageEntered stage) {
        if (current(stage.key(), stage.attempt()) != null) {
            listener.tell(new SweepEvent.TrialStage(stage.key(), stage.stage()));
        }
        return this;
    }

    private Behavior<Command> onProgressReported(ProgressReported progress) {
        if (current(progress.key(), progress.attempt()) != null) {
            listener.tell(new SweepEvent.TrialProgress(progress.key(), progress.text()));
        }
        return this;
    }

    private Behavior<Command> onWriteReplied(WriteReplied replied) {
        if (replied.reply() instanceof ResultWriter.WriteFailed writeFailed) {
            if (stopRequests.isEmpty()) {
                getContext().getLog().error("result not stored: {}", writeFailed.reason());
            } else {
                // on SIGTERM H2's own shutdown hook may close the database first
                getContext().getLog().warn("stopping: a trial in flight stays RUNNING in the database, the next"
                        + " run re-queues it ({})", writeFailed.reason());
            }
        }
        return this;
    }

    private Behavior<Command> onStop(Stop stop) {
        stopRequests.add(stop.replyTo());
        if (phase == Phase.FINISHED) {
            replyStopped();
        } else if (phase != Phase.FLUSHING) {
            pending.clear();
            idle.clear();
            for (Running run : running.values()) {
                timers.cancel(run.spec().key());
                writer.tell(new ResultWriter.RecordFailure(
                        run.spec().key(), run.attempt(), INTERRUPTED, true, writeReplies));
            }
            running.clear();
            startFlush();
        }
        return this;
    }

    private Behavior<Command> onFlushed(Flushed flushed) {
        if (flushed.error() != null) {
            getContext().getLog().warn("the result writer did not confirm the last writes: {}", flushed.error());
        }
        phase = Phase.FINISHED;
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        listener.tell(new SweepEvent.SweepFinished(done, failed, elapsed));
        replyStopped();
        return this;
    }

    private Behavior<Command> onGetStatus(GetStatus request) {
        Map<ActorRef<Worker.Command>, Running> byWorker = new HashMap<>();
        running.values().forEach(run -> byWorker.put(run.worker(), run));
        long now = System.nanoTime();
        List<SlotStatus> slots = workers.stream()
                .map(worker -> {
                    Running run = byWorker.get(worker);
                    return run == null
                            ? new SlotStatus(name(worker), null, 0, 0)
                            : new SlotStatus(name(worker), run.spec().key(), run.attempt(),
                                    Duration.ofNanos(now - run.startNanos()).toMillis());
                })
                .sorted(Comparator.comparing(SlotStatus::worker))
                .toList();
        request.replyTo().tell(new Status(slots, pending.size(), done, failed));
        return this;
    }

    private Behavior<Command> onWorkersListed(WorkersListed listed) {
        for (ActorRef<Worker.Command> worker : listed.workers()) {
            if (!workers.contains(worker)) {
                know(worker);
                worker.tell(new Worker.Attach(getContext().getSelf()));
            }
        }
        return this;
    }

    private Behavior<Command> onWorkerStopped(WorkerStopped stopped) {
        workers.remove(stopped.worker());
        idle.remove(stopped.worker());
        List<Running> lost = running.values().stream().filter(run -> run.worker().equals(stopped.worker())).toList();
        Behavior<Command> next = this;
        for (Running run : lost) {
            next = fail(run, "worker lost: " + name(run.worker()) + " stopped");
        }
        return next;
    }

    private Behavior<Command> onNodeLost(NodeLost lost) {
        List<Running> onNode = running.values().stream()
                .filter(run -> run.worker().path().address().equals(lost.address()))
                .toList();
        Behavior<Command> next = this;
        for (Running run : onNode) {
            next = fail(run, "worker lost: " + lost.reason());
        }
        return next;
    }

    private Behavior<Command> onNodeReachable(NodeReachable reachable) {
        Set<ActorRef<Worker.Command>> busy = new HashSet<>();
        running.values().forEach(run -> busy.add(run.worker()));
        workers.stream()
                .filter(worker -> worker.path().address().equals(reachable.address()) && !busy.contains(worker))
                .forEach(worker -> worker.tell(new Worker.Attach(getContext().getSelf())));
        return this;
    }

    /** Remembers a worker and watches it, once, so that its loss re-queues its trial. */
    private void know(ActorRef<Worker.Command> worker) {
        if (workers.add(worker)) {
            getContext().watchWith(worker, new WorkerStopped(worker));
        }
    }

    /** The worker's actor name; in a cluster prefixed with its node's host:port. */
    private String name(ActorRef<Worker.Command> worker) {
        Address address = worker.path().address().hasGlobalScope()
                ? worker.path().address()
                : getContext().getSystem().address();
        String node = address.getHost().map(host -> host + ":" + address.getPort().orElse(0) + "/").orElse("");
        return node + worker.path().name();
    }

    private Behavior<Command> finishIfDone() {
        if (phase == Phase.RUNNING && pending.isEmpty() && running.isEmpty()) {
            startFlush();
        }
        return this;
    }

    private void startFlush() {
        phase = Phase.FLUSHING;
        getContext().ask(
                ResultWriter.Reply.class,
                writer,
                askTimeout,
                ResultWriter.Flush::new,
                (reply, failure) -> new Flushed(failure == null ? null : Failures.describe(failure)));
    }

    /** The running attempt with this key and number, or null for a late or stale message. */
    private Running current(String key, int attempt) {
        Running run = running.get(key);
        return run != null && run.attempt() == attempt ? run : null;
    }

    private void release(Running run) {
        running.remove(run.spec().key());
        timers.cancel(run.spec().key());
    }

    private void wakeIdleWorkers() {
        idle.forEach(worker -> worker.tell(new Worker.WorkAvailable()));
        idle.clear();
    }

    private void replyStopped() {
        stopRequests.forEach(replyTo -> replyTo.tell(new Stopped()));
        stopRequests.clear();
    }

    private static String format(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }
}
