package io.dfq.actors;

import io.dfq.quant.artifact.ArtifactStore;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Copies the artifacts of every finished trial to the coordinator's node. The database records
 * artifact paths relative to an artifact root, and the commands that read them ({@code show},
 * {@code export}, the dashboard) run where the database is; so the node that owns the database
 * should also hold the teacher, calibration set and quantized model of each of its trials, and
 * can then serve them to workers that join later. Transfers block, so the collector is spawned on
 * {@link ArtifactServer#DISPATCHER} (a pinned thread of its own); they run in the order the trials
 * finished, so {@link Drain} is answered once every earlier copy is done, which lets the sweep
 * end only after its artifacts arrived. A copy that fails is logged, not retried: the artifact
 * stays on the worker that made it.
 */
final class ArtifactCollector extends AbstractBehavior<ArtifactCollector.Command> {

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    /** What the collector accepts. */
    sealed interface Command {}

    /** A trial finished with these artifacts (name to path under the artifact root). */
    record Collect(Map<String, String> artifacts) implements Command {}

    /** Answered with {@link Drained} once every earlier {@link Collect} is handled. */
    record Drain(ActorRef<Drained> replyTo) implements Command {}

    /** The answer to {@link Drain}. */
    record Drained() {}

    private final ArtifactStore store;
    private final Set<String> kinds;

    private ArtifactCollector(ActorContext<Command> context, ArtifactStore store, Set<String> kinds) {
        super(context);
        this.store = store;
        this.kinds = Set.copyOf(kinds);
    }

    /**
     * A collector into {@code store}, whose fetcher copies from the other nodes, of artifacts of
     * the given kinds; spawn it on {@link ArtifactServer#DISPATCHER}.
     */
    static Behavior<Command> create(ArtifactStore store, Set<String> kinds) {
        return Behaviors.setup(context -> new ArtifactCollector(context, store, kinds));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Collect.class, this::onCollect)
                .onMessage(Drain.class, this::onDrain)
                .build();
    }

    private Behavior<Command> onCollect(Collect collect) {
        for (String path : collect.artifacts().values()) {
            String[] parts = path.split("/", -1);
            if (parts.length < 2 || !kinds.contains(parts[0]) || !SEGMENT.matcher(parts[1]).matches()) {
                continue;
            }
            String kind = parts[0];
            String key = parts[1];
            try {
                store.obtain(kind, key, dir -> {
                    throw new IOException("no node holds a verified copy");
                });
            } catch (Exception e) {
                getContext().getLog().warn("artifact {}/{} not copied to this node: {}",
                        kind, key, Failures.describe(e));
            }
        }
        return this;
    }

    private Behavior<Command> onDrain(Drain drain) {
        drain.replyTo().tell(new Drained());
        return this;
    }
}
