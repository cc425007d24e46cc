package io.dfq.quant.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Content-addressed artifacts (teachers, synthetic sets, quantized models): one directory per
 * (kind, key), written completely in a temporary directory then moved into place, with a {@code
 * SHA256SUMS} file checked on every read.
 *
 * <p>Single flight: two trials that need the same missing artifact wait for one computation. Within
 * a JVM a monitor per artifact directory (shared by all stores) serializes them; across processes (two CLI runs on one home) a file lock
 * does. An artifact whose checksum no longer matches is discarded and recomputed.
 *
 * <p>A store may have a {@link Fetcher}: on a cluster node without a shared filesystem, a missing
 * artifact is first copied from a node that has it, and only produced here when no node does. The
 * copy arrives with the source's {@code SHA256SUMS} and counts only when every file matches it; a
 * mismatch (a corrupted transfer) is discarded and fetched again, up to {@value #FETCH_ATTEMPTS}
 * times. A fetched artifact is stored like a produced one, so it is fetched once per node.
 */
public final class ArtifactStore {

    /** Writes an artifact's files into the given (empty, temporary) directory. */
    @FunctionalInterface
    public interface Producer {
        void produce(Path dir) throws Exception;
    }

    /**
     * Copies an artifact held elsewhere. Called under the artifact's lock, on the trial's thread, so
     * it may block (network transfer) but must give up within its own timeout.
     */
    @FunctionalInterface
    public interface Fetcher {

        /**
         * Writes the files of artifact (kind, key), its {@code SHA256SUMS} included as the source
         * has it, into the empty directory {@code into}.
         *
         * @return false when no other node has the artifact
         * @throws Exception a failed transfer; it counts as a failed attempt
         */
        boolean fetch(String kind, String key, Path into) throws Exception;
    }

    /** Transfers of one artifact tried before it is produced locally instead. */
    public static final int FETCH_ATTEMPTS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(ArtifactStore.class);

    private static final String SUMS = "SHA256SUMS";

    /** Per-artifact monitors shared by every store of the JVM (file locks are per process). */
    private static final Map<Path, Object> LOCKS = new ConcurrentHashMap<>();

    private final Path root;
    private final Fetcher fetcher;

    /** A store that produces every missing artifact itself. */
    public ArtifactStore(Path root) {
        this(root, (kind, key, into) -> false);
    }

    /** A store that asks {@code fetcher} for a missing artifact before producing it. */
    public ArtifactStore(Path root, Fetcher fetcher) {
        this.root = root;
        this.fetcher = fetcher;
    }

    /** The artifact root directory. */
    public Path root() {
        return root;
    }

    /** Where the artifact (kind, key) lives (whether or not it exists yet). */
    public Path dir(String kind, String key) {
        return root.resolve(kind).resolve(key);
    }

    /** Whether the artifact exists and its checksums verify. */
    public boolean isValid(String kind, String key) {
        Path dir = dir(kind, key);
        return Files.isRegularFile(dir.resolve(SUMS)) && verify(dir);
    }

    /**
     * The directory of artifact (kind, key), produced by {@code producer} unless a valid copy
     * exists.
     *
     * @return the directory and whether it had to be produced
     */
    public Obtained obtain(String kind, String key, Producer producer) throws Exception {
        Object lock = LOCKS.computeIfAbsent(dir(kind, key).toAbsolutePath().normalize(), k -> new Object());
        synchronized (lock) {
            Path dir = dir(kind, key);
            Files.createDirectories(dir.getParent());
            Path lockFile = dir.getParent().resolve(key + ".lock");
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock fileLock = ch.lock();
                try {
                    return produceUnlessValid(kind, key, dir, producer);
                } finally {
                    fileLock.release();
                }
            }
        }
    }

    private Obtained produceUnlessValid(String kind, String key, Path dir, Producer producer) throws Exception {
        if (isValid(kind, key)) {
            return new Obtained(dir, false);
        }
        if (Files.exists(dir)) {
            deleteTree(dir);
        }
        deleteLeftovers(dir.getParent(), key);
        if (fetch(kind, key, dir)) {
            return new Obtained(dir, false);
        }
        Path tmp = Files.createTempDirectory(dir.getParent(), key + ".tmp");
        try {
            producer.produce(tmp);
            writeSums(tmp);
            move(tmp, dir);
        } finally {
            if (Files.exists(tmp)) {
                deleteTree(tmp);
            }
        }
        return new Obtained(dir, true);
    }

    /**
     * Deletes the temporary directories of {@code key} that a killed process left: under the
     * artifact's lock no one else is writing one.
     */
    private static void deleteLeftovers(Path parent, String key) throws IOException {
        try (Stream<Path> siblings = Files.list(parent)) {
            for (Path p : siblings.toList()) {
                String name = p.getFileName().toString();
                if (Files.isDirectory(p) && (name.startsWith(key + ".tmp") || name.startsWith(key + ".fetch"))) {
                    deleteTree(p);
                }
            }
        }
    }

    /** Whether a verified copy of the artifact was fetched into {@code dir}. */
    private boolean fetch(String kind, String key, Path dir) throws IOException {
        for (int attempt = 1; attempt <= FETCH_ATTEMPTS; attempt++) {
            Path tmp = Files.createTempDirectory(dir.getParent(), key + ".fetch");
            try {
                if (!fetcher.fetch(kind, key, tmp)) {
                    return false;
                }
                if (Files.isRegularFile(tmp.resolve(SUMS)) && verify(tmp)) {
                    move(tmp, dir);
                    return true;
                }
                LOG.warn("fetched {}/{} does not match its {} (attempt {} of {}); discarded",
                        kind, key, SUMS, attempt, FETCH_ATTEMPTS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while fetching " + kind + "/" + key, e);
            } catch (Exception e) {
                LOG.warn("fetching {}/{} failed (attempt {} of {}): {}",
                        kind, key, attempt, FETCH_ATTEMPTS, e.toString());
            } finally {
                if (Files.exists(tmp)) {
                    deleteTree(tmp);
                }
            }
        }
        LOG.warn("no verified copy of {}/{} could be fetched; producing it here", kind, key);
        return false;
    }

    /** An artifact directory and whether this call computed it. */
    public record Obtained(Path dir, boolean computed) {}

    private static void move(Path tmp, Path dir) throws IOException {
        try {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir);
        }
    }

    /** The sha256 (hex) of a file. */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> checksums(Path dir) throws IOException {
        Map<String, String> sums = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                String name = f.getFileName().toString();
                if (Files.isRegularFile(f) && !name.equals(SUMS)) {
                    sums.put(name, sha256(f));
                }
            }
        }
        return sums;
    }

    private static void writeSums(Path dir) throws IOException {
        StringBuilder sb = new StringBuilder();
        checksums(dir).forEach((name, sum) -> sb.append(sum).append("  ").append(name).append('\n'));
        Files.writeString(dir.resolve(SUMS), sb.toString(), StandardCharsets.UTF_8);
    }

    private static boolean verify(Path dir) {
        try {
            Map<String, String> expected = new TreeMap<>();
            for (String line : Files.readAllLines(dir.resolve(SUMS), StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    expected.put(line.substring(66), line.substring(0, 64));
                }
            }
            return expected.equals(checksums(dir));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
