package io.dfq.actors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Slot specs and the composed configuration of a cluster node. */
class SlotTest {

    @Test
    void parsesCpuAndGpuSlotsInOrder() {
        assertThat(Slot.parse("cpu=2,gpu=2")).containsExactly(
                new Slot("cpu-1", OptionalInt.empty()),
                new Slot("cpu-2", OptionalInt.empty()),
                new Slot("gpu-0", OptionalInt.of(0)),
                new Slot("gpu-1", OptionalInt.of(1)));
        assertThat(Slot.parse(" gpu=1 ")).containsExactly(new Slot("gpu-0", OptionalInt.of(0)));
        assertThat(Slot.parse("cpu=0")).isEmpty();
        assertThat(Slot.cpus(1)).containsExactly(new Slot("cpu-1", OptionalInt.empty()));
    }

    @Test
    void rejectsBadSpecsNamingThePart() {
        assertThatThrownBy(() -> Slot.parse("cpu=2,tpu=1"))
                .hasMessage("slots: 'tpu=1' is not KIND=COUNT; valid kinds: cpu, gpu (e.g. cpu=2,gpu=1)");
        assertThatThrownBy(() -> Slot.parse("cpu=two")).hasMessage("slots: 'cpu=two': count is not a number");
        assertThatThrownBy(() -> Slot.parse("gpu=-1")).hasMessage("slots: 'gpu=-1': count must not be negative");
        assertThatThrownBy(() -> Slot.parse("cpu")).hasMessageStartingWith("slots: 'cpu' is not KIND=COUNT");
    }

    @Test
    void hostPortsParseAndFormAddresses() {
        assertThat(ClusterConfig.HostPort.parse("10.0.0.5:25520").nodeAddress())
                .isEqualTo("pekko://dfq@10.0.0.5:25520");
        assertThat(ClusterConfig.HostPort.parse("[::1]:2552").nodeAddress()).isEqualTo("pekko://dfq@[::1]:2552");
        assertThatThrownBy(() -> ClusterConfig.HostPort.parse("host")).hasMessage("'host' is not HOST:PORT");
        assertThatThrownBy(() -> ClusterConfig.HostPort.parse("host:x"))
                .hasMessage("'host:x' is not HOST:PORT: the port is not a number");
    }

    @Test
    void aNodeBindsTheGivenInterfaceOnlyAndTheCommandLineWinsOverTheUsersFile() {
        Config user = ConfigFactory.parseString("""
                pekko.cluster.seed-nodes = ["pekko://dfq@10.0.0.9:25520"]
                pekko.cluster.split-brain-resolver.stable-after = 7s
                pekko.remote.artery.canonical.port = 4000
                """);

        Config worker = ClusterConfig.node(ClusterConfig.WORKER_ROLE,
                new ClusterConfig.HostPort("10.0.0.5", 0), List.of(), user, 3);
        Config coordinator = ClusterConfig.node(ClusterConfig.COORDINATOR_ROLE, null,
                List.of(ClusterConfig.HostPort.parse("10.0.0.1:1")), ConfigFactory.empty(), 0);

        assertThat(worker.getString("pekko.remote.artery.canonical.hostname")).isEqualTo("10.0.0.5");
        assertThat(worker.getString("pekko.remote.artery.bind.hostname")).isEqualTo("10.0.0.5");
        assertThat(worker.getInt("pekko.remote.artery.canonical.port")).isZero();
        assertThat(worker.getStringList("pekko.cluster.seed-nodes")).containsExactly("pekko://dfq@10.0.0.9:25520");
        assertThat(worker.getStringList("pekko.cluster.roles")).containsExactly("worker");
        assertThat(worker.getString("pekko.cluster.split-brain-resolver.stable-after")).isEqualTo("7s");
        assertThat(worker.getInt("dfq.blocking-dispatcher.thread-pool-executor.fixed-pool-size")).isEqualTo(3);
        assertThat(worker.getString("pekko.actor.provider")).isEqualTo("cluster");
        assertThat(worker.getString("pekko.actor.serialization-bindings.\"io.dfq.actors.ClusterMessage\""))
                .isEqualTo("jackson-cbor");
        assertThat(coordinator.getString("pekko.cluster.downing-provider-class"))
                .isEqualTo("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider");
        assertThat(coordinator.getString("pekko.cluster.split-brain-resolver.keep-oldest.role"))
                .isEqualTo("coordinator");
        assertThat(coordinator.getInt("pekko.remote.artery.canonical.port")).isEqualTo(25520);
        assertThat(coordinator.getString("pekko.remote.artery.canonical.hostname")).isEqualTo("127.0.0.1");
        assertThat(coordinator.getStringList("pekko.cluster.seed-nodes")).containsExactly("pekko://dfq@10.0.0.1:1");
        assertThat(ConfigFactory.load().getString("pekko.actor.provider")).isEqualTo("local");
    }
}
