package io.dfq.quant.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/**
 * torchvision's {@code RandomResizedCrop(size, scale=(minScale, 1))} (aspect ratio in [3/4, 4/3],
 * bilinear, {@code align_corners=False}) followed by {@code RandomHorizontalFlip()} (p 0.5), drawn
 * per image from a Java {@link Random} and applied on the autograd graph: IntraQ's local object
 * reinforcement of synthetic pixels, and the augmentation of IntraQ's fine-tuning on a fixed set.
 *
 * <p>Bilinear resizing is separable, so cropping an H x W image and resizing the crop back to H x W
 * is {@code R_y X R_x^T} with interpolation matrices R_y (H x H) and R_x (W x W) whose rows read
 * only the crop's rows and columns; a flip reverses the rows of R_x. A batch is thus augmented by
 * two batched matrix products: gradients reach the pixels as through PyTorch's interpolation,
 * without a loop of per-image engine calls. Crops are never larger than the image, so the
 * resize only upsamples and torchvision's antialiasing (downsampling only) does not apply.
 */
public final class RandomResizedCrop {

    private static final double LOG_MIN_RATIO = Math.log(3.0 / 4);
    private static final double LOG_MAX_RATIO = Math.log(4.0 / 3);
    private static final int TRIES = 10;

    private final double minScale;

    /** Crops of an area fraction in [{@code minScale}, 1]. */
    public RandomResizedCrop(double minScale) {
        this.minScale = minScale;
    }

    /** Crops, resizes back and (with p 0.5) flips every image of a batch (N, C, H, W). */
    public NDArray apply(NDArray x, Random rnd) {
        Shape s = x.getShape();
        int n = (int) s.get(0);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        float[] rows = new float[n * h * h];
        float[] colsT = new float[n * w * w];
        for (int i = 0; i < n; i++) {
            int[] box = crop(rnd, h, w);
            boolean flip = rnd.nextDouble() < 0.5;
            interpolation(rows, i * h * h, box[0], box[2], h, false, false);
            interpolation(colsT, i * w * w, box[1], box[3], w, flip, true);
        }
        NDManager m = x.getManager();
        NDArray ry = m.create(rows, new Shape(n, 1, h, h));
        NDArray rxT = m.create(colsT, new Shape(n, 1, w, w));
        return ry.matMul(x).matMul(rxT);
    }

    /**
     * The crop {top, left, height, width} as torchvision draws it: up to 10 tries of an area
     * fraction in [minScale, 1] and a log-uniform aspect ratio, then the central crop.
     */
    int[] crop(Random rnd, int height, int width) {
        double area = (double) height * width;
        for (int t = 0; t < TRIES; t++) {
            double target = area * (minScale + (1 - minScale) * rnd.nextDouble());
            double ratio = Math.exp(LOG_MIN_RATIO + (LOG_MAX_RATIO - LOG_MIN_RATIO) * rnd.nextDouble());
            int w = (int) Math.round(Math.sqrt(target * ratio));
            int h = (int) Math.round(Math.sqrt(target / ratio));
            if (w > 0 && w <= width && h > 0 && h <= height) {
                return new int[] {rnd.nextInt(height - h + 1), rnd.nextInt(width - w + 1), h, w};
            }
        }
        return centralCrop(height, width);
    }

    private static int[] centralCrop(int height, int width) {
        double in = (double) width / height;
        int w = width;
        int h = height;
        if (in < Math.exp(LOG_MIN_RATIO)) {
            h = (int) Math.round(w / Math.exp(LOG_MIN_RATIO));
        } else if (in > Math.exp(LOG_MAX_RATIO)) {
            w = (int) Math.round(h * Math.exp(LOG_MAX_RATIO));
        }
        return new int[] {(height - h) / 2, (width - w) / 2, h, w};
    }

    /**
     * Writes at {@code offset} the (size x size) matrix that resizes the span [start, start + len)
     * of an axis of length {@code size} to length {@code size} with PyTorch's bilinear rule
     * (source = (o + 0.5) * len / size - 0.5, clamped at 0); {@code flip} reverses the output,
     * {@code transposed} stores the matrix as (input, output) for a right multiplication.
     */
    static void interpolation(float[] dst, int offset, int start, int len, int size, boolean flip,
            boolean transposed) {
        double scale = (double) len / size;
        for (int o = 0; o < size; o++) {
            double src = Math.max((o + 0.5) * scale - 0.5, 0);
            int i0 = Math.min((int) src, len - 1);
            int i1 = Math.min(i0 + 1, len - 1);
            double l1 = src - i0;
            int out = flip ? size - 1 - o : o;
            dst[offset + index(out, start + i0, size, transposed)] += (float) (1 - l1);
            dst[offset + index(out, start + i1, size, transposed)] += (float) l1;
        }
    }

    private static int index(int out, int in, int size, boolean transposed) {
        return transposed ? in * size + out : out * size + in;
    }
}
