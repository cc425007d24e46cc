package io.dfq.actors;

import io.dfq.quant.artifact.ArtifactStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * Serves this node's artifacts to the other nodes, so that a cluster needs no shared filesystem:
 * a node that lacks a teacher or a synthetic set copies it from one that has it ({@link
 * ArtifactFetcher}) instead of computing it again. Files travel in chunks of at most {@code
 * dfq.cluster.artifact-chunk} so that no message nears Artery's frame size and a transfer does not
 * hold up the trial reports sharing the connection; the client verifies the copy against the
 * {@code SHA256SUMS} it receives, this side only serves complete (verified) artifacts.
 *
 * <p>Requests come from the network, so they are checked before any path is built: only the kinds
 * in {@code dfq.cluster.serve-kinds}, keys and file names of one plain path segment, and only files
 * that the artifact's directory holds. File reads block, so the server is spawned on {@link
 * #DISPATCHER}, never on the default dispatcher; failures are replies, not crashes.
 */
public final class ArtifactServer extends AbstractBehavior<ArtifactServer.Command> {

    /** The receptionist key artifact servers register under. */
    public static final ServiceKey<Command> SERVICE = ServiceKey.create(Command.class, "dfq-artifacts");

    /** The dispatcher to spawn this actor on: {@code dfq.artifact-dispatcher}, a pinned thread. */
    public static final DispatcherSelector DISPATCHER = DispatcherSelector.fromConfig("dfq.artifact-dispatcher");

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    /** What the server accepts. */
    public sealed interface Command {}

    /** Answered with {@link Description}: the artifact's files, or none when this node lacks it. */
    public record Describe(String kind, String key, ActorRef<Description> replyTo) implements Command, ClusterMessage {}

    /**
     * The files of a verified artifact, name to size, {@code SHA256SUMS} included; empty when this
     * node has no valid copy or the request was refused ({@code refusal} says why, else null).
     */
    public record Description(Map<String, Long> files, String refusal) implements ClusterMessage {}

    /** Answered with {@link Chunk} or {@link ReadFailed}: {@code length} bytes of {@code file} from {@code offset}. */
    public record Read(String kind, String key, String file, long offset, int length, ActorRef<ReadReply> replyTo)
            implements Command, ClusterMessage {}

    /** What {@link Read} is answered with. */
    public sealed interface ReadReply {}

    /** The bytes read; shorter than asked only at the end of the file. */
    public record Chunk(byte[] data) implements ReadReply, ClusterMessage {}

    /** The read was refused or failed; {@code reason} says why. */
    public record ReadFailed(String reason) implements ReadReply, ClusterMessage {}

    private final ArtifactStore store;
    private final Set<String> kinds;
    private final int maxChunk;

    private ArtifactServer(ActorContext<Command> context, ArtifactStore store, Set<String> kinds, int maxChunk) {
        super(context);
        this.store = store;
        this.kinds = Set.copyOf(kinds);
        this.maxChunk = maxChunk;
    }

    /**
     * A server of {@code store}'s artifacts of the given kinds, in chunks of at most {@code
     * maxChunk} bytes; spawn it with {@link #DISPATCHER} and register it under {@link #SERVICE}.
     */
    public static Behavior<Command> create(ArtifactStore store, Set<String> kinds, int maxChunk) {
        return Behaviors.setup(context -> new ArtifactServer(context, store, kinds, maxChunk));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Describe.class, this::onDescribe)
                .onMessage(Read.class, this::onRead)
                .build();
    }

    private Behavior<Command> onDescribe(Describe describe) {
        String refusal = refusal(describe.kind(), describe.key(), "SHA256SUMS");
        if (refusal != null || !store.isValid(describe.kind(), describe.key())) {
            describe.replyTo().tell(new Description(Map.of(), refusal));
            return this;
        }
        Map<String, Long> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(store.dir(describe.kind(), describe.key()))) {
            for (Path file : (Iterable<Path>) list::iterator) {
                if (Files.isRegularFile(file)) {
                    files.put(file.getFileName().toString(), Files.size(file));
                }
            }
            describe.replyTo().tell(new Description(files, null));
        } catch (IOException e) {
            describe.replyTo().tell(new Description(Map.of(), "cannot list the artifact: " + Failures.describe(e)));
        }
        return this;
    }

    private Behavior<Command> onRead(Read read) {
        String refusal = refusal(read.kind(), read.key(), read.file());
        if (refusal == null && (read.offset() < 0 || read.length() < 1 || read.length() > maxChunk)) {
            refusal = "chunk [" + read.offset() + ", +" + read.length() + ") outside [0, +" + maxChunk + "]";
        }
        Path file = store.dir(read.kind(), read.key()).resolve(read.file());
        if (refusal == null && !Files.isRegularFile(file)) {
            refusal = "no file " + read.kind() + "/" + read.key() + "/" + read.file();
        }
        if (refusal != null) {
            read.replyTo().tell(new ReadFailed(refusal));
            return this;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(read.length(),
                    Math.max(0, channel.size() - read.offset())));
            int got = 0;
            while (buffer.hasRemaining() && got >= 0) {
                got = channel.read(buffer, read.offset() + buffer.position());
            }
            read.replyTo().tell(new Chunk(Arrays.copyOf(buffer.array(), buffer.position())));
        } catch (IOException e) {
            read.replyTo().tell(new ReadFailed("reading " + read.file() + ": " + Failures.describe(e)));
        }
        return this;
    }

    /** Why a request naming these must be refused, or null when it may be served. */
    private String refusal(String kind, String key, String file) {
        if (!kinds.contains(kind)) {
            return "kind '" + kind + "' is not served; served: " + String.join(", ", kinds.stream().sorted().toList());
        }
        if (!SEGMENT.matcher(key).matches() || !SEGMENT.matcher(file).matches()) {
            return "key and file must be plain names";
        }
        return null;
    }
}
