package io.dfq.orchestrator.cli;

import io.dfq.results.ResultStore;
import io.dfq.results.Tables;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code leaderboard}: finished trials grouped by configuration, mean +- std over seeds. */
@Command(name = "leaderboard", description = "Print the leaderboard (mean +- std over seeds).")
public final class LeaderboardCommand implements Callable<Integer> {

    @Mixin
    HomeOptions home;

    @Mixin
    FilterOptions filter;

    @Override
    public Integer call() {
        try (ResultStore store = home.openExisting()) {
            System.out.println(Tables.leaderboard(store.leaderboard(filter.query())));
            return 0;
        }
    }
}
