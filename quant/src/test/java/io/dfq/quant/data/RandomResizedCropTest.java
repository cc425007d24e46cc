package io.dfq.quant.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dfq.quant.nn.Autograd;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link RandomResizedCrop}: PyTorch's bilinear rule, crop bounds, flips and gradients. */
class RandomResizedCropTest {

    @Test
    void interpolationMatrixFollowsPyTorchsBilinearRule() {
        // span [1, 3) of a length-4 axis resized to 4: scale 0.5, source (o + 0.5) * 0.5 - 0.5 clamped at 0
        // o = 0: source 0 -> input 1; o = 1: 0.25 -> 0.75 x input 1 + 0.25 x input 2;
        // o = 2: 0.75 -> 0.25 / 0.75; o = 3: 1.25, clamped to the span's end -> input 2
        float[] r = new float[16];
        RandomResizedCrop.interpolation(r, 0, 1, 2, 4, false, false);
        assertThat(r).containsExactly(0, 1, 0, 0, 0, 0.75f, 0.25f, 0, 0, 0.25f, 0.75f, 0, 0, 0, 1, 0);
        float[] flipped = new float[16];
        RandomResizedCrop.interpolation(flipped, 0, 1, 2, 4, true, false);
        assertThat(flipped).containsExactly(0, 0, 1, 0, 0, 0.25f, 0.75f, 0, 0, 0.75f, 0.25f, 0, 0, 1, 0, 0);
        float[] transposed = new float[16];
        RandomResizedCrop.interpolation(transposed, 0, 1, 2, 4, false, true);
        assertThat(transposed)
                .containsExactly(0, 0, 0, 0, 1, 0.75f, 0.25f, 0, 0, 0.25f, 0.75f, 1, 0, 0, 0, 0);
    }

    @Test
    void cropsStayInsideTheImageAndKeepAtLeastTheMinimumArea() {
        RandomResizedCrop crop = new RandomResizedCrop(0.5);
        Random rnd = new Random(3);
        for (int t = 0; t < 200; t++) {
            int[] box = crop.crop(rnd, 28, 28);
            assertThat(box[0]).isBetween(0, 28 - box[2]);
            assertThat(box[1]).isBetween(0, 28 - box[3]);
            // area fraction >= 0.5 before rounding each side to an integer
            assertThat(box[2] * box[3]).isGreaterThanOrEqualTo(360);
        }
    }

    @Test
    void batchedProductMatchesPerImageMatricesDrawnInTheSameOrder() {
        try (NDManager m = NDManager.newBaseManager()) {
            int n = 3;
            int h = 6;
            float[] pixels = new float[n * 2 * h * h];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) Math.sin(i);
            }
            NDArray x = m.create(pixels, new Shape(n, 2, h, h));
            RandomResizedCrop crop = new RandomResizedCrop(0.3);
            float[] got = crop.apply(x, new Random(9)).toFloatArray();
            // the same draws, applied image by image and channel by channel in plain Java
            Random rnd = new Random(9);
            for (int i = 0; i < n; i++) {
                int[] box = crop.crop(rnd, h, h);
                boolean flip = rnd.nextDouble() < 0.5;
                float[] ry = new float[h * h];
                float[] rx = new float[h * h];
                RandomResizedCrop.interpolation(ry, 0, box[0], box[2], h, false, false);
                RandomResizedCrop.interpolation(rx, 0, box[1], box[3], h, flip, false);
                for (int c = 0; c < 2; c++) {
                    int base = (i * 2 + c) * h * h;
                    for (int o = 0; o < h; o++) {
                        for (int k = 0; k < h; k++) {
                            double v = 0;
                            for (int a = 0; a < h; a++) {
                                for (int b = 0; b < h; b++) {
                                    v += ry[o * h + a] * pixels[base + a * h + b] * rx[k * h + b];
                                }
                            }
                            assertThat(got[base + o * h + k]).isCloseTo((float) v, within(1e-5f));
                        }
                    }
                }
            }
        }
    }

    @Test
    void fullCropsAreTheImageOrItsMirrorAndPassGradientsThrough() {
        try (NDManager m = NDManager.newBaseManager()) {
            int n = 16;
            float[] pixels = new float[n * 4 * 4];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = i;
            }
            NDArray x = m.create(pixels, new Shape(n, 1, 4, 4));
            x.setRequiresGradient(true);
            float[] out;
            try (Autograd g = Autograd.record()) {
                NDArray y = new RandomResizedCrop(1.0).apply(x, new Random(5));
                out = y.toFloatArray();
                g.backward(y.sum());
            }
            int flips = 0;
            for (int i = 0; i < n; i++) {
                boolean same = true;
                boolean mirror = true;
                for (int r = 0; r < 4; r++) {
                    for (int c = 0; c < 4; c++) {
                        same &= out[i * 16 + r * 4 + c] == pixels[i * 16 + r * 4 + c];
                        mirror &= out[i * 16 + r * 4 + c] == pixels[i * 16 + r * 4 + 3 - c];
                    }
                }
                assertThat(same || mirror).isTrue();
                flips += same ? 0 : 1;
            }
            assertThat(flips).isBetween(1, n - 1);
            assertThat(x.getGradient().toFloatArray()).containsOnly(1f);
        }
    }
}
