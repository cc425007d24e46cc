package io.dfq.orchestrator.cli;

import io.dfq.dashboard.DashboardServer;
import io.dfq.results.ResultReader;
import java.io.IOException;
import picocli.CommandLine.Option;

/** Where the dashboard listens, shared by {@code serve} and {@code run --serve}. */
public final class ServeOptions {

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Dashboard address (default: ${DEFAULT-VALUE}; 0.0.0.0 exposes it to the network).")
    String bind;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
            description = "Dashboard port (default: ${DEFAULT-VALUE}).")
    int port;

    /** Starts the dashboard over {@code reader} and prints where it listens. */
    DashboardServer start(ResultReader reader, HomeOptions home) throws IOException {
        DashboardServer server = DashboardServer.start(reader, home.artifacts(), bind, port);
        System.err.println("dashboard on http://" + bind + ":" + server.port() + "/");
        return server;
    }
}
