package io.dfq.orchestrator.cli;

import com.typesafe.config.ConfigFactory;
import io.dfq.actors.Settings;
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
import io.dfq.results.H2ResultStore;
import io.dfq.results.LeaderboardRow;
import io.dfq.results.ResultReader;
import io.dfq.results.ResultStore;
import io.dfq.results.Tables;
import io.dfq.results.TrialQuery;
import io.dfq.results.TrialStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code run RECIPE}: expands the recipe, skips trials already DONE in the home's database (unless
 * {@code --force}), runs the rest on the actor sweep and prints the recipe's leaderboard.
 *
 * <p>Ctrl-C stops handing out trials, records the ones in flight as pending and flushes the
 * database before the process exits, so finished trials are kept and a re-run resumes. With
 * {@code --serve} the dashboard runs beside the sweep, reading through its own SELECT-only
 * connection and receiving the sweep's events; it stops when {@code run} exits.
 */
@Command(name = "run", description = "Run a recipe's trials (resumes: DONE trials are skipped).")
public final class RunCommand implements Callable<Integer> {

    @Mixin
    HomeOptions home;

    @Parameters(paramLabel = "RECIPE", description = "Recipe YAML file.")
    Path recipeFile;

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

    @Option(names = "--serve", description = "Serve the web dashboard while the sweep runs (--bind, --port).")
    boolean serveDashboard;

    @Mixin
    ServeOptions serve;

    @Override
    public Integer call() throws Exception {
        Recipe recipe = new RecipeLoader().load(recipeFile);
        recipe.notes().forEach(n -> System.err.println("note: " + n));
        int cores = Runtime.getRuntime().availableProcessors();
        int slots = workers != null ? workers : Math.max(1, cores / 2);
        Engine.configureThreads(threads != null ? threads : Math.max(1, cores / slots));
        Settings settings = settings(slots);
        Path data = dataDir != null ? dataDir : recipe.dataDir().orElse(null);
        List<TrialSpec> trials = recipe.trials();
        try (ResultStore store = home.open()) {
            int requeued = store.requeueRunning();
            if (requeued > 0) {
                System.err.println(requeued + " trial(s) left running by an earlier process re-queued");
            }
            Set<String> keys = trials.stream().map(TrialSpec::key).collect(Collectors.toSet());
            if (force) {
                store.reset(store.keysWithStatus(keys, TrialStatus.DONE));
                store.reset(store.keysWithStatus(keys, TrialStatus.FAILED));
            }
            int cached = store.keysWithStatus(keys, TrialStatus.DONE).size();
            ProgressBar bar = new ProgressBar(trials.size(), cached, quiet ? null : System.err);
            try (ResultReader reader = serveDashboard ? H2ResultStore.openReadOnly(home.home()) : null;
                    DashboardServer dashboard = reader == null ? null : serve.start(reader, home)) {
                Consumer<SweepEvent> listener = dashboard == null ? bar::onEvent
                        : LiveEvents.to(dashboard.live(), bar::onEvent);
                return sweep(recipe, trials, data, settings, store, cached, bar, listener);
            }
        }
    }

    private int sweep(Recipe recipe, List<TrialSpec> trials, Path data, Settings settings, ResultStore store,
            int cached, ProgressBar bar, Consumer<SweepEvent> listener) throws Exception {
        Pipeline pipeline = new Pipeline(new ArtifactStore(home.artifacts()), data);
        SweepHandle handle = Sweep.start(trials, pipeline, store, settings, listener);
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
