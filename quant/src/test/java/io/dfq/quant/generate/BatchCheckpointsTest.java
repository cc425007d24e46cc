package io.dfq.quant.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.model.Net;
import io.dfq.quant.pipeline.ProgressListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BatchCheckpointsTest {

    private static final int SAMPLES = 10; // batches of 4, 4 and 2

    @TempDir
    Path dir;

    @Test
    void aSavedBatchComesBackWithItsRandomGeneratorAtTheSameState() {
        BatchCheckpoints checkpoints = BatchCheckpoints.in(dir.resolve("set"));
        Random rnd = new Random(3);
        rnd.nextGaussian(); // leaves a cached second Gaussian, part of the state
        checkpoints.save(0, new float[] {1, 2}, rnd, new double[] {0.5});

        BatchCheckpoints.Finished back = checkpoints.restore(0).orElseThrow();

        assertThat(back.pixels()).containsExactly(1, 2);
        assertThat(back.state(1, double[].class)).containsExactly(0.5);
        Random restored = back.state(0, Random.class);
        assertThat(restored.nextGaussian()).isEqualTo(rnd.nextGaussian());
        assertThat(restored.nextLong()).isEqualTo(rnd.nextLong());
        assertThat(checkpoints.restore(1)).isEmpty();
        assertThat(checkpoints.count()).isEqualTo(1);
        checkpoints.clear();
        assertThat(dir.resolve("set")).doesNotExist();
        assertThat(BatchCheckpoints.NONE.restore(0)).isEmpty();
    }

    @Test
    void anUnreadableBatchIsComputedAgain() throws IOException {
        BatchCheckpoints checkpoints = BatchCheckpoints.in(dir);
        checkpoints.save(0, new float[] {1}, new Random(1));
        Files.write(dir.resolve("batch-00000.bin"), new byte[] {1, 2, 3});

        assertThat(checkpoints.restore(0)).isEmpty();
    }

    /** A run killed after its second batch resumes there and makes the same set as an uninterrupted run. */
    @ParameterizedTest
    @ValueSource(strings = {"zeroq", "dsg", "intraq", "clusterq", "genie", "gzsq"})
    void aKilledSynthesisResumesAfterItsLastFinishedBatchWithTheSameResult(String name) throws Exception {
        Generator generator = Generator.REGISTRY.get(name);
        ObjectNode params = name.equals("genie")
                ? TinyTeacher.params(name, "iters", 3, "batch", 4, "latent", 16, "width", 0.0625)
                : TinyTeacher.params(name, "iters", 3, "batch", 4);
        try (NDManager m = NDManager.newBaseManager()) {
            Net teacher = TinyTeacher.build(m);
            SyntheticSet whole = generator.generate(context(teacher, params, m, ProgressListener.NONE,
                    BatchCheckpoints.in(dir.resolve("whole"))));

            BatchCheckpoints killed = BatchCheckpoints.in(dir.resolve("killed"));
            assertThatThrownBy(() -> generator.generate(context(teacher, params, m, new KillAtBatch(2), killed)))
                    .hasMessage("killed");
            assertThat(killed.count()).isEqualTo(2);
            SyntheticSet resumed = generator.generate(context(teacher, params, m, ProgressListener.NONE, killed));

            assertThat(resumed.images().data()).containsExactly(whole.images().data());
            assertThat(resumed.stats()).isEqualTo(whole.stats());
            assertThat(killed.count()).isEqualTo(3);
        }
    }

    private static GenerationContext context(Net teacher, ObjectNode params, NDManager m, ProgressListener progress,
            BatchCheckpoints checkpoints) {
        Supplier<ImageSet> noData = () -> {
            throw new AssertionError("a data-free generator asked for the training data");
        };
        return new GenerationContext(teacher, params, SAMPLES, TinyTeacher.IMAGE, 7, noData, m, progress,
                checkpoints);
    }

    /** Throws when the generator reports batch {@code n} finished, as a kill right after it would. */
    private static final class KillAtBatch implements ProgressListener {

        private final Pattern line;

        KillAtBatch(int n) {
            line = Pattern.compile("batch " + n + "\\b");
        }

        @Override
        public void stage(String stage) {}

        @Override
        public void message(String text) {
            if (line.matcher(text).find()) {
                throw new IllegalStateException("killed");
            }
        }
    }
}
