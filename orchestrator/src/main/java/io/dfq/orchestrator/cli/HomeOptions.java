package io.dfq.orchestrator.cli;

import io.dfq.results.H2ResultStore;
import io.dfq.results.ResultReader;
import io.dfq.results.ResultStore;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import picocli.CommandLine.Option;

/** The {@code --home} option shared by every command: where the database and artifacts live. */
public final class HomeOptions {

    @Option(names = "--home", paramLabel = "DIR", defaultValue = "runs",
            description = "Results database and artifacts (default: ${DEFAULT-VALUE}).")
    Path home;

    /** The home directory. */
    public Path home() {
        return home;
    }

    /** The artifact root under the home directory. */
    public Path artifacts() {
        return home.resolve("artifacts");
    }

    /**
     * Claims the home for one sweep ({@code run} or {@code coordinator}) until the result is closed:
     * an OS lock on {@code HOME/run.lock}, which the OS releases however the process ends. Without it a
     * second sweep on the same home would take the first one's trials in flight for leftovers of a dead
     * process, re-queue them and compute them twice; it fails instead, naming the home.
     */
    public Closeable claimForSweep() throws IOException {
        Files.createDirectories(home);
        Path file = home.resolve("run.lock");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException heldInThisJvm) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new IllegalStateException("another run or coordinator is using " + home.toAbsolutePath() + " (it holds "
                    + file.getFileName() + "); wait for it to finish, or give this run its own --home");
        }
        return channel::close;
    }

    /** Opens (creating if needed) the results store. */
    public ResultStore open() {
        return H2ResultStore.open(home);
    }

    /** Opens the store of an existing home; an error naming the directory when there is none. */
    public ResultStore openExisting() {
        if (!Files.isDirectory(home.resolve("db"))) {
            throw new IllegalArgumentException("no results database under " + home.toAbsolutePath()
                    + " (run a recipe first, or pass --home DIR)");
        }
        return open();
    }

    /**
     * Opens the store of an existing home for reading only (a SELECT-only database user), after
     * bringing its schema up to date as every command does.
     */
    public ResultReader openReader() {
        openExisting().close();
        return H2ResultStore.openReadOnly(home);
    }
}
