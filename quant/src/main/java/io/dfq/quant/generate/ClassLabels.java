package io.dfq.quant.generate;


/**
 * Labels of class-conditional pixel synthesis: image i of a set gets class i mod K, so every batch
 * and every set is as class-balanced as its size allows, and the labels depend on nothing random.
 */
final class ClassLabels {

    private ClassLabels() {}

    /** The labels of images [from, from + n) of a set: (from + i) mod classes. */
    static int[] roundRobin(int from, int n, int classes) {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (from + i) % classes;
        }
        return labels;
    }
}
