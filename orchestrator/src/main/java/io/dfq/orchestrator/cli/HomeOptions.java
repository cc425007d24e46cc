package io.dfq.orchestrator.cli;

import io.dfq.results.H2ResultStore;
import io.dfq.results.ResultReader;
import io.dfq.results.ResultStore;
import java.nio.file.Files;
import java.nio.file.Path;
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
