package io.dfq.quant.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.pipeline.ProgressListener;
import io.dfq.quant.pipeline.TrialConfig.TeacherConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TeacherTrainerTest {

    private static final TeacherConfig CFG =
            new TeacherConfig("fashion-mnist", "resnet8", 0.25, 3, 32, 0.05, 0.9, 5e-4, true, null, 4);

    /** 96 random labelled images: what is learned does not matter here, only that it is the same. */
    private static ImageSet data() {
        Random r = new Random(1);
        float[] v = new float[96 * 784];
        int[] labels = new int[96];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 10;
        }
        return new ImageSet(v, labels, 96, 1, 28, 28);
    }

    private static float[] weights(Net net) {
        QLayer fc = net.layers().get(net.layers().size() - 1);
        return fc.weight().toFloatArray();
    }

    /** Stops the training when it reports the end of epoch {@code epoch} (after its checkpoint). */
    private static ProgressListener interruptAfter(int epoch) {
        return new ProgressListener() {
            @Override
            public void stage(String stage) {}

            @Override
            public void message(String text) {
                if (text.contains("epoch " + epoch + "/")) {
                    throw new IllegalStateException("interrupted");
                }
            }
        };
    }

    @Test
    void aTrainingInterruptedAfterAnEpochResumesFromItsCheckpointToTheSameTeacher(@TempDir Path dir)
            throws IOException {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            TeacherTrainer.Trained whole = TeacherTrainer.train(CFG, data(), m, ProgressListener.NONE, null);

            Path checkpoint = dir.resolve("ckpt");
            assertThatThrownBy(() -> TeacherTrainer.train(CFG, data(), m, interruptAfter(2), checkpoint))
                    .hasMessage("interrupted");
            assertThat(checkpoint.resolve(TeacherTrainer.CHECKPOINT_FILE)).exists();
            TeacherTrainer.Trained resumed = TeacherTrainer.train(CFG, data(), m, ProgressListener.NONE, checkpoint);

            assertThat(resumed.epochLoss()).containsExactlyElementsOf(whole.epochLoss());
            assertThat(weights(resumed.net())).containsExactly(weights(whole.net()));
            ImageSet probe = data().head(8);
            float[] a = Autograd.noGrad(() -> whole.net().logits(probe.batch(m, 0, 8), false)).toFloatArray();
            float[] b = Autograd.noGrad(() -> resumed.net().logits(probe.batch(m, 0, 8), false)).toFloatArray();
            assertThat(b).containsExactly(a);
        }
    }

    @Test
    void aCorruptCheckpointIsRefusedNamingItsFile(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve(TeacherTrainer.CHECKPOINT_FILE), new byte[] {1, 2, 3});
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> TeacherTrainer.train(CFG, data(), m, ProgressListener.NONE, dir))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(dir.resolve(TeacherTrainer.CHECKPOINT_FILE).toString());
        }
    }
}
