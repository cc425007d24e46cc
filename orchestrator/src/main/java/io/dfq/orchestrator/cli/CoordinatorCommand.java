package io.dfq.orchestrator.cli;

import io.dfq.actors.Slot;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code coordinator --recipe R --bind HOST:PORT}: the coordinator node of a cluster. It owns the
 * results database and runs the recipe's trials on the workers that join ({@code worker --join
 * HOST:PORT}), resuming like {@code run}: a second start of the same recipe re-queues the trials
 * that were in flight and skips those DONE. By default it offers no slots of its own.
 */
@Command(name = "coordinator", description = "Coordinate a recipe's sweep over the workers of a cluster.")
public final class CoordinatorCommand extends SweepCommand {

    @Option(names = "--recipe", paramLabel = "RECIPE", required = true, description = "Recipe YAML file.")
    Path recipeFile;

    @Mixin
    ClusterOptions clusterOptions;

    @Option(names = "--slots", paramLabel = "SPEC",
            description = "Worker slots on this node too, e.g. cpu=1 (default: none, or cpu=<workers> with --workers).")
    String slots;

    @Override
    public Integer call() throws Exception {
        List<Slot> local = slots != null ? Slot.parse(slots) : workers != null ? Slot.cpus(workers) : List.of();
        return runSweep(recipeFile, clusterOptions, local);
    }
}
