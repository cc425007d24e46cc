package io.dfq.actors;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigValueFactory;
import io.dfq.quant.artifact.ArtifactStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Artifacts copied between two nodes over loopback: a byte flipped on the way is caught by the
 * checksums, the copy is discarded and fetched again; what was fetched is cached; kinds that are
 * not shared are never asked for.
 */
class ArtifactFetchTest {

    private static final int CHUNK = 16 * 1024;

    @TempDir
    Path home;

    private ActorSystem<Void> holder;
    private ActorSystem<Void> fetcherNode;

    @AfterEach
    void shutDown() {
        for (ActorSystem<Void> system : Arrays.asList(fetcherNode, holder)) {
            if (system != null) {
                system.terminate();
                system.getWhenTerminated().toCompletableFuture().join();
            }
        }
    }

    /**
     * Stands between the network and the real server: counts descriptions asked for and flips one
     * byte of the first chunk of {@code file} it relays, once.
     */
    private static Behavior<ArtifactServer.Command> corruptingOnce(
            ActorRef<ArtifactServer.Command> server, String file, AtomicInteger describes) {
        AtomicBoolean corrupted = new AtomicBoolean();
        return Behaviors.setup(context -> Behaviors.receive(ArtifactServer.Command.class)
                .onMessage(ArtifactServer.Describe.class, describe -> {
                    describes.incrementAndGet();
                    server.tell(describe);
                    return Behaviors.same();
                })
                .onMessage(ArtifactServer.Read.class, read -> {
                    if (read.file().equals(file) && corrupted.compareAndSet(false, true)) {
                        ActorRef<ArtifactServer.ReadReply> flipper = context.spawnAnonymous(flipping(read.replyTo()));
                        server.tell(new ArtifactServer.Read(
                                read.kind(), read.key(), read.file(), read.offset(), read.length(), flipper));
                    } else {
                        server.tell(read);
                    }
                    return Behaviors.same();
                })
                .build());
    }

    /** Relays one read reply with a bit flipped in the middle of its data. */
    private static Behavior<ArtifactServer.ReadReply> flipping(ActorRef<ArtifactServer.ReadReply> replyTo) {
        return Behaviors.receiveMessage(reply -> {
            if (reply instanceof ArtifactServer.Chunk chunk) {
                byte[] data = chunk.data().clone();
                data[data.length / 2] ^= 0x10;
                replyTo.tell(new ArtifactServer.Chunk(data));
            } else {
                replyTo.tell(reply);
            }
            return Behaviors.stopped();
        });
    }

    @Test
    void aCorruptedTransferIsRejectedAndFetchedAgainThenServedFromTheCache() throws Exception {
        byte[] weights = new byte[5 * CHUNK + 123];
        new Random(7).nextBytes(weights);
        ArtifactStore remote = new ArtifactStore(home.resolve("holder"));
        remote.obtain("teacher", "t1", dir -> {
            Files.write(dir.resolve("net.params"), weights);
            Files.writeString(dir.resolve("meta.json"), "{\"fp32_top1\": 88.5}");
        });
        remote.obtain("quantized", "t1", dir -> Files.writeString(dir.resolve("model.dfqm"), "remote"));
        int port = TestCluster.freePort();
        AtomicInteger describes = new AtomicInteger();
        holder = ActorSystem.create(Behaviors.setup(context -> {
            ActorRef<ArtifactServer.Command> server = context.spawn(
                    ArtifactServer.create(remote, Set.of("teacher", "synthetic", "quantized"), CHUNK), "artifacts",
                    ArtifactServer.DISPATCHER);
            ActorRef<ArtifactServer.Command> proxy =
                    context.spawn(corruptingOnce(server, "net.params", describes), "proxy");
            context.getSystem().receptionist().tell(Receptionist.register(ArtifactServer.SERVICE, proxy));
            return Behaviors.<Void>empty();
        }), ClusterConfig.SYSTEM_NAME, TestCluster.coordinator(port));
        Cluster.get(holder).manager().tell(new Join(Cluster.get(holder).selfMember().address()));
        fetcherNode = ActorSystem.create(Behaviors.<Void>empty(), ClusterConfig.SYSTEM_NAME,
                TestCluster.worker(port, 1)
                        .withValue("dfq.cluster.artifact-chunk", ConfigValueFactory.fromAnyRef(CHUNK)));
        awaitServerListed(fetcherNode);
        ArtifactStore local =
                new ArtifactStore(home.resolve("worker"), ArtifactFetcher.fromConfig(fetcherNode, "fetch-kinds"));

        ArtifactStore.Obtained fetched = local.obtain("teacher", "t1", dir -> {
            throw new AssertionError("the holder has it: fetch, do not train");
        });
        ArtifactStore.Obtained cached = local.obtain("teacher", "t1", dir -> {
            throw new AssertionError("fetched once, cached since");
        });
        ArtifactStore.Obtained own = local.obtain("quantized", "t1",
                dir -> Files.writeString(dir.resolve("model.dfqm"), "own"));

        assertThat(fetched.computed()).isFalse();
        assertThat(Files.readAllBytes(fetched.dir().resolve("net.params"))).isEqualTo(weights);
        assertThat(Files.readString(fetched.dir().resolve("meta.json"))).isEqualTo("{\"fp32_top1\": 88.5}");
        assertThat(Files.readString(fetched.dir().resolve("SHA256SUMS")))
                .isEqualTo(Files.readString(remote.dir("teacher", "t1").resolve("SHA256SUMS")));
        assertThat(describes).as("one corrupted transfer, one good one, none for the cached copy").hasValue(2);
        assertThat(cached.dir()).isEqualTo(fetched.dir());
        assertThat(own.computed()).as("a worker never fetches a quantized model").isTrue();
        assertThat(Files.readString(own.dir().resolve("model.dfqm"))).isEqualTo("own");
    }

    private static void awaitServerListed(ActorSystem<Void> system) {
        TestProbe<Receptionist.Listing> listings = TestProbe.create(system);
        system.receptionist().tell(Receptionist.subscribe(ArtifactServer.SERVICE, listings.ref()));
        listings.fishForMessage(Duration.ofSeconds(20), listing -> listing.getServiceInstances(ArtifactServer.SERVICE)
                .isEmpty() ? FishingOutcomes.continueAndIgnore() : FishingOutcomes.complete());
    }
}
