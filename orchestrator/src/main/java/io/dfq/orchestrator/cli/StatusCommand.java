package io.dfq.orchestrator.cli;

import io.dfq.results.ResultStore;
import io.dfq.results.TrialRecord;
import io.dfq.results.TrialStatus;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code status}: how many trials are in each state, the running ones, and failures with reasons. */
@Command(name = "status", description = "Trial counts per status; running and failed trials.")
public final class StatusCommand implements Callable<Integer> {

    @Mixin
    HomeOptions home;

    @Option(names = "--recipe", paramLabel = "NAME", description = "Only this recipe.")
    String recipe;

    @Option(names = "--failed", description = "List failed trials with their errors.")
    boolean failed;

    @Override
    public Integer call() {
        try (ResultStore store = home.openExisting()) {
            Map<TrialStatus, Integer> counts = store.counts(recipe);
            StringBuilder sb = new StringBuilder(recipe == null ? "all recipes:" : recipe + ":");
            for (TrialStatus s : TrialStatus.values()) {
                sb.append(' ').append(s.name().toLowerCase()).append(' ').append(counts.getOrDefault(s, 0));
            }
            System.out.println(sb);
            FilterOptions running = new FilterOptions();
            running.recipe = recipe;
            running.limit = 1000;
            for (TrialRecord r : store.list(running.query().withStatus(TrialStatus.RUNNING))) {
                System.out.printf("running %s %s %s/%s W%dA%d %s attempt %d on %s%n", r.key().substring(0, 12),
                        r.model(), r.generator(), r.quantizer(), r.wbits(), r.abits(), r.protocol(), r.attempts(), r.worker());
            }
            if (failed) {
                for (TrialRecord r : store.list(running.query().withStatus(TrialStatus.FAILED))) {
                    System.out.printf("failed %s %s %s/%s W%dA%d %s after %d attempt(s): %s%n", r.key().substring(0, 12),
                            r.model(), r.generator(), r.quantizer(), r.wbits(), r.abits(), r.protocol(), r.attempts(), r.error());
                }
            }
            return 0;
        }
    }
}
