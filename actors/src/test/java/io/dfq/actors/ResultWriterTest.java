package io.dfq.actors;

import static org.assertj.core.api.Assertions.assertThat;

import io.dfq.results.NewTrial;
import io.dfq.results.TrialResult;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The writer's replies: registration with the DONE keys, failures as messages, flush. */
class ResultWriterTest {

    private static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutDown() {
        testKit.shutdownTestKit();
    }

    @Test
    void answersEveryWriteAndReportsFailuresAsReplies() {
        InMemoryResultStore store = new InMemoryResultStore().markDone("a");
        ActorRef<ResultWriter.Command> writer = testKit.spawn(ResultWriter.create(store), ResultWriter.DISPATCHER);
        TestProbe<ResultWriter.Reply> replies = testKit.createTestProbe();

        writer.tell(new ResultWriter.Register(
                List.of(new NewTrial("a", "test", "{}"), new NewTrial("b", "test", "{}")), replies.ref()));
        replies.expectMessage(new ResultWriter.Registered(Set.of("a")));

        writer.tell(new ResultWriter.MarkRunning("b", 1, "worker-1"));
        writer.tell(new ResultWriter.RecordFailure("b", 1, "IOException: disk full", true, replies.ref()));
        replies.expectMessage(new ResultWriter.Written());

        store.failSuccess(new IllegalStateException("connection closed"));
        TrialResult result = new TrialResult(Map.of(), Map.of(), Map.of());
        writer.tell(new ResultWriter.RecordSuccess("b", 2, result, replies.ref()));
        replies.expectMessage(
                new ResultWriter.WriteFailed("recordSuccess b: IllegalStateException: connection closed"));

        writer.tell(new ResultWriter.Flush(replies.ref()));
        replies.expectMessage(new ResultWriter.Written());
        assertThat(store.writerThreads()).allSatisfy(name -> assertThat(name).contains("dfq.db-dispatcher"));
    }
}
