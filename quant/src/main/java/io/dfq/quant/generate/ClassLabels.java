package io.dfq.quant.generate;

import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;
import java.util.List;

/**
 * Labels of class-conditional pixel synthesis: image i of a set gets class i mod K, so every batch
 * and every set is as class-balanced as its size allows, and the labels depend on nothing random.
 */
final class ClassLabels {

    private ClassLabels() {}

    /** The number of classes K of a classifier: the output width of its last layer. */
    static int count(Net net) {
        List<QLayer> layers = net.layers();
        return layers.get(layers.size() - 1).outChannels();
    }

    /** The labels of images [from, from + n) of a set: (from + i) mod classes. */
    static int[] roundRobin(int from, int n, int classes) {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (from + i) % classes;
        }
        return labels;
    }
}
