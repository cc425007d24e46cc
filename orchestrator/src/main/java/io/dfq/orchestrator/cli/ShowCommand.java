package io.dfq.orchestrator.cli;

import io.dfq.results.ResultStore;
import io.dfq.results.TrialQuery;
import io.dfq.results.TrialRecord;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code show TRIAL}: one trial's config, status, metrics, stage times and artifact paths. */
@Command(name = "show", description = "Show one trial (by key or unique key prefix).")
public final class ShowCommand implements Callable<Integer> {

    @Mixin
    HomeOptions home;

    @Parameters(paramLabel = "TRIAL", description = "Trial key or a unique prefix of it.")
    String key;

    @Override
    public Integer call() {
        try (ResultStore store = home.openExisting()) {
            List<TrialRecord> matches = store.list(TrialQuery.all().withText(key).withPage(3, 0)).stream()
                    .filter(r -> r.key().startsWith(key)).toList();
            if (matches.size() != 1) {
                throw new IllegalArgumentException(matches.isEmpty() ? "no trial with key prefix '" + key + "'"
                        : "key prefix '" + key + "' is ambiguous; give more characters");
            }
            TrialRecord r = matches.get(0);
            System.out.println("trial     " + r.key());
            System.out.println("recipe    " + r.recipe());
            System.out.println("status    " + r.status() + " (attempts " + r.attempts() + ")");
            if (r.error() != null) {
                System.out.println("error     " + r.error());
            }
            System.out.println("config    " + r.configJson());
            new TreeMap<>(r.metrics()).forEach((k, v) -> System.out.printf("metric    %-32s %s%n", k, v));
            r.stageSeconds().forEach((k, v) -> System.out.printf("seconds   %-32s %.2f%n", k, v));
            for (Map.Entry<String, String> a : new TreeMap<>(r.artifacts()).entrySet()) {
                System.out.printf("artifact  %-32s %s%n", a.getKey(), home.artifacts().resolve(a.getValue()).toAbsolutePath());
            }
            return 0;
        }
    }
}
