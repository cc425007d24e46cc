package io.dfq.quant.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.model.Models;
import io.dfq.quant.model.Net;
import io.dfq.quant.nn.Init;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticSetsTest {

    private static ImageSet noise(int n, int[] labels, long seed) {
        return new ImageSet(Init.gaussian(new Random(seed), new Shape(n, 1, 28, 28), 1), labels, n, 1, 28, 28);
    }

    @Test
    void identicalImagesHaveZeroDiversityAndNoiseHasSome() {
        try (NDManager m = NDManager.newBaseManager()) {
            Net net = Models.build("resnet8", 0.25, 1, 10, 0);
            net.init(m, new Shape(1, 28, 28));
            ImageSet one = noise(1, null, 1);
            int[] same = new int[6];
            ImageSet copies = one.select(same);
            assertThat(SyntheticSets.diversity(net, copies, 4, m)).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-4));
            assertThat(SyntheticSets.diversity(net, noise(6, null, 2), 4, m)).isGreaterThan(1e-4);
        }
    }

    @Test
    void describeCountsPredictedClassesOverTheWholeSet() {
        try (NDManager m = NDManager.newBaseManager()) {
            Net net = Models.build("resnet8", 0.25, 1, 10, 0);
            net.init(m, new Shape(1, 28, 28));
            Map<String, Double> stats = SyntheticSets.describe(net, noise(10, null, 3), 4, m);
            double total = 0;
            for (int c = 0; c < 10; c++) {
                total += stats.get("class_" + c);
            }
            assertThat(total).isEqualTo(10.0);
            assertThat(stats.get("teacher_confidence")).isBetween(0.1, 1.0);
            assertThat(stats.get("teacher_entropy")).isBetween(0.0, Math.log(10) + 1e-6);
            assertThat(stats).containsKeys("bn_distance", "diversity");
        }
    }

    @Test
    void labelledSetsGetOneGridRowPerClass(@TempDir Path dir) throws Exception {
        int[] labels = new int[30];
        Arrays.setAll(labels, i -> i % 10);
        SyntheticSets.writeGrid(noise(30, labels, 4), dir.resolve("g.png"));
        BufferedImage img = ImageIO.read(dir.resolve("g.png").toFile());
        // 10 rows of 28 px + 2 px gutters; 8 columns
        assertThat(img.getHeight()).isEqualTo(10 * 30 + 2);
        assertThat(img.getWidth()).isEqualTo(8 * 30 + 2);
        SyntheticSets.writeGrid(noise(30, null, 4), dir.resolve("u.png"));
        BufferedImage unlabelled = ImageIO.read(dir.resolve("u.png").toFile());
        assertThat(unlabelled.getHeight()).isEqualTo(3 * 30 + 2);
        assertThat(unlabelled.getWidth()).isEqualTo(10 * 30 + 2);
    }

    @Test
    void aGeneratorStateRoundTripsThroughItsFile(@TempDir Path dir) throws Exception {
        List<float[]> state = List.of(new float[] {1.5f, -2f}, new float[0], new float[] {3f});
        Path file = dir.resolve(SyntheticSets.STATE);
        SyntheticSets.writeState(state, file);
        List<float[]> back = SyntheticSets.readState(file);
        assertThat(back).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(back.get(i)).containsExactly(state.get(i));
        }
    }
}
