package io.dfq.quant.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactStoreTest {

    @TempDir
    Path root;

    private static ArtifactStore.Producer writing(AtomicInteger calls, String content) {
        return dir -> {
            calls.incrementAndGet();
            Files.writeString(dir.resolve("a.txt"), content, StandardCharsets.UTF_8);
            Files.write(dir.resolve("b.bin"), new byte[] {1, 2, 3, 4});
        };
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Waits, without sleeping, until {@code t} is blocked or waiting (it reached a lock held elsewhere). */
    private static void awaitBlocked(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (t.getState() != Thread.State.BLOCKED && t.getState() != Thread.State.WAITING) {
            if (System.nanoTime() > deadline || !t.isAlive()) {
                throw new AssertionError("thread never blocked: " + t.getState());
            }
            Thread.onSpinWait();
        }
    }

    /**
     * Spins until {@code t} parks on a monitor, terminates, or 2 s pass (a thread blocked inside a
     * native file lock stays RUNNABLE, so that case can only be waited out).
     */
    private static void awaitParkedOrDone(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < deadline) {
            Thread.State s = t.getState();
            if (s == Thread.State.BLOCKED || s == Thread.State.WAITING || s == Thread.State.TERMINATED) {
                return;
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void producesOnceThenServesTheStoredCopy() throws Exception {
        ArtifactStore store = new ArtifactStore(root);
        AtomicInteger calls = new AtomicInteger();
        assertThat(store.isValid("teacher", "k1")).isFalse();

        ArtifactStore.Obtained first = store.obtain("teacher", "k1", writing(calls, "hello"));
        assertThat(first.computed()).isTrue();
        assertThat(first.dir()).isEqualTo(root.resolve("teacher").resolve("k1"));
        assertThat(Files.readString(first.dir().resolve("a.txt"))).isEqualTo("hello");
        assertThat(names(first.dir())).containsExactly("SHA256SUMS", "a.txt", "b.bin");
        assertThat(store.isValid("teacher", "k1")).isTrue();

        ArtifactStore.Obtained second = store.obtain("teacher", "k1", dir -> {
            throw new AssertionError("producer must not run for a valid artifact");
        });
        assertThat(second.computed()).isFalse();
        assertThat(second.dir()).isEqualTo(first.dir());
        assertThat(calls).hasValue(1);
        // no temporary directories left next to the artifact (only the artifact and its lock file)
        assertThat(names(root.resolve("teacher"))).containsExactly("k1", "k1.lock");
    }

    @Test
    void checksumFileListsEveryFileWithItsSha256() throws Exception {
        ArtifactStore store = new ArtifactStore(root);
        Path dir = store.obtain("synthetic", "k", writing(new AtomicInteger(), "hello")).dir();
        // sha256("hello") is the well-known 2cf24dba...; lines are "<sha>  <name>", sorted by name
        String sums = Files.readString(dir.resolve("SHA256SUMS"));
        assertThat(sums).startsWith(
                "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824  a.txt\n");
        assertThat(sums.lines()).hasSize(2);
        assertThat(ArtifactStore.sha256(dir.resolve("a.txt")))
                .isEqualTo("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    }

    @Test
    void concurrentObtainsOfOneKeyRunTheProducerOnce() throws Exception {
        ArtifactStore store = new ArtifactStore(root);
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch producing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ArtifactStore.Producer slow = dir -> {
            calls.incrementAndGet();
            producing.countDown();
            assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
            Files.writeString(dir.resolve("a.txt"), "x");
        };
        AtomicReference<ArtifactStore.Obtained> resultA = new AtomicReference<>();
        AtomicReference<ArtifactStore.Obtained> resultB = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread a = new Thread(() -> run(() -> resultA.set(store.obtain("teacher", "same", slow)), failure));
        Thread b = new Thread(() -> run(() -> resultB.set(store.obtain("teacher", "same", slow)), failure));
        a.start();
        assertThat(producing.await(30, TimeUnit.SECONDS)).isTrue();
        b.start();
        awaitBlocked(b); // b is waiting for a's computation, not computing its own
        release.countDown();
        a.join(30_000);
        b.join(30_000);

        assertThat(failure.get()).isNull();
        assertThat(calls).hasValue(1);
        assertThat(resultA.get().computed()).isTrue();
        assertThat(resultB.get().computed()).isFalse();
        assertThat(resultB.get().dir()).isEqualTo(resultA.get().dir());
    }

    @Test
    void twoStoresOnOneRootInOneJvmAlsoShareTheComputation() throws Exception {
        ArtifactStore first = new ArtifactStore(root);
        ArtifactStore second = new ArtifactStore(root);
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch producing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ArtifactStore.Producer slow = dir -> {
            calls.incrementAndGet();
            producing.countDown();
            assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
            Files.writeString(dir.resolve("a.txt"), "x");
        };
        AtomicReference<ArtifactStore.Obtained> resultB = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread a = new Thread(() -> run(() -> first.obtain("teacher", "same", slow), failure));
        a.start();
        assertThat(producing.await(30, TimeUnit.SECONDS)).isTrue();
        Thread b = new Thread(() -> run(() -> resultB.set(second.obtain("teacher", "same", slow)), failure));
        b.start();
        // b either waits for a's computation (correct) or dies at once with OverlappingFileLockException
        awaitParkedOrDone(b);
        release.countDown();
        a.join(30_000);
        b.join(30_000);
        assertThat(failure.get()).isNull();
        assertThat(calls).hasValue(1);
        assertThat(resultB.get().computed()).isFalse();
    }

    @Test
    void aCorruptedFileInvalidatesTheArtifactAndObtainRecomputesIt() throws Exception {
        ArtifactStore store = new ArtifactStore(root);
        AtomicInteger calls = new AtomicInteger();
        Path dir = store.obtain("teacher", "k", writing(calls, "hello")).dir();
        Path bin = dir.resolve("b.bin");
        byte[] bytes = Files.readAllBytes(bin);
        bytes[2] ^= 0x01; // one flipped bit
        Files.write(bin, bytes);
        assertThat(store.isValid("teacher", "k")).isFalse();

        ArtifactStore.Obtained again = store.obtain("teacher", "k", writing(calls, "hello"));
        assertThat(again.computed()).isTrue();
        assertThat(calls).hasValue(2);
        assertThat(Files.readAllBytes(again.dir().resolve("b.bin"))).containsExactly(1, 2, 3, 4);
        assertThat(store.isValid("teacher", "k")).isTrue();
    }

    @Test
    void extraOrMissingFilesOrChecksumsInvalidateTheArtifact() throws Exception {
        ArtifactStore store = new ArtifactStore(root);
        Path dir = store.obtain("teacher", "k", writing(new AtomicInteger(), "hello")).dir();
        Files.writeString(dir.resolve("stray.txt"), "?");
        assertThat(store.isValid("teacher", "k")).isFalse();
        Files.delete(dir.resolve("stray.txt"));
        assertThat(store.isValid("teacher", "k")).isTrue();
        Files.delete(dir.resolve("a.txt"));
        assertThat(store.isValid("teacher", "k")).isFalse();

        Path other = store.obtain("teacher", "k2", writing(new AtomicInteger(), "hello")).dir();
        Files.delete(other.resolve("SHA256SUMS"));
        assertThat(store.isValid("teacher", "k2")).isFalse();
    }

    @Test
    void aFailingProducerLeavesNoArtifactBehind() throws Exception {
        ArtifactStore store = new ArtifactStore(root);
        assertThatThrownBy(() -> store.obtain("teacher", "broken", dir -> {
            Files.writeString(dir.resolve("partial.txt"), "half");
            throw new IllegalStateException("boom");
        })).isInstanceOf(IllegalStateException.class).hasMessage("boom");

        assertThat(store.dir("teacher", "broken")).doesNotExist();
        assertThat(store.isValid("teacher", "broken")).isFalse();
        // neither the artifact nor a temporary directory: only the lock file remains
        assertThat(names(root.resolve("teacher"))).containsExactly("broken.lock");

        // a later obtain computes it normally
        AtomicInteger calls = new AtomicInteger();
        assertThat(store.obtain("teacher", "broken", writing(calls, "ok")).computed()).isTrue();
        assertThat(calls).hasValue(1);
    }

    @Test
    void theTemporaryDirectoriesOfAKilledProcessAreDeletedWhenTheArtifactIsProduced() throws Exception {
        ArtifactStore store = new ArtifactStore(root);
        Path parent = Files.createDirectories(root.resolve("synthetic"));
        Files.writeString(Files.createDirectory(parent.resolve("k.tmp123")).resolve("partial.bin"), "half");
        Files.createDirectory(parent.resolve("k.fetch456"));
        Files.createDirectory(parent.resolve("other.tmp789"));

        store.obtain("synthetic", "k", writing(new AtomicInteger(), "ok"));

        assertThat(names(parent)).containsExactly("k", "k.lock", "other.tmp789");
    }

    /** A fetcher copying from another node's store, with a hook to damage the copy it writes. */
    private static ArtifactStore.Fetcher copyingFrom(ArtifactStore source, AtomicInteger fetches, Damage damage) {
        return (kind, key, into) -> {
            fetches.incrementAndGet();
            if (!source.isValid(kind, key)) {
                return false;
            }
            try (Stream<Path> files = Files.list(source.dir(kind, key))) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Files.copy(file, into.resolve(file.getFileName()));
                }
            }
            damage.apply(into);
            return true;
        };
    }

    @Test
    void aFetchedArtifactIsVerifiedStoredAndNeitherProducedNorFetchedAgain() throws Exception {
        ArtifactStore remote = new ArtifactStore(root.resolve("remote"));
        remote.obtain("teacher", "k1", writing(new AtomicInteger(), "trained elsewhere"));
        AtomicInteger fetches = new AtomicInteger();
        ArtifactStore local = new ArtifactStore(root.resolve("local"), copyingFrom(remote, fetches, dir -> {}));

        ArtifactStore.Obtained first = local.obtain("teacher", "k1", dir -> {
            throw new AssertionError("a fetched artifact must not be produced");
        });
        ArtifactStore.Obtained second = local.obtain("teacher", "k1", dir -> {
            throw new AssertionError("a cached artifact must not be produced");
        });

        assertThat(first.computed()).isFalse();
        assertThat(second.computed()).isFalse();
        assertThat(fetches).hasValue(1);
        assertThat(Files.readString(first.dir().resolve("a.txt"))).isEqualTo("trained elsewhere");
        assertThat(local.isValid("teacher", "k1")).isTrue();
    }

    @Test
    void aCorruptedTransferIsRejectedAndFetchedAgain() throws Exception {
        ArtifactStore remote = new ArtifactStore(root.resolve("remote"));
        remote.obtain("synthetic", "s1", writing(new AtomicInteger(), "images"));
        AtomicInteger fetches = new AtomicInteger();
        ArtifactStore local = new ArtifactStore(root.resolve("local"), copyingFrom(remote, fetches, dir -> {
            if (fetches.get() == 1) {
                byte[] bytes = Files.readAllBytes(dir.resolve("b.bin"));
                bytes[2] ^= 1;
                Files.write(dir.resolve("b.bin"), bytes);
            }
        }));

        ArtifactStore.Obtained got = local.obtain("synthetic", "s1", dir -> {
            throw new AssertionError("the second transfer is intact, nothing to produce");
        });

        assertThat(fetches).hasValue(2);
        assertThat(Files.readAllBytes(got.dir().resolve("b.bin"))).containsExactly(1, 2, 3, 4);
        assertThat(names(got.dir().getParent())).containsExactly("s1", "s1.lock");
    }

    @Test
    void producesLocallyWhenNoNodeHasItOrEveryTransferIsCorrupt() throws Exception {
        ArtifactStore remote = new ArtifactStore(root.resolve("remote"));
        remote.obtain("teacher", "bad", writing(new AtomicInteger(), "remote"));
        AtomicInteger fetches = new AtomicInteger();
        ArtifactStore local = new ArtifactStore(root.resolve("local"), copyingFrom(remote, fetches,
                dir -> Files.writeString(dir.resolve("a.txt"), "tampered", StandardCharsets.UTF_8)));
        AtomicInteger produced = new AtomicInteger();

        assertThat(local.obtain("teacher", "absent", writing(produced, "local")).computed()).isTrue();
        assertThat(fetches).hasValue(1);
        ArtifactStore.Obtained bad = local.obtain("teacher", "bad", writing(produced, "local"));

        assertThat(bad.computed()).isTrue();
        assertThat(fetches).hasValue(1 + ArtifactStore.FETCH_ATTEMPTS);
        assertThat(produced).hasValue(2);
        assertThat(Files.readString(bad.dir().resolve("a.txt"))).isEqualTo("local");
    }

    @FunctionalInterface
    private interface Damage {
        void apply(Path dir) throws IOException;
    }

    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }

    private static void run(Body body, AtomicReference<Throwable> failure) {
        try {
            body.run();
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }
}
