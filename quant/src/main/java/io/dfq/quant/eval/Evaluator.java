package io.dfq.quant.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.model.Net;
import io.dfq.quant.nn.Autograd;

/**
 * Classifies a test set in small batches, each on its own sub-manager and without autograd, so
 * that evaluating 10k images leaves no native memory behind (design.md section 6).
 */
public final class Evaluator {

    private Evaluator() {}

    /** The predicted class of every image of {@code images}. */
    public static int[] predict(Net net, ImageSet images, int batch, NDManager manager) {
        int[] pred = new int[images.count()];
        for (int from = 0; from < images.count(); from += batch) {
            int to = Math.min(images.count(), from + batch);
            try (NDManager scope = manager.newSubManager()) {
                NDArray x = images.batch(scope, from, to);
                long[] p = Autograd.noGrad(() -> net.logits(x, false).argMax(1).toLongArray());
                for (int i = 0; i < p.length; i++) {
                    pred[from + i] = (int) p[i];
                }
            }
        }
        return pred;
    }

    /** Percentage of {@code pred} equal to the labels of {@code images}. */
    public static double top1(int[] pred, ImageSet images) {
        int hit = 0;
        for (int i = 0; i < pred.length; i++) {
            if (pred[i] == images.label(i)) {
                hit++;
            }
        }
        return 100.0 * hit / pred.length;
    }

    /** Percentage of positions where two predictions agree (over the first a.length). */
    public static double agreement(int[] a, int[] b) {
        int same = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b[i]) {
                same++;
            }
        }
        return 100.0 * same / a.length;
    }
}
