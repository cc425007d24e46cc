package io.dfq.orchestrator.cli;

import io.dfq.dashboard.DashboardServer;
import io.dfq.results.H2ResultStore;
import io.dfq.results.ResultReader;
import java.io.IOException;
import picocli.CommandLine.Option;

/**
 * {@code --serve} of {@code run} and {@code coordinator}: the dashboard beside the sweep, on its own
 * SELECT-only connection, fed the sweep's events; it stops when the sweep's command exits.
 */
public final class SweepDashboard {

    @Option(names = "--serve", description = "Serve the web dashboard while the sweep runs (--serve-bind, --serve-port).")
    boolean enabled;

    @Option(names = "--serve-bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Dashboard address with --serve (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--serve-port", paramLabel = "PORT", defaultValue = "8080",
            description = "Dashboard port with --serve (default: ${DEFAULT-VALUE}).")
    int port;

    /** The read-only connection the dashboard uses, or null without {@code --serve}. */
    ResultReader openReader(HomeOptions home) {
        return enabled ? H2ResultStore.openReadOnly(home.home()) : null;
    }

    /** The dashboard over {@code reader}, or null when {@code reader} is null. */
    DashboardServer start(ResultReader reader, HomeOptions home) throws IOException {
        return reader == null ? null : ServeOptions.start(reader, home, bind, port);
    }
}
