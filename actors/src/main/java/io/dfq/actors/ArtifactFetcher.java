package io.dfq.actors;

import com.typesafe.config.Config;
import io.dfq.quant.artifact.ArtifactStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.japi.function.Function;

/**
 * The cluster's {@link ArtifactStore.Fetcher}: asks the other nodes' {@link ArtifactServer}s,
 * found through the receptionist, which of them has the artifact, and copies it from the first that
 * answers with it, chunk by chunk. Blocking by design: the artifact store calls it on the trial's
 * own thread (the blocking dispatcher), under the artifact's lock, so the trials of one node that
 * need the same artifact wait for one transfer; every wait is bounded by {@code
 * dfq.cluster.fetch-timeout}. Verification is the store's: it checks the copy against the {@code
 * SHA256SUMS} that came with it and fetches again when a byte was corrupted on the way.
 */
public final class ArtifactFetcher implements ArtifactStore.Fetcher {

    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final ActorSystem<?> system;
    private final Set<String> kinds;
    private final int chunkBytes;
    private final Duration timeout;

    /**
     * @param kinds the artifact kinds worth fetching (a quantized model belongs to its trial's own
     *     attempt and is never fetched)
     * @param chunkBytes bytes asked per {@link ArtifactServer.Read}
     * @param timeout the limit of each request
     */
    public ArtifactFetcher(ActorSystem<?> system, Set<String> kinds, int chunkBytes, Duration timeout) {
        this.system = system;
        this.kinds = Set.copyOf(kinds);
        this.chunkBytes = chunkBytes;
        this.timeout = timeout;
    }

    /**
     * A fetcher of the kinds listed in {@code dfq.cluster.<kindsSetting>} ({@code fetch-kinds} for
     * a worker, {@code serve-kinds} for the coordinator's collection), with {@code artifact-chunk}
     * and {@code fetch-timeout}.
     */
    public static ArtifactFetcher fromConfig(ActorSystem<?> system, String kindsSetting) {
        Config cluster = system.settings().config().getConfig("dfq.cluster");
        return new ArtifactFetcher(system, Set.copyOf(cluster.getStringList(kindsSetting)),
                (int) cluster.getBytes("artifact-chunk").longValue(), cluster.getDuration("fetch-timeout"));
    }

    @Override
    public boolean fetch(String kind, String key, Path into) throws Exception {
        if (!kinds.contains(kind)) {
            return false;
        }
        Source source = findSource(kind, key);
        if (source == null) {
            return false;
        }
        for (Map.Entry<String, Long> file : source.files().entrySet()) {
            if (!FILE_NAME.matcher(file.getKey()).matches()) {
                throw new IOException("refusing file name '" + file.getKey() + "' from " + source.server());
            }
            download(source.server(), kind, key, file.getKey(), file.getValue(), into.resolve(file.getKey()));
        }
        return true;
    }

    /** A server that has the artifact, and its files. */
    private record Source(ActorRef<ArtifactServer.Command> server, Map<String, Long> files) {}

    /** Asks every other node at once; the first that has the artifact wins, null when none has it. */
    private Source findSource(String kind, String key) throws Exception {
        List<ActorRef<ArtifactServer.Command>> peers = peers();
        CompletableFuture<Source> first = new CompletableFuture<>();
        List<CompletableFuture<Void>> answers = peers.stream()
                .map(server -> this.<ArtifactServer.Description>ask(
                                server, replyTo -> new ArtifactServer.Describe(kind, key, replyTo))
                        .thenAccept(description -> {
                            if (!description.files().isEmpty()) {
                                first.complete(new Source(server, description.files()));
                            }
                        })
                        .exceptionally(failure -> null))
                .toList();
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenRun(() -> first.complete(null));
        return first.get();
    }

    private List<ActorRef<ArtifactServer.Command>> peers() throws Exception {
        Receptionist.Listing listing = AskPattern.<Receptionist.Command, Receptionist.Listing>ask(
                        system.receptionist(),
                        replyTo -> Receptionist.find(ArtifactServer.SERVICE, replyTo),
                        timeout,
                        system.scheduler())
                .toCompletableFuture()
                .get();
        Set<ActorRef<ArtifactServer.Command>> servers = listing.getServiceInstances(ArtifactServer.SERVICE);
        return servers.stream().filter(server -> server.path().address().hasGlobalScope()).toList();
    }

    private void download(ActorRef<ArtifactServer.Command> server, String kind, String key, String name, long size,
            Path target) throws Exception {
        try (OutputStream out = Files.newOutputStream(target)) {
            for (long offset = 0; offset < size; ) {
                long from = offset;
                int length = (int) Math.min(chunkBytes, size - offset);
                ArtifactServer.ReadReply reply = this.<ArtifactServer.ReadReply>ask(server,
                                replyTo -> new ArtifactServer.Read(kind, key, name, from, length, replyTo))
                        .get();
                if (reply instanceof ArtifactServer.ReadFailed failed) {
                    throw new IOException(kind + "/" + key + "/" + name + ": " + failed.reason());
                }
                byte[] data = ((ArtifactServer.Chunk) reply).data();
                if (data.length != length) {
                    throw new IOException(kind + "/" + key + "/" + name + ": got " + data.length + " bytes at "
                            + offset + ", expected " + length + " (the file changed?)");
                }
                out.write(data);
                offset += length;
            }
        }
    }

    private <T> CompletableFuture<T> ask(
            ActorRef<ArtifactServer.Command> server, Function<ActorRef<T>, ArtifactServer.Command> message) {
        return AskPattern.ask(server, message, timeout, system.scheduler()).toCompletableFuture();
    }
}
