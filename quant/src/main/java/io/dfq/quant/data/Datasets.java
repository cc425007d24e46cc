package io.dfq.quant.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Locates and loads MNIST-format data sets (train/test IDX files) and normalizes them.
 *
 * <p>The directory is resolved once: an explicit override (recipe {@code data_dir} or the CLI's
 * {@code --data-dir}), then the environment variable {@code DFQ_DATA_DIR}, then the Debian package's
 * location. Loaded splits are cached per (data set, directory), the normalization depending on
 * the data set, because every trial in a JVM reads the same files.
 */
public final class Datasets {

    /** Where Debian's {@code dataset-fashion-mnist} package puts the files. */
    public static final Path FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** Environment variable overriding the data directory. */
    public static final String ENV = "DFQ_DATA_DIR";

    private static final Map<String, float[]> NORMALIZATION =
            Map.of("fashion-mnist", new float[] {0.2860f, 0.3530f}, "mnist", new float[] {0.1307f, 0.3081f});

    private static final Map<String, Splits> CACHE = new ConcurrentHashMap<>();

    private Datasets() {}

    /** The train and test splits of one data set. */
    public record Splits(ImageSet train, ImageSet test) {}

    /**
     * The directory to read: override, else $DFQ_DATA_DIR, else (Fashion-MNIST only) the Debian
     * location; other data sets must be pointed to.
     */
    public static Path resolveDir(String dataset, Path override) {
        if (override != null) {
            return override;
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        if (!"fashion-mnist".equals(dataset)) {
            throw new IllegalArgumentException("dataset '" + dataset + "' has no default location; give its"
                    + " MNIST-format directory with --data-dir, the recipe's data_dir or $" + ENV);
        }
        return FASHION_MNIST_DIR;
    }

    /** Loads (once per directory) the named data set's splits from {@code dir}. */
    public static Splits load(String dataset, Path dir) {
        float[] norm = NORMALIZATION.get(dataset);
        if (norm == null) {
            throw new IllegalArgumentException(
                    "unknown dataset '" + dataset + "'; valid: " + NORMALIZATION.keySet());
        }
        Path abs = dir.toAbsolutePath().normalize();
        return CACHE.computeIfAbsent(dataset + "@" + abs, k -> {
            try {
                return new Splits(
                        split(abs, "train", norm[0], norm[1]), split(abs, "t10k", norm[0], norm[1]));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static ImageSet split(Path dir, String prefix, float mean, float std) throws IOException {
        IdxReader.IdxArray images = IdxReader.read(find(dir, prefix + "-images-idx3-ubyte"));
        IdxReader.IdxArray labels = IdxReader.read(find(dir, prefix + "-labels-idx1-ubyte"));
        if (images.count() != labels.count() || images.dims().length != 3) {
            throw new IOException(dir + ": " + prefix + " has " + images.count() + " images and "
                    + labels.count() + " labels");
        }
        byte[] px = images.data();
        float[] data = new float[px.length];
        for (int i = 0; i < px.length; i++) {
            data[i] = ((px[i] & 0xff) / 255f - mean) / std;
        }
        int[] y = new int[labels.count()];
        for (int i = 0; i < y.length; i++) {
            y[i] = labels.data()[i] & 0xff;
        }
        return new ImageSet(data, y, images.count(), 1, images.dims()[1], images.dims()[2]);
    }

    private static Path find(Path dir, String base) throws IOException {
        for (String name : List.of(base + ".gz", base)) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IOException("missing " + base + "[.gz] in " + dir.toAbsolutePath()
                + " (looked for " + base + ".gz and " + base + "). Install Fashion-MNIST with"
                + " 'apt-get install dataset-fashion-mnist' (files in " + FASHION_MNIST_DIR
                + "), or point to an MNIST-format directory with --data-dir, the recipe's data_dir"
                + " or $" + ENV + ".");
    }
}
