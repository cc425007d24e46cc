package io.dfq.orchestrator.cli;

import io.dfq.dashboard.DashboardServer;
import io.dfq.results.ResultStore;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code serve}: the read-only web leaderboard over the home's database, until Ctrl-C. */
@Command(name = "serve", description = "Serve the read-only web leaderboard.")
public final class ServeCommand implements Callable<Integer> {

    @Mixin
    HomeOptions home;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1", description = "Address (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}).")
    int port;

    @Override
    public Integer call() throws Exception {
        try (ResultStore store = home.openExisting();
                DashboardServer server = DashboardServer.start(store, bind, port)) {
            System.err.println("dashboard on http://" + bind + ":" + server.port() + "/ (Ctrl-C to stop)");
            new CountDownLatch(1).await();
            return 0;
        }
    }
}
