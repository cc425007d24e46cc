package io.dfq.orchestrator.cli;

import io.dfq.dashboard.DashboardServer;
import io.dfq.results.ResultReader;
import java.io.IOException;
import picocli.CommandLine.Option;

/**
 * Where {@code serve}'s dashboard listens. {@code run} and {@code coordinator} take the same choice as
 * {@link SweepDashboard} under other names, because their {@code --bind} is the cluster's address.
 */
public final class ServeOptions {

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Dashboard address (default: ${DEFAULT-VALUE}; 0.0.0.0 exposes it to the network).")
    String bind;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
            description = "Dashboard port (default: ${DEFAULT-VALUE}).")
    int port;

    /** Starts the dashboard over {@code reader} and prints where it listens. */
    DashboardServer start(ResultReader reader, HomeOptions home) throws IOException {
        return start(reader, home, bind, port);
    }

    /** Starts a dashboard over {@code reader} on {@code bind:port} and prints where it listens. */
    static DashboardServer start(ResultReader reader, HomeOptions home, String bind, int port) throws IOException {
        DashboardServer server = DashboardServer.start(reader, home.artifacts(), bind, port);
        System.err.println("dashboard on http://" + bind + ":" + server.port() + "/");
        return server;
    }
}
