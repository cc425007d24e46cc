package io.dfq.orchestrator.cli;

import io.dfq.actors.Slot;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code run RECIPE}: runs the recipe's trials in this JVM; with {@code --cluster} this process is
 * also the coordinator of a cluster that other machines join with {@code worker}, offering its own
 * {@code --workers} slots (or {@code --slots}) alongside theirs.
 */
@Command(name = "run", description = "Run a recipe's trials (resumes: DONE trials are skipped).")
public final class RunCommand extends SweepCommand {

    @Parameters(paramLabel = "RECIPE", description = "Recipe YAML file.")
    Path recipeFile;

    @Option(names = "--cluster",
            description = "Be the coordinator of a cluster (see coordinator); this node keeps its worker slots.")
    boolean cluster;

    @Mixin
    ClusterOptions clusterOptions;

    @Option(names = "--slots", paramLabel = "SPEC",
            description = "With --cluster: this node's slots, e.g. cpu=2,gpu=1 (default: cpu=<workers>).")
    String slots;

    @Override
    public Integer call() throws Exception {
        if (!cluster) {
            if (slots != null || clusterOptions.bind != null || !clusterOptions.join.isEmpty()
                    || clusterOptions.config != null) {
                throw new IllegalArgumentException("--slots, --bind, --join and --config need --cluster");
            }
            return runSweep(recipeFile, null, List.of());
        }
        int cpus = workers != null ? workers : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        return runSweep(recipeFile, clusterOptions, slots != null ? Slot.parse(slots) : Slot.cpus(cpus));
    }
}
