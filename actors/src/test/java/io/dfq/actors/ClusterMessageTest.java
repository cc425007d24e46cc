package io.dfq.actors;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.junit.jupiter.api.Test;

/** Messages between nodes, through the serializer the cluster configuration binds them to. */
class ClusterMessageTest {

    @Test
    void aCompletedTrialKeepsItsNestedResultsThroughJacksonCbor() {
        Config cluster = ConfigFactory.parseResources("dfq-cluster.conf");
        Config config = ConfigFactory.empty()
                .withValue("pekko.actor.serialization-bindings", cluster.getValue("pekko.actor.serialization-bindings"))
                .withValue("pekko.actor.allow-java-serialization",
                        cluster.getValue("pekko.actor.allow-java-serialization"))
                .withFallback(ConfigFactory.load());
        ActorTestKit kit = ActorTestKit.create(config);
        try {
            Coordinator.TrialCompleted message = new Coordinator.TrialCompleted("k", 2, TestTrials.nestedOutcome(0.8));
            Coordinator.TrialCompleted back = new SerializationTestKit(kit.system()).verifySerialization(message, true);
            assertThat(back.outcome().nested()).singleElement()
                    .satisfies(w4a4 -> assertThat(w4a4.metrics()).containsEntry("top1", 0.4));
        } finally {
            kit.shutdownTestKit();
        }
    }
}
