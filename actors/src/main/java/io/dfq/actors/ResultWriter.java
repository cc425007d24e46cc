package io.dfq.actors;

import io.dfq.results.NewTrial;
import io.dfq.results.ResultStore;
import io.dfq.results.TrialResult;
import io.dfq.results.TrialStatus;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The only writer of the {@link ResultStore}. One actor serialises every write, so the store
 * needs no locking and sees them in the order the coordinator decided them; JDBC blocks, so the
 * actor must be spawned on its own thread with {@link #DISPATCHER}, never on the default
 * dispatcher. Because the mailbox is ordered, {@link Flush} is answered only after everything
 * sent before it has been written. Failed writes are replies ({@link WriteFailed}), not crashes:
 * the requester decides what a lost write means.
 */
public final class ResultWriter extends AbstractBehavior<ResultWriter.Command> {

    /** The dispatcher to spawn this actor on: {@code dfq.db-dispatcher}, a pinned thread. */
    public static final DispatcherSelector DISPATCHER = DispatcherSelector.fromConfig("dfq.db-dispatcher");

    /** What the writer accepts. */
    public sealed interface Command {}

    /** Inserts the trials not yet stored; answered with {@link Registered} or {@link WriteFailed}. */
    public record Register(List<NewTrial> trials, ActorRef<Reply> replyTo) implements Command {}

    /** The trial was handed to {@code worker}; a failure is only logged, nobody waits for it. */
    public record MarkRunning(String key, int attempt, String worker) implements Command {}

    /** The attempt succeeded; answered with {@link Written} or {@link WriteFailed}. */
    public record RecordSuccess(String key, int attempt, TrialResult result, ActorRef<Reply> replyTo)
            implements Command {}

    /** The attempt failed; answered with {@link Written} or {@link WriteFailed}. */
    public record RecordFailure(String key, int attempt, String error, boolean willRetry, ActorRef<Reply> replyTo)
            implements Command {}

    /** Answered with {@link Written} once every command sent before it has been handled. */
    public record Flush(ActorRef<Reply> replyTo) implements Command {}

    /** What the writer answers. */
    public sealed interface Reply {}

    /** The trials are stored; {@code alreadyDone} are those of them that were DONE before. */
    public record Registered(Set<String> alreadyDone) implements Reply {}

    /** The write (or flush) is done. */
    public record Written() implements Reply {}

    /** The write failed; {@code reason} names the operation, the trial and the root cause. */
    public record WriteFailed(String reason) implements Reply {}

    private final ResultStore store;

    private ResultWriter(ActorContext<Command> context, ResultStore store) {
        super(context);
        this.store = store;
    }

    /** The writer over {@code store}; spawn it with {@link #DISPATCHER}. */
    public static Behavior<Command> create(ResultStore store) {
        return Behaviors.setup(context -> new ResultWriter(context, store));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Register.class, this::onRegister)
                .onMessage(MarkRunning.class, this::onMarkRunning)
                .onMessage(RecordSuccess.class, this::onRecordSuccess)
                .onMessage(RecordFailure.class, this::onRecordFailure)
                .onMessage(Flush.class, this::onFlush)
                .build();
    }

    private Behavior<Command> onRegister(Register command) {
        command.replyTo().tell(write("register " + command.trials().size() + " trials", () -> {
            store.register(command.trials());
            Set<String> keys = command.trials().stream().map(NewTrial::key).collect(Collectors.toSet());
            return new Registered(Set.copyOf(store.keysWithStatus(keys, TrialStatus.DONE)));
        }));
        return this;
    }

    private Behavior<Command> onMarkRunning(MarkRunning command) {
        Reply reply = write("markRunning " + command.key(), () -> {
            store.markRunning(command.key(), command.attempt(), command.worker());
            return new Written();
        });
        if (reply instanceof WriteFailed failed) {
            getContext().getLog().error("result store write failed: {}", failed.reason());
        }
        return this;
    }

    private Behavior<Command> onRecordSuccess(RecordSuccess command) {
        command.replyTo().tell(write("recordSuccess " + command.key(), () -> {
            store.recordSuccess(command.key(), command.attempt(), command.result());
            return new Written();
        }));
        return this;
    }

    private Behavior<Command> onRecordFailure(RecordFailure command) {
        command.replyTo().tell(write("recordFailure " + command.key(), () -> {
            store.recordFailure(command.key(), command.attempt(), command.error(), command.willRetry());
            return new Written();
        }));
        return this;
    }

    private Behavior<Command> onFlush(Flush command) {
        command.replyTo().tell(new Written());
        return this;
    }

    private Reply write(String operation, Supplier<Reply> write) {
        try {
            return write.get();
        } catch (RuntimeException e) {
            getContext().getLog().debug("{} failed", operation, e);
            return new WriteFailed(operation + ": " + Failures.describe(e));
        }
    }
}
