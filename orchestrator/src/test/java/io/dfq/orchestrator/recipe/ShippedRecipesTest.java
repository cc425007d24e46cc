package io.dfq.orchestrator.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every recipe under {@code recipes/} validates against the real methods and expands; bit limits. */
class ShippedRecipesTest {

    @Test
    void everyShippedRecipeValidatesAndExpands() throws IOException {
        Path dir = Path.of("..", "recipes");
        List<Path> recipes;
        try (Stream<Path> files = Files.list(dir)) {
            recipes = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(recipes).extracting(p -> p.getFileName().toString())
                .contains("quickstart.yaml", "sweep.yaml", "generators.yaml", "ptq.yaml", "qat.yaml");
        RecipeLoader loader = new RecipeLoader();
        for (Path file : recipes) {
            Recipe recipe = loader.load(file);
            assertThat(recipe.trials()).as(file.toString()).isNotEmpty();
        }
        assertThat(loader.load(dir.resolve("ptq.yaml")).trials()).hasSize(2 * 3 * 8 * 3 * 4);
        assertThat(loader.load(dir.resolve("qat.yaml")).trials()).hasSize(2 * 3 * 9);
    }

    @Test
    void oneBitIsForBinarizationOnly(@TempDir Path dir) throws IOException {
        Path recipe = dir.resolve("binary.yaml");
        Files.writeString(recipe, """
                version: 1
                name: binary
                defaults: {wbits: 1, abits: 1}
                grid:
                  quantizer: [dirnet, minmax]
                """);
        assertThatThrownBy(() -> new RecipeLoader().load(recipe))
                .isInstanceOf(RecipeException.class)
                .hasMessage(recipe + ":5:23: trial #2 (quantizer=minmax): quantizer 'minmax' quantizes to at least "
                        + "2 bits, the trial asks for 1 (1 bit: dirnet)");
        Files.writeString(recipe, Files.readString(recipe).replace(", minmax", ""));
        assertThat(new RecipeLoader().load(recipe).trials()).hasSize(1);
    }
}
