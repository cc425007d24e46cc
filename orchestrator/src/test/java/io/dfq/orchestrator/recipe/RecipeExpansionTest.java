package io.dfq.orchestrator.recipe;

import static io.dfq.orchestrator.recipe.TestSchema.load;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dfq.quant.pipeline.TrialSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Expansion: defaults x grid x zip, exclude, when, method slots, duplicates, data_dir. */
class RecipeExpansionTest {

    @TempDir
    Path dir;

    private static List<String> values(Recipe recipe, String pointer) {
        return recipe.trials().stream().map(t -> t.config().at(pointer).asText()).toList();
    }

    @Test
    void aRecipeWithoutSweepIsOneTrialWithEveryDefaultInCanonicalForm() {
        Recipe recipe = load(dir, """
                version: 1
                name: plain
                """);

        assertThat(recipe.name()).isEqualTo("plain");
        assertThat(recipe.dataDir()).isEmpty();
        assertThat(recipe.notes()).isEmpty();
        assertThat(recipe.trials()).singleElement().satisfies(t -> {
            assertThat(t.recipe()).isEqualTo("plain");
            assertThat(t.key()).matches("[0-9a-f]{64}");
            assertThat(t.config().toString()).isEqualTo("{\"abits\":8,\"calib\":{\"samples\":1024},"
                    + "\"dataset\":\"fashion-mnist\",\"generator\":{\"name\":\"gaussian\",\"std\":1.0},"
                    + "\"quantizer\":{\"name\":\"minmax\"},\"seed\":0,"
                    + "\"teacher\":{\"augment\":true,\"epochs\":12,\"model\":\"resnet20\",\"train_limit\":null,"
                    + "\"width\":1.0},\"wbits\":8}");
        });
    }

    @Test
    void productIsDefaultsTimesGridTimesZipWithTheLastDimensionFastest() {
        Recipe recipe = load(dir, """
                version: 1
                name: sweep
                defaults:
                  dataset: mnist
                  teacher: {model: lenet5, epochs: 3}
                grid:
                  generator: [gaussian, zeroq]
                  seed: [0, 1, 2]
                zip:
                  - {wbits: 8, abits: 8}
                  - {wbits: 4, abits: 6}
                """);

        assertThat(recipe.trials()).hasSize(2 * 3 * 2);
        assertThat(values(recipe, "/generator/name")).containsExactly(
                "gaussian", "gaussian", "gaussian", "gaussian", "gaussian", "gaussian",
                "zeroq", "zeroq", "zeroq", "zeroq", "zeroq", "zeroq");
        assertThat(values(recipe, "/seed")).containsExactly("0", "0", "1", "1", "2", "2", "0", "0", "1", "1", "2", "2");
        assertThat(values(recipe, "/wbits")).containsExactly("8", "4", "8", "4", "8", "4", "8", "4", "8", "4", "8", "4");
        assertThat(values(recipe, "/abits")).containsExactly("8", "6", "8", "6", "8", "6", "8", "6", "8", "6", "8", "6");
        assertThat(values(recipe, "/dataset")).containsOnly("mnist");
        assertThat(values(recipe, "/teacher/model")).containsOnly("lenet5");
        assertThat(values(recipe, "/teacher/epochs")).containsOnly("3");
        assertThat(values(recipe, "/teacher/width")).containsOnly("1.0");
        assertThat(recipe.trials().stream().map(TrialSpec::key).distinct()).hasSize(12);
    }

    @Test
    void excludeDropsTrialsMatchingEveryGivenKeyIncludingDottedOnes() {
        Recipe recipe = load(dir, """
                version: 1
                name: ex
                grid:
                  generator: [gaussian, zeroq]
                  quantizer: [minmax, brecq]
                  teacher.model: [lenet5, resnet20]
                exclude:
                  - {generator: gaussian, quantizer: brecq}
                  - {teacher.model: lenet5, generator: {name: zeroq, iters: 500}, quantizer: minmax}
                """);

        assertThat(recipe.trials()).extracting(t -> t.config().at("/generator/name").asText() + "/"
                + t.config().at("/quantizer/name").asText() + "/" + t.config().at("/teacher/model").asText())
                .containsExactly(
                        "gaussian/minmax/lenet5", "gaussian/minmax/resnet20",
                        "zeroq/minmax/resnet20",
                        "zeroq/brecq/lenet5", "zeroq/brecq/resnet20");
    }

    @Test
    void excludeSeesDefaultsAndIgnoresParametersTheTrialsMethodLacks() {
        Recipe recipe = load(dir, """
                version: 1
                name: ex
                grid:
                  generator: [gaussian, zeroq]
                exclude:
                  - {generator.iters: 500, teacher.model: resnet20}
                """);

        assertThat(values(recipe, "/generator/name")).containsExactly("gaussian");
    }

    @Test
    void whenPatchesApplyInOrderAfterExclusion() {
        Recipe recipe = load(dir, """
                version: 1
                name: when
                grid:
                  quantizer: [minmax, brecq]
                  teacher.model: [lenet5, resnet20]
                exclude:
                  - {teacher.model: lenet5, quantizer.iters: 2000}
                when:
                  - if: {quantizer: brecq}
                    set: {quantizer.iters: 2000}
                  - if: {quantizer: {name: brecq, iters: 2000}, teacher.model: lenet5}
                    set: {teacher: {epochs: 2}, wbits: 4}
                """);

        assertThat(recipe.trials()).hasSize(4);
        ObjectNode brecqLenet = recipe.trials().get(2).config();
        assertThat(brecqLenet.at("/quantizer").toString()).isEqualTo("{\"iters\":2000,\"name\":\"brecq\"}");
        assertThat(brecqLenet.at("/teacher/epochs").asInt()).isEqualTo(2);
        assertThat(brecqLenet.at("/wbits").asInt()).isEqualTo(4);
        ObjectNode brecqResnet = recipe.trials().get(3).config();
        assertThat(brecqResnet.at("/quantizer/iters").asInt()).isEqualTo(2000);
        assertThat(brecqResnet.at("/teacher/epochs").asInt()).isEqualTo(12);
        assertThat(recipe.trials().get(0).config().at("/quantizer").toString()).isEqualTo("{\"name\":\"minmax\"}");
    }

    @Test
    void dottedAndNestedKeysAreTheSameKey() {
        Recipe dotted = load(dir.resolve("a"), """
                version: 1
                name: same
                defaults: {teacher.model: lenet5, calib.samples: 64, generator.std: 0.5}
                """);
        Recipe nested = load(dir.resolve("b"), """
                version: 1
                name: same
                defaults:
                  teacher: {model: lenet5}
                  calib: {samples: 64}
                  generator: {std: 0.5}
                """);

        assertThat(dotted.trials().get(0).key()).isEqualTo(nested.trials().get(0).key());
        assertThat(dotted.trials().get(0).config().at("/generator/std").asDouble()).isEqualTo(0.5);
    }

    @Test
    void shortAndLongMethodFormsGiveIdenticalKeys() {
        Recipe shortForm = load(dir.resolve("short"), """
                version: 1
                name: forms
                defaults: {generator: zeroq, quantizer: percentile}
                """);
        Recipe longForm = load(dir.resolve("long"), """
                version: 1
                name: forms
                defaults:
                  generator: {name: zeroq, iters: 500, lr: 0.5}
                  quantizer: {name: percentile}
                """);
        Recipe nameKey = load(dir.resolve("dotted"), """
                version: 1
                name: forms
                grid: {generator.name: [zeroq], quantizer: [{name: percentile, p: 99.99}]}
                """);

        assertThat(longForm.trials().get(0).key())
                .isEqualTo(shortForm.trials().get(0).key())
                .isEqualTo(nameKey.trials().get(0).key());
        assertThat(shortForm.trials().get(0).config().at("/generator").toString())
                .isEqualTo("{\"iters\":500,\"lr\":0.5,\"name\":\"zeroq\"}");
    }

    @Test
    void parametersSetForOneMethodDoNotLeakIntoAnother() {
        Recipe recipe = load(dir, """
                version: 1
                name: leak
                defaults:
                  generator: {name: zeroq, iters: 300}
                grid:
                  generator: [zeroq, gaussian, dsg]
                """);

        assertThat(recipe.trials()).extracting(t -> t.config().get("generator").toString()).containsExactly(
                "{\"iters\":300,\"lr\":0.5,\"name\":\"zeroq\"}",
                "{\"name\":\"gaussian\",\"std\":1.0}",
                "{\"iters\":500,\"name\":\"dsg\"}");
    }

    @Test
    void aParameterPatchAppliesToWhateverMethodTheTrialHas() {
        Recipe recipe = load(dir, """
                version: 1
                name: patch
                grid:
                  generator.iters: [100, 200]
                zip:
                  - {generator: zeroq}
                  - {generator: dsg}
                """);

        assertThat(recipe.trials()).extracting(t -> t.config().get("generator").toString()).containsExactly(
                "{\"iters\":100,\"lr\":0.5,\"name\":\"zeroq\"}",
                "{\"iters\":100,\"name\":\"dsg\"}",
                "{\"iters\":200,\"lr\":0.5,\"name\":\"zeroq\"}",
                "{\"iters\":200,\"name\":\"dsg\"}");
    }

    @Test
    void aParameterTheTrialsMethodLacksIsAnErrorNamingTheMethodAndItsParameters() {
        assertThatThrownBy(() -> load(dir, """
                version: 1
                name: patch
                grid:
                  generator: [zeroq, gaussian]
                  generator.iters: [100]
                """))
                .isInstanceOf(RecipeException.class)
                .hasMessage(dir.resolve("recipe.yaml")
                        + ":5:3: generator 'gaussian' has no parameter 'iters'; valid: std");
    }

    @Test
    void aLongFormParameterOfAnotherMethodIsAnError() {
        assertThatThrownBy(() -> load(dir, """
                version: 1
                name: patch
                defaults:
                  generator: {name: gaussian, lr: 0.1}
                """))
                .isInstanceOf(RecipeException.class)
                .hasMessage(dir.resolve("recipe.yaml") + ":4:31: generator 'gaussian' has no parameter 'lr'; valid: std");
    }

    @Test
    void duplicateConfigurationsAreCollapsedWithANote() {
        Recipe recipe = load(dir, """
                version: 1
                name: dup
                grid:
                  teacher.model: [lenet5, resnet20]
                  seed: [0, 1]
                when:
                  - if: {teacher.model: lenet5}
                    set: {seed: 7}
                """);

        assertThat(values(recipe, "/seed")).containsExactly("7", "0", "1");
        assertThat(recipe.notes()).containsExactly("trial #2 (teacher.model=lenet5, seed=1) resolves to the same "
                + "configuration as trial #1 (teacher.model=lenet5, seed=0); it runs once");
    }

    @Test
    void unsupportedReasonIsReportedWithTheTrialAndWhereTheMethodWasChosen() {
        assertThatThrownBy(() -> load(dir, """
                version: 1
                name: bn
                grid:
                  generator: [zeroq, dsg]
                  teacher.model: [resnet20, lenet5]
                """))
                .isInstanceOf(RecipeException.class)
                .hasMessage(dir.resolve("recipe.yaml") + ":4:22: trial #4 (generator=dsg, teacher.model=lenet5): "
                        + "generator 'dsg' cannot run it: lenet5 has no BatchNorm layers");
    }

    @Test
    void excludingEverythingIsAnError() {
        assertThatThrownBy(() -> load(dir, """
                version: 1
                name: none
                grid: {wbits: [4, 8]}
                exclude: [{dataset: fashion-mnist}]
                """))
                .isInstanceOf(RecipeException.class)
                .hasMessage(dir.resolve("recipe.yaml") + ":4:1: exclude removes all 2 trials");
    }

    @Test
    void dataDirIsKeptOutOfTheTrialsAndResolvedAgainstItsFile() {
        Recipe with = load(dir.resolve("with"), """
                version: 1
                name: data
                data_dir: ../data
                """);
        Recipe without = load(dir.resolve("without"), """
                version: 1
                name: data
                """);

        assertThat(with.dataDir()).contains(dir.resolve("data"));
        assertThat(with.source()).isEqualTo(dir.resolve("with/recipe.yaml"));
        assertThat(with.trials().get(0).key()).isEqualTo(without.trials().get(0).key());
        JsonNode config = with.trials().get(0).config();
        assertThat(config.has("data_dir")).isFalse();
    }
}
