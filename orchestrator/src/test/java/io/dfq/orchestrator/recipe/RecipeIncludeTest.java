package io.dfq.orchestrator.recipe;

import static io.dfq.orchestrator.recipe.TestSchema.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Include merging, positions across files, and include cycles. */
class RecipeIncludeTest {

    @TempDir
    Path dir;

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(Objects.requireNonNull(RecipeIncludeTest.class.getResource("/recipes/" + name)).toURI());
    }

    @Test
    void includedFilesMergeDeeplyAndTheIncludingFileWins() throws URISyntaxException {
        Path sweep = resource("include/sweep.yaml");

        Recipe recipe = TestSchema.loader().load(sweep);

        assertThat(recipe.name()).isEqualTo("merged");
        assertThat(recipe.dataDir()).contains(sweep.resolveSibling("data"));
        assertThat(recipe.trials()).extracting(t -> t.config().at("/seed").asInt() + "/" + t.config().at("/wbits"))
                .as("the seed axis is inherited, the wbits axis replaced, the exclude list emptied")
                .containsExactly("0/2", "1/2");
        assertThat(recipe.trials()).allSatisfy(t -> {
            assertThat(t.config().at("/dataset").asText()).isEqualTo("mnist");
            assertThat(t.config().at("/teacher/model").asText()).isEqualTo("lenet5");
            assertThat(t.config().at("/teacher/epochs").asInt()).isEqualTo(3);
            assertThat(t.config().at("/generator").toString()).isEqualTo("{\"iters\":800,\"lr\":0.5,\"name\":\"zeroq\"}");
        });
    }

    @Test
    void anIncludingFileThatSwitchesTheMethodDropsTheInheritedParameters() {
        write(dir, "base.yaml", """
                defaults:
                  generator: {name: zeroq, iters: 800}
                  quantizer: {name: brecq, iters: 100}
                """);
        Recipe recipe = TestSchema.load(dir, """
                version: 1
                name: switch
                include: [base.yaml]
                defaults:
                  generator: gaussian
                  quantizer: {name: brecq}
                """);

        assertThat(recipe.trials().get(0).config().at("/generator").toString())
                .isEqualTo("{\"name\":\"gaussian\",\"std\":1.0}");
        assertThat(recipe.trials().get(0).config().at("/quantizer").toString())
                .as("the same method keeps its parameters")
                .isEqualTo("{\"iters\":100,\"name\":\"brecq\"}");
    }

    @Test
    void problemsInAnIncludedFileNameThatFile() {
        write(dir, "parts/base.yaml", """
                defaults:
                  wbits: 12
                """);

        assertThatThrownBy(() -> TestSchema.load(dir, """
                version: 1
                name: bad
                include: [parts/base.yaml]
                grid: {abits: [0]}
                """))
                .isInstanceOf(RecipeException.class)
                .hasMessage(dir.resolve("parts/base.yaml") + ":2:10: wbits: 12 is out of range; "
                        + "valid: an integer in [1, 8]\n"
                        + dir.resolve("recipe.yaml") + ":4:16: abits: 0 is out of range; valid: an integer in [1, 8]");
    }

    @Test
    void aMissingIncludeIsReportedWhereItIsNamed() {
        assertThatThrownBy(() -> TestSchema.load(dir, """
                version: 1
                name: bad
                include: [nowhere.yaml]
                """))
                .isInstanceOf(RecipeException.class)
                .hasMessage(dir.resolve("recipe.yaml") + ":3:11: cannot read " + dir.resolve("nowhere.yaml")
                        + ": NoSuchFileException");
    }

    @Test
    void anIncludeCycleIsAnErrorNamingTheChain() throws URISyntaxException {
        Path a = resource("cycle/a.yaml");
        Path b = a.resolveSibling("b.yaml");

        assertThatThrownBy(() -> TestSchema.loader().load(a))
                .isInstanceOf(RecipeException.class)
                .hasMessage(b + ":2:5: include cycle: " + a + " -> " + b + " -> " + a);
    }
}
