package io.dfq.quant.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageSetTest {

    @TempDir
    Path dir;

    /**
     * 30 single-pixel images whose pixel is the image index; classes 0 (images 0-14), 1 (15-24) and 2
     * (25-29): an imbalanced 15/10/5 split.
     */
    static ImageSet imbalanced() {
        float[] data = new float[30];
        int[] labels = new int[30];
        for (int i = 0; i < 30; i++) {
            data[i] = i;
            labels[i] = i < 15 ? 0 : i < 25 ? 1 : 2;
        }
        return new ImageSet(data, labels, 30, 1, 1, 1);
    }

    @Test
    void balancedSubsetTakesClassesRoundRobin() {
        ImageSet sub = imbalanced().balancedSubset(9, 42);
        // 9 images over 3 classes: 3 each, although class 0 is three times larger than class 2
        assertThat(sub.count()).isEqualTo(9);
        assertThat(sub.classHistogram(3)).containsExactly(3, 3, 3);
        // each image keeps its own label (pixel = original index)
        for (int i = 0; i < sub.count(); i++) {
            int original = (int) sub.data()[i];
            assertThat(sub.label(i)).isEqualTo(imbalanced().label(original));
        }
    }

    @Test
    void balancedSubsetFillsFromLargerClassesWhenASmallOneRunsOut() {
        // 20 of 15/10/5: rounds 0-4 take 5 from each (15); round 5 and 6 take one from classes 0 and 1
        // (19); round 7 takes class 0 (20) -> class counts 8 / 7 / 5
        assertThat(imbalanced().balancedSubset(20, 1).classHistogram(3)).containsExactly(8, 7, 5);
    }

    @Test
    void balancedSubsetIsDeterministicPerSeedWithoutDuplicates() {
        ImageSet a = imbalanced().balancedSubset(9, 7);
        ImageSet b = imbalanced().balancedSubset(9, 7);
        assertThat(a.data()).containsExactly(b.data());
        assertThat(a.labels()).containsExactly(b.labels());
        assertThat(a.data()).doesNotHaveDuplicates();
        // indices come back sorted
        assertThat(a.data()).isSorted();
        // another seed draws other images (fixed seeds: deterministic)
        assertThat(imbalanced().balancedSubset(9, 8).data()).isNotEqualTo(a.data());
    }

    @Test
    void balancedSubsetNeedsLabelsAndEnoughImages() {
        ImageSet unlabeled = new ImageSet(new float[4], null, 4, 1, 1, 1);
        assertThatThrownBy(() -> unlabeled.balancedSubset(2, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> imbalanced().balancedSubset(31, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void constructorChecksSizes() {
        assertThatThrownBy(() -> new ImageSet(new float[5], null, 2, 1, 1, 2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ImageSet(new float[4], new int[3], 2, 1, 1, 2))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void batchesBecomeNchwArrays() {
        // 3 images of 1x1x2: pixels [0, 1], [2, 3], [4, 5]
        ImageSet set = new ImageSet(new float[] {0, 1, 2, 3, 4, 5}, new int[] {1, 0, 1}, 3, 1, 1, 2);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = set.batch(m, 1, 3);
            assertThat(x.getShape()).isEqualTo(new Shape(2, 1, 1, 2));
            assertThat(x.toFloatArray()).containsExactly(2, 3, 4, 5);
            assertThat(set.labelBatch(m, 0, 2).toLongArray()).containsExactly(1L, 0L);
        }
        assertThat(set.head(2).data()).containsExactly(0, 1, 2, 3);
        assertThat(set.head(5)).isSameAs(set);
        assertThat(set.select(new int[] {2, 0}).labels()).containsExactly(1, 1);
    }

    @Test
    void imageFilesRoundTripLabelledAndUnlabelledSets() throws IOException {
        ImageSet labelled = new ImageSet(new float[] {0.5f, -1.25f, Float.MIN_VALUE, 3e7f}, new int[] {4, 9}, 2, 1, 1, 2);
        Path f = dir.resolve("set.bin");
        ImageFiles.write(labelled, f);
        ImageSet back = ImageFiles.read(f);
        assertThat(back.count()).isEqualTo(2);
        assertThat(back.channels()).isEqualTo(1);
        assertThat(back.height()).isEqualTo(1);
        assertThat(back.width()).isEqualTo(2);
        assertThat(back.data()).containsExactly(labelled.data());
        assertThat(back.labels()).containsExactly(4, 9);

        ImageSet unlabelled = new ImageSet(new float[] {1, 2, 3, 4, 5, 6}, null, 1, 3, 2, 1);
        ImageFiles.write(unlabelled, f);
        ImageSet back2 = ImageFiles.read(f);
        assertThat(back2.hasLabels()).isFalse();
        assertThat(back2.imageShape()).isEqualTo(new Shape(3, 2, 1));
        assertThat(back2.data()).containsExactly(1, 2, 3, 4, 5, 6);
    }

    @Test
    void imageFilesRejectForeignFilesAndRoundTripInts() throws IOException {
        Path bad = java.nio.file.Files.write(dir.resolve("bad.bin"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertThatThrownBy(() -> ImageFiles.read(bad)).isInstanceOf(IOException.class)
                .hasMessageContaining("not an image set");
        Path ints = dir.resolve("pred.bin");
        ImageFiles.writeInts(new int[] {3, -1, 7}, ints);
        assertThat(ImageFiles.readInts(ints)).containsExactly(3, -1, 7);
    }
}
