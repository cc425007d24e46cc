package io.dfq.orchestrator.cli;

import io.dfq.orchestrator.recipe.Recipe;
import io.dfq.orchestrator.recipe.RecipeLoader;
import io.dfq.quant.pipeline.TrialConfig;
import io.dfq.quant.pipeline.TrialSpec;
import io.dfq.results.ResultStore;
import io.dfq.results.TrialStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code expand RECIPE}: the dry run. Validates, lists the trials and says how many are done. */
@Command(name = "expand", description = "Validate a recipe and list its trials without running them.")
public final class ExpandCommand implements Callable<Integer> {

    @Mixin
    HomeOptions home;

    @Parameters(paramLabel = "RECIPE", description = "Recipe YAML file.")
    Path recipeFile;

    @Override
    public Integer call() {
        Recipe recipe = new RecipeLoader().load(recipeFile);
        recipe.notes().forEach(n -> System.err.println("note: " + n));
        Set<String> done = Set.of();
        if (Files.isDirectory(home.home().resolve("db"))) {
            try (ResultStore store = home.open()) {
                done = store.keysWithStatus(recipe.trials().stream().map(TrialSpec::key).collect(Collectors.toSet()),
                        TrialStatus.DONE);
            }
        }
        System.out.printf("%-4s %-12s %-12s %-10s %-11s %-5s %-16s %-4s %s%n", "#", "key", "model", "generator",
                "quantizer", "W/A", "protocol", "seed", "status");
        int i = 0;
        for (TrialSpec t : recipe.trials()) {
            TrialConfig c = TrialConfig.from(t.config());
            System.out.printf("%-4d %-12s %-12s %-10s %-11s %-5s %-16s %-4d %s%n", ++i, t.key().substring(0, 12),
                    c.teacher().model(), TrialConfig.methodName(c.generator()), TrialConfig.methodName(c.quantizer()),
                    "W" + c.wbits() + "A" + c.abits(), c.protocol().id(), c.seed(), done.contains(t.key()) ? "done" : "to run");
        }
        System.out.printf("%s: %d trials, %d already done, %d to run%n", recipe.name(), recipe.trials().size(),
                done.size(), recipe.trials().size() - done.size());
        return 0;
    }
}
