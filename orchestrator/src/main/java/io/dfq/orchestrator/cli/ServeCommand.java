package io.dfq.orchestrator.cli;

import io.dfq.dashboard.DashboardServer;
import io.dfq.results.ResultReader;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code serve}: the read-only web dashboard over the home's database, until Ctrl-C. It reads as
 * the database's SELECT-only user; running sweeps in other processes show up through polling.
 */
@Command(name = "serve", description = "Serve the read-only web dashboard (leaderboard, charts, ablation, trials).")
public final class ServeCommand implements Callable<Integer> {

    @Mixin
    HomeOptions home;

    @Mixin
    ServeOptions serve;

    @Override
    public Integer call() throws Exception {
        try (ResultReader reader = home.openReader(); DashboardServer server = serve.start(reader, home)) {
            System.err.println("(Ctrl-C to stop)");
            new CountDownLatch(1).await();
            return 0;
        }
    }
}
