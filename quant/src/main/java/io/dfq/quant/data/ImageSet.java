package io.dfq.quant.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Images (normalized, NCHW, in Java memory) with optional labels.
 *
 * <p>Data sets here are small (Fashion-MNIST is 188 MB as floats), so they live on the Java heap
 * and only the current batch becomes an NDArray, created on the caller's (per-batch) manager: no
 * native memory outlives a batch.
 */
public final class ImageSet {

    private final float[] data;
    private final int[] labels;
    private final int count;
    private final int channels;
    private final int height;
    private final int width;

    /**
     * @param labels one label per image, or null for unlabeled synthetic images
     */
    public ImageSet(float[] data, int[] labels, int count, int channels, int height, int width) {
        if ((long) count * channels * height * width != data.length) {
            throw new IllegalArgumentException("data length " + data.length + " != " + count + "x"
                    + channels + "x" + height + "x" + width);
        }
        if (labels != null && labels.length != count) {
            throw new IllegalArgumentException(labels.length + " labels for " + count + " images");
        }
        this.data = data;
        this.labels = labels;
        this.count = count;
        this.channels = channels;
        this.height = height;
        this.width = width;
    }

    public int count() {
        return count;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** Floats per image. */
    public int imageSize() {
        return channels * height * width;
    }

    /** The shape of one image (C, H, W). */
    public Shape imageShape() {
        return new Shape(channels, height, width);
    }

    public boolean hasLabels() {
        return labels != null;
    }

    /** The label of image {@code i}; the set must be labeled. */
    public int label(int i) {
        return labels[i];
    }

    /** The raw backing array (not copied). */
    public float[] data() {
        return data;
    }

    /** The labels (not copied), or null. */
    public int[] labels() {
        return labels;
    }

    /** Images [from, to) as an NDArray (N, C, H, W) on {@code manager}. */
    public NDArray batch(NDManager manager, int from, int to) {
        int size = imageSize();
        float[] slice = Arrays.copyOfRange(data, from * size, to * size);
        return manager.create(slice, new Shape(to - from, channels, height, width));
    }

    /** Labels [from, to) as an int64 NDArray on {@code manager}. */
    public NDArray labelBatch(NDManager manager, int from, int to) {
        long[] out = new long[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = labels[i];
        }
        return manager.create(out);
    }

    /** The images at {@code indices}, in that order. */
    public ImageSet select(int[] indices) {
        int size = imageSize();
        float[] out = new float[indices.length * size];
        int[] outLabels = labels == null ? null : new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(data, indices[i] * size, out, i * size, size);
            if (outLabels != null) {
                outLabels[i] = labels[indices[i]];
            }
        }
        return new ImageSet(out, outLabels, indices.length, channels, height, width);
    }

    /** The first {@code n} images (all when n >= count). */
    public ImageSet head(int n) {
        if (n >= count) {
            return this;
        }
        int[] idx = new int[n];
        Arrays.setAll(idx, i -> i);
        return select(idx);
    }

    /**
     * A class-balanced random subset of {@code n} images: round-robin over classes (each class in a
     * seeded random order), so every class contributes n/classes images, give or take one.
     */
    public ImageSet balancedSubset(int n, long seed) {
        if (labels == null) {
            throw new IllegalStateException("a balanced subset needs labels");
        }
        if (n > count) {
            throw new IllegalArgumentException("asked for " + n + " images of " + count);
        }
        int classes = Arrays.stream(labels).max().orElse(-1) + 1;
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < count; i++) {
            byClass.get(labels[i]).add(i);
        }
        Random rnd = new Random(seed);
        for (List<Integer> list : byClass) {
            java.util.Collections.shuffle(list, rnd);
        }
        int[] picked = new int[n];
        int filled = 0;
        for (int round = 0; filled < n; round++) {
            for (int c = 0; c < classes && filled < n; c++) {
                if (round < byClass.get(c).size()) {
                    picked[filled++] = byClass.get(c).get(round);
                }
            }
        }
        Arrays.sort(picked);
        return select(picked);
    }

    /** Images per class (labels 0..classes-1). */
    public int[] classHistogram(int classes) {
        int[] hist = new int[classes];
        if (labels != null) {
            for (int l : labels) {
                hist[l]++;
            }
        }
        return hist;
    }
}
