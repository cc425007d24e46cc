package io.dfq.quant.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {

    @TempDir
    Path dir;

    @Test
    void missingFilesNameTheDirectoryTheDebianPackageAndTheEnvironmentVariable() {
        Path empty = dir.resolve("nothing-here");
        assertThatThrownBy(() -> Datasets.load("fashion-mnist", empty))
                .isInstanceOf(UncheckedIOException.class)
                .cause()
                .isInstanceOf(IOException.class)
                .hasMessageContaining(empty.toAbsolutePath().toString())
                .hasMessageContaining("train-images-idx3-ubyte")
                .hasMessageContaining("apt-get install dataset-fashion-mnist")
                .hasMessageContaining("DFQ_DATA_DIR");
    }

    @Test
    void unknownDatasetNamesTheValidOnes() {
        assertThatThrownBy(() -> Datasets.load("cifar10", dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cifar10")
                .hasMessageContaining("fashion-mnist");
    }

    @Test
    void aDatasetWithoutDefaultLocationMustBePointedTo() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv(Datasets.ENV) == null);
        assertThatThrownBy(() -> Datasets.resolveDir("mnist", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--data-dir")
                .hasMessageContaining(Datasets.ENV);
        assertThat(Datasets.resolveDir("fashion-mnist", null)).isEqualTo(Datasets.FASHION_MNIST_DIR);
    }

    @Test
    void anExplicitDirectoryWins() {
        assertThat(Datasets.resolveDir("fashion-mnist", dir)).isEqualTo(dir);
    }

    @Test
    void loadsGzippedAndPlainSplitsAndNormalizes() throws IOException {
        // train: 2 images of 2x2, gzipped; test: 1 image of 2x2, plain
        Files.write(dir.resolve("train-images-idx3-ubyte.gz"), IdxReaderTest.gzip(IdxReaderTest.idx(
                new int[] {2, 2, 2}, new byte[] {0, (byte) 255, 0, 0, 0, 0, 0, (byte) 255})));
        Files.write(dir.resolve("train-labels-idx1-ubyte.gz"),
                IdxReaderTest.gzip(IdxReaderTest.idx(new int[] {2}, new byte[] {3, 9})));
        Files.write(dir.resolve("t10k-images-idx3-ubyte"),
                IdxReaderTest.idx(new int[] {1, 2, 2}, new byte[] {0, 0, (byte) 255, 0}));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), IdxReaderTest.idx(new int[] {1}, new byte[] {5}));

        Datasets.Splits s = Datasets.load("fashion-mnist", dir);
        assertThat(s.train().count()).isEqualTo(2);
        assertThat(s.train().imageShape().getShape()).containsExactly(1, 2, 2);
        assertThat(s.train().labels()).containsExactly(3, 9);
        assertThat(s.test().count()).isEqualTo(1);
        assertThat(s.test().labels()).containsExactly(5);
        // Fashion-MNIST normalization (mean 0.2860, std 0.3530):
        // 0 -> (0 - 0.2860) / 0.3530 = -0.81020; 255 -> (1 - 0.2860) / 0.3530 = 2.02266
        assertThat(s.train().data()[0]).isCloseTo(-0.81020f, within(1e-4f));
        assertThat(s.train().data()[1]).isCloseTo(2.02266f, within(1e-4f));
        assertThat(s.test().data()[2]).isCloseTo(2.02266f, within(1e-4f));
        // cached per directory: the same splits come back
        assertThat(Datasets.load("fashion-mnist", dir)).isSameAs(s);
    }

    @Test
    void theCacheDistinguishesDatasetsSharingADirectory() throws IOException {
        writeOneImageSplits(dir);
        float fashion = Datasets.load("fashion-mnist", dir).train().data()[0];
        float mnist = Datasets.load("mnist", dir).train().data()[0];
        // pixel 0: Fashion-MNIST (0 - 0.2860) / 0.3530 = -0.81020; MNIST (0 - 0.1307) / 0.3081 = -0.42421
        assertThat(fashion).isCloseTo(-0.81020f, within(1e-4f));
        assertThat(mnist).isCloseTo(-0.42421f, within(1e-4f));
    }

    @Test
    void mnistUsesItsOwnNormalization() throws IOException {
        writeOneImageSplits(dir);
        // pixel 0 -> (0 - 0.1307) / 0.3081 = -0.42421; pixel 255 -> (1 - 0.1307) / 0.3081 = 2.82149
        float[] x = Datasets.load("mnist", dir).train().data();
        assertThat(x[0]).isCloseTo(-0.42421f, within(1e-4f));
        assertThat(x[1]).isCloseTo(2.82149f, within(1e-4f));
    }

    /** Train and test splits of one 1x2 image (pixels 0 and 255), label 1. */
    private static void writeOneImageSplits(Path dir) throws IOException {
        for (String prefix : new String[] {"train", "t10k"}) {
            Files.write(dir.resolve(prefix + "-images-idx3-ubyte"),
                    IdxReaderTest.idx(new int[] {1, 1, 2}, new byte[] {0, (byte) 255}));
            Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), IdxReaderTest.idx(new int[] {1}, new byte[] {1}));
        }
    }

    @Test
    void imageAndLabelCountsMustAgree() throws IOException {
        Files.write(dir.resolve("train-images-idx3-ubyte"), IdxReaderTest.idx(new int[] {2, 1, 1}, new byte[2]));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), IdxReaderTest.idx(new int[] {3}, new byte[3]));
        assertThatThrownBy(() -> Datasets.load("mnist", dir))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("2 images and 3 labels");
    }
}
