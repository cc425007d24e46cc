package io.dfq.actors;

import static io.dfq.actors.TestTrials.outcome;
import static io.dfq.actors.TestTrials.specs;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dfq.quant.pipeline.TrialSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's TLS setup, as written there: key and trust stores made with keytool, Artery on
 * {@code tls-tcp} with mutual authentication. A sweep runs over it; a node whose key the cluster
 * does not trust never becomes a member and never gets a trial.
 */
class TlsClusterTest {

    private static final String PASSWORD = "test-only-secret";

    @TempDir
    Path dir;

    private final List<ActorSystem<?>> workers = new ArrayList<>();
    private SweepHandle coordinator;

    @AfterEach
    void shutDown() {
        workers.forEach(ActorSystem::terminate);
        if (coordinator != null) {
            coordinator.close();
        }
        workers.forEach(system -> system.getWhenTerminated().toCompletableFuture().join());
    }

    private void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
        Process keytool = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(output).isZero();
    }

    private Config tls(String keyStore) {
        return ConfigFactory.parseString("""
                pekko.remote.artery {
                  transport = tls-tcp
                  ssl.config-ssl-engine {
                    key-store = "%s"
                    trust-store = "%s"
                    key-store-password = "%s"
                    key-password = "%s"
                    trust-store-password = "%s"
                    protocol = "TLSv1.3"
                    enabled-algorithms = ["TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"]
                    require-mutual-authentication = on
                  }
                }
                """.formatted(dir.resolve(keyStore), dir.resolve("trust.p12"), PASSWORD, PASSWORD, PASSWORD))
                .withFallback(TestCluster.FAST);
    }

    private ActorSystem<?> worker(int port, String keyStore, AtomicInteger trials) {
        Config config = ClusterConfig.node(ClusterConfig.WORKER_ROLE, TestCluster.loopback(0),
                List.of(TestCluster.loopback(port)), tls(keyStore), 1);
        ActorSystem<?> system = WorkerNode.start(new NodeSetup(config, Slot.cpus(1), dir.resolve(keyStore + ".cache"),
                (slot, fetcher) -> (spec, progress) -> {
                    trials.incrementAndGet();
                    return outcome(0.5);
                }));
        workers.add(system);
        return system;
    }

    @Test
    void aSweepRunsOverMutualTlsAndAnUntrustedNodeCannotJoin() throws Exception {
        keytool("-genkeypair", "-alias", "dfq", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=dfq-cluster", "-keystore", "node.p12");
        keytool("-exportcert", "-alias", "dfq", "-keystore", "node.p12", "-file", "dfq.crt");
        keytool("-importcert", "-alias", "dfq", "-file", "dfq.crt", "-keystore", "trust.p12", "-noprompt");
        keytool("-genkeypair", "-alias", "stranger", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=stranger", "-keystore", "stranger.p12");
        int port = TestCluster.freePort();
        List<TrialSpec> specs = specs(3);
        InMemoryResultStore store = new InMemoryResultStore();
        coordinator = ClusterSweep.start(specs, store, new Settings(1, 1, Duration.ZERO),
                new NodeSetup(ClusterConfig.node(ClusterConfig.COORDINATOR_ROLE, TestCluster.loopback(port), List.of(),
                        tls("node.p12"), 0), List.of(), dir.resolve("coordinator"), (slot, fetcher) -> {
                            throw new AssertionError("the coordinator has no slots");
                        }),
                event -> {});
        AtomicInteger strangerTrials = new AtomicInteger();
        ActorSystem<?> stranger = worker(port, "stranger.p12", strangerTrials);
        AtomicInteger trustedTrials = new AtomicInteger();
        worker(port, "node.p12", trustedTrials);

        SweepSummary summary = coordinator.done().toCompletableFuture().get(30, TimeUnit.SECONDS);

        assertThat(summary.done()).isEqualTo(3);
        assertThat(trustedTrials).hasValue(3);
        assertThat(strangerTrials).hasValue(0);
        assertThat(Cluster.get(stranger).selfMember().status()).isNotEqualTo(MemberStatus.up());
        specs.forEach(spec -> assertThat(store.successes(spec.key())).hasSize(1));
    }
}
