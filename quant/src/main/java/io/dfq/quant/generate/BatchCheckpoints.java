package io.dfq.quant.generate;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The finished batches of a batch-wise synthesis, kept on disk until its set is stored: a
 * synthesis interrupted (process killed, machine lost) resumes after its last finished batch
 * instead of starting over, and makes the same images as an uninterrupted run.
 *
 * <p>A generator that optimizes its set batch by batch saves, after each batch, the batch's images
 * and every piece of state the next batches depend on (its random generators, its loss sums); a
 * resumed run restores them batch by batch in order and computes from the first batch missing.
 * State that a generator derives from finished images (class centres) is derived again from the
 * restored images. Each batch is one file, written to a temporary name and moved into place, so a
 * kill leaves either the whole batch or none of it; a file that cannot be read is recomputed.
 */
public final class BatchCheckpoints {

    /** No checkpoints: every batch is computed (tests, one-off generation). */
    public static final BatchCheckpoints NONE = new BatchCheckpoints(null);

    private static final Logger LOG = LoggerFactory.getLogger(BatchCheckpoints.class);

    private final Path dir;

    private BatchCheckpoints(Path dir) {
        this.dir = dir;
    }

    /** Checkpoints in {@code dir} (created on the first save). */
    public static BatchCheckpoints in(Path dir) {
        return new BatchCheckpoints(dir);
    }

    /**
     * A batch restored from disk: its images and the state saved with it, in the order saved.
     *
     * @param pixels the batch's images
     * @param state what the generator saved after the batch
     */
    public record Finished(float[] pixels, List<Object> state) {

        /** Saved state number {@code index}, as {@code type}. */
        public <T> T state(int index, Class<T> type) {
            return type.cast(state.get(index));
        }
    }

    /** How many finished batches an earlier run left. */
    public int count() {
        if (dir == null || !Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return (int) files.filter(f -> f.getFileName().toString().endsWith(".bin")).count();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list synthesis checkpoints in " + dir, e);
        }
    }

    /** Batch {@code batch} as an earlier run of this synthesis finished it, if it did. */
    public Optional<Finished> restore(int batch) {
        if (dir == null) {
            return Optional.empty();
        }
        Path file = file(batch);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (ObjectInputStream in = new ObjectInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            float[] pixels = (float[]) in.readObject();
            Object[] state = (Object[]) in.readObject();
            return Optional.of(new Finished(pixels, List.of(state)));
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            LOG.warn("synthesis checkpoint {} unreadable ({}); the batch is computed again", file, e.toString());
            return Optional.empty();
        }
    }

    /** Keeps batch {@code batch}: its images and the state the next batches start from. */
    public void save(int batch, float[] pixels, Serializable... state) {
        if (dir == null) {
            return;
        }
        Path file = file(batch);
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "batch-" + batch, ".tmp");
            try (ObjectOutputStream out =
                    new ObjectOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
                out.writeObject(pixels);
                out.writeObject(state);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write synthesis checkpoint " + file, e);
        }
    }

    /** Deletes every checkpoint: the set they were for is stored. */
    public void clear() {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete synthesis checkpoints in " + dir, e);
        }
    }

    private Path file(int batch) {
        return dir.resolve(String.format("batch-%05d.bin", batch));
    }
}
