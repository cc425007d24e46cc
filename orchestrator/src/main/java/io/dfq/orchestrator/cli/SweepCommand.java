package io.dfq.orchestrator.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dfq.actors.ClusterConfig;
import io.dfq.actors.ClusterSweep;
import io.dfq.actors.NodeSetup;
import io.dfq.actors.Settings;
import io.dfq.actors.Slot;
import io.dfq.actors.Sweep;
import io.dfq.actors.SweepEvent;
import io.dfq.actors.SweepHandle;
import io.dfq.actors.SweepSummary;
import io.dfq.dashboard.DashboardServer;
import io.dfq.orchestrator.recipe.Recipe;
import io.dfq.orchestrator.recipe.RecipeLoader;
import io.dfq.quant.artifact.ArtifactStore;
import io.dfq.quant.eval.ProcessMemory;
import io.dfq.quant.pipeline.Pipeline;
import io.dfq.quant.pipeline.TrialSpec;
import io.dfq.results.LeaderboardRow;
import io.dfq.results.ResultReader;
import io.dfq.results.ResultStore;
import io.dfq.results.Tables;
import io.dfq.results.TrialQuery;
import io.dfq.results.TrialStatus;
import java.io.Closeable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What {@code run} and {@code coordinator} share: the sweep options and the run itself, which
 * expands the recipe, skips trials already DONE in the home's database (unless {@code --force}),
 * runs the rest, in this JVM or as the coordinator of a cluster, and prints the recipe's
 * leaderboard. Both commands are one code path, so a cluster sweep records exactly what a local
 * one does.
 *
 * <p>Ctrl-C stops handing out trials, records the ones in flight as pending and flushes the
 * database before the process exits, so finished trials are kept and a re-run resumes.
 */
abstract class SweepCommand implements Callable<Integer> {

    @Mixin
    HomeOptions home;

    @Option(names = "--workers", paramLabel = "N", description = "Worker slots (default: cores / 2, at least 1).")
    Integer workers;

    @Option(names = "--threads", paramLabel = "N",
            description = "Engine threads per worker (default: cores / workers). Workers split the cores.")
    Integer threads;

    @Option(names = "--max-attempts", paramLabel = "N", description = "Attempts per trial (default from config: 2).")
    Integer maxAttempts;

    @Option(names = "--trial-timeout", paramLabel = "SECONDS", description = "Per-attempt limit (0 = none).")
    Long trialTimeout;

    @Option(names = "--force", description = "Recompute trials that are already done.")
    boolean force;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "MNIST-format dataset directory (overrides the recipe's data_dir and $DFQ_DATA_DIR).")
    Path dataDir;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Mixin
    SweepDashboard dashboardOptions;

    /**
     * Runs {@code recipeFile}; as a cluster coordinator node offering {@code localSlots} when
     * {@code cluster} is not null, else in this JVM with {@code --workers} slots.
     */
    int runSweep(Path recipeFile, ClusterOptions cluster, List<Slot> localSlots) throws Exception {
        Recipe recipe = new RecipeLoader().load(recipeFile);
        recipe.notes().forEach(n -> System.err.println("note: " + n));
        int cores = Runtime.getRuntime().availableProcessors();
        int slots = cluster != null ? localSlots.size() : workers != null ? workers : Math.max(1, cores / 2);
        long cpuSlots = cluster != null ? localSlots.stream().filter(s -> s.gpu().isEmpty()).count() : slots;
        Engine.configureThreads(threads != null ? threads : Math.max(1, cores / (int) Math.max(1, cpuSlots)));
        Settings settings = settings(Math.max(1, slots));
        Path data = dataDir != null ? dataDir : recipe.dataDir().orElse(null);
        List<TrialSpec> trials = recipe.trials();
        try (Closeable claim = home.claimForSweep(); ResultStore store = home.open()) {
            int requeued = store.requeueRunning();
            if (requeued > 0) {
                System.err.println(requeued + " trial(s) left running by an earlier process re-queued");
            }
            Set<String> keys = trials.stream().map(TrialSpec::key).collect(Collectors.toSet());
            int unlinked = store.retainOnly(recipe.name(), keys);
            if (unlinked > 0) {
                System.err.printf("recipe %s no longer expands to %d trial(s) of an earlier run: they leave its"
                        + " leaderboard and stay in the database%n", recipe.name(), unlinked);
            }
            if (force) {
                store.reset(store.keysWithStatus(keys, TrialStatus.DONE));
                store.reset(store.keysWithStatus(keys, TrialStatus.FAILED));
            }
            int cached = store.keysWithStatus(keys, TrialStatus.DONE).size();
            ProgressBar bar = new ProgressBar(trials.size(), cached, quiet ? null : System.err);
            try (ResultReader reader = dashboardOptions.openReader(home);
                    DashboardServer dashboard = dashboardOptions.start(reader, home)) {
                Consumer<SweepEvent> listener = dashboard == null ? bar::onEvent
                        : LiveEvents.to(dashboard.live(), bar::onEvent);
                return sweep(recipe, trials, data, settings, store, cached, bar, listener, cluster, localSlots);
            }
        }
    }

    private int sweep(Recipe recipe, List<TrialSpec> trials, Path data, Settings settings, ResultStore store,
            int cached, ProgressBar bar, Consumer<SweepEvent> listener, ClusterOptions cluster, List<Slot> localSlots)
            throws Exception {
        SweepHandle handle;
        if (cluster == null) {
            Pipeline pipeline = new Pipeline(new ArtifactStore(home.artifacts()), data);
            handle = Sweep.start(trials, pipeline, store, settings, listener);
        } else {
            Config config = cluster.nodeConfig(ClusterConfig.COORDINATOR_ROLE, localSlots.size());
            System.err.printf("coordinator at %s with %d local slot(s); workers join with: "
                    + "bin/orchestrator worker --join %s%n", ClusterOptions.address(config), localSlots.size(),
                    ClusterOptions.address(config));
            handle = ClusterSweep.start(trials, store, settings, new NodeSetup(config, localSlots,
                    home.artifacts(), ClusterOptions.pipelines(home.artifacts(), data)), listener);
        }
        Thread hook = new Thread(() -> stop(handle), "dfq-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        SweepSummary summary = handle.done().toCompletableFuture().get();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            return 130; // Ctrl-C: the hook stopped the sweep and owns the cleanup
        }
        handle.close();
        bar.finish();
        List<LeaderboardRow> rows = store.leaderboard(TrialQuery.all().withRecipe(recipe.name()));
        System.out.println(Tables.leaderboard(rows));
        System.out.printf("%s: %d done, %d failed, %d cached, %.1f s, peak RSS %d MiB%n", recipe.name(),
                summary.done(), summary.failed(), cached, summary.elapsed().toMillis() / 1000.0,
                ProcessMemory.peakMb());
        if (summary.failed() > 0) {
            System.err.println("failed trials: bin/orchestrator status --home " + home.home() + " --failed");
        }
        return summary.failed() > 0 ? 1 : 0;
    }

    private Settings settings(int slots) {
        Settings s = Settings.fromConfig(ConfigFactory.load()).withWorkers(slots);
        if (maxAttempts != null) {
            s = s.withMaxAttempts(maxAttempts);
        }
        if (trialTimeout != null) {
            s = s.withTrialTimeout(Duration.ofSeconds(trialTimeout));
        }
        return s;
    }

    private static void stop(SweepHandle handle) {
        System.err.println("\nstopping: keeping finished trials, re-queuing the ones in flight...");
        try {
            handle.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("stop did not complete cleanly: " + e.getMessage());
        } finally {
            handle.close();
        }
    }
}
