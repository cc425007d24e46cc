package io.dfq.orchestrator.recipe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every recipe under {@code recipes/} validates against the real methods and expands. */
class ShippedRecipesTest {

    @Test
    void everyShippedRecipeValidatesAndExpands() throws IOException {
        Path dir = Path.of("..", "recipes");
        List<Path> recipes;
        try (Stream<Path> files = Files.list(dir)) {
            recipes = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(recipes).extracting(p -> p.getFileName().toString())
                .contains("quickstart.yaml", "sweep.yaml", "generators.yaml", "ptq.yaml");
        RecipeLoader loader = new RecipeLoader();
        for (Path file : recipes) {
            Recipe recipe = loader.load(file);
            assertThat(recipe.trials()).as(file.toString()).isNotEmpty();
        }
        assertThat(loader.load(dir.resolve("ptq.yaml")).trials()).hasSize(2 * 3 * 8 * 3 * 4);
    }
}
