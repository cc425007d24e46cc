package io.dfq.quant.eval;

import io.dfq.quant.data.ImageSet;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Writes a PNG grid of images, each scaled to its own min-max (synthetic images have no fixed
 * pixel range), one pixel per pixel with a 2-pixel gutter.
 */
public final class SampleGrid {

    private SampleGrid() {}

    /**
     * Writes up to {@code rows * cols} of {@code images} (channel 0) to {@code png}, cell k showing
     * image {@code order[k]}; a negative index leaves its cell blank.
     */
    public static void write(ImageSet images, int[] order, int cols, int rows, Path png) throws IOException {
        int h = images.height();
        int w = images.width();
        int n = Math.min(order.length, cols * rows);
        int usedRows = Math.max(1, (n + cols - 1) / cols);
        int gap = 2;
        BufferedImage img = new BufferedImage(cols * (w + gap) + gap, usedRows * (h + gap) + gap,
                BufferedImage.TYPE_BYTE_GRAY);
        float[] d = images.data();
        int size = images.imageSize();
        for (int k = 0; k < n; k++) {
            if (order[k] < 0) {
                continue;
            }
            int base = order[k] * size;
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < h * w; i++) {
                min = Math.min(min, d[base + i]);
                max = Math.max(max, d[base + i]);
            }
            float range = max > min ? max - min : 1f;
            int x0 = gap + (k % cols) * (w + gap);
            int y0 = gap + (k / cols) * (h + gap);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int v = Math.round(255 * (d[base + y * w + x] - min) / range);
                    img.getRaster().setSample(x0 + x, y0 + y, 0, v);
                }
            }
        }
        ImageIO.write(img, "png", png.toFile());
    }
}
