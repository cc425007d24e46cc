package io.dfq.quant.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.model.Models;
import io.dfq.quant.model.Net;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluatorTest {

    @TempDir
    Path dir;

    private static ImageSet labelled(int[] labels) {
        return new ImageSet(new float[labels.length], labels, labels.length, 1, 1, 1);
    }

    @Test
    void top1IsThePercentageOfCorrectPredictions() {
        // 3 of 4 match -> 75%
        assertThat(Evaluator.top1(new int[] {1, 2, 3, 0}, labelled(new int[] {1, 2, 0, 0}))).isEqualTo(75.0);
        assertThat(Evaluator.top1(new int[] {5}, labelled(new int[] {4}))).isEqualTo(0.0);
    }

    @Test
    void agreementIsThePercentageOfEqualPredictions() {
        // 2 of 3 equal -> 66.67%
        assertThat(Evaluator.agreement(new int[] {1, 2, 3}, new int[] {1, 0, 3})).isCloseTo(200.0 / 3, within(1e-9));
        assertThat(Evaluator.agreement(new int[] {4, 4}, new int[] {4, 4})).isEqualTo(100.0);
    }

    @Test
    void predictIsTheArgmaxOfTheLogitsWhateverTheBatching() {
        int n = 5;
        float[] data = new float[n * 784];
        Random r = new Random(3);
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) r.nextGaussian();
        }
        ImageSet images = new ImageSet(data, null, n, 1, 28, 28);
        try (NDManager m = NDManager.newBaseManager()) {
            Net net = Models.build("lenet5", 0.5, 1, 10, 0);
            net.init(m, new Shape(1, 28, 28));
            long[] expected = net.logits(images.batch(m, 0, n), false).argMax(1).toLongArray();
            // batch 2 over 5 images: batches [0, 2), [2, 4), [4, 5)
            int[] pred = Evaluator.predict(net, images, 2, m);
            assertThat(pred).hasSize(n);
            for (int i = 0; i < n; i++) {
                assertThat(pred[i]).isEqualTo((int) expected[i]);
            }
        }
    }

    @Test
    void sampleGridScalesEachImageToItsOwnRange() throws IOException {
        // two 2x2 images: [0, 1, 2, 3] and [-5, -5, -5, 5]; 2 columns, 1 row, 2-pixel gutters
        ImageSet set = new ImageSet(new float[] {0, 1, 2, 3, -5, -5, -5, 5}, null, 2, 1, 2, 2);
        Path png = dir.resolve("grid.png");
        SampleGrid.write(set, new int[] {0, 1}, 2, 1, png);
        BufferedImage img = ImageIO.read(png.toFile());
        // width = 2 * (2 + 2) + 2 = 10; height = 1 * (2 + 2) + 2 = 6
        assertThat(img.getWidth()).isEqualTo(10);
        assertThat(img.getHeight()).isEqualTo(6);
        // image 0 at (2, 2): 0 -> 0, 1 -> round(255 / 3) = 85, 3 -> 255
        assertThat(img.getRaster().getSample(2, 2, 0)).isEqualTo(0);
        assertThat(img.getRaster().getSample(3, 2, 0)).isEqualTo(85);
        assertThat(img.getRaster().getSample(3, 3, 0)).isEqualTo(255);
        // image 1 at (6, 2): -5 -> 0, 5 -> 255
        assertThat(img.getRaster().getSample(6, 2, 0)).isEqualTo(0);
        assertThat(img.getRaster().getSample(7, 3, 0)).isEqualTo(255);
    }
}
