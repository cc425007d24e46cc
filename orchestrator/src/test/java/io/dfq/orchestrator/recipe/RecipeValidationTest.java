package io.dfq.orchestrator.recipe;

import static io.dfq.orchestrator.recipe.TestSchema.load;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.dfq.quant.spec.TrialSchema;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of recipe error, with its position and the valid choices. */
class RecipeValidationTest {

    @TempDir
    Path dir;

    /** The single problem loading {@code yaml} reports, without its file name. */
    private String problem(String yaml) {
        RecipeException e = catchThrowableOfType(RecipeException.class, () -> load(dir, yaml));
        assertThat(e).as("a RecipeException").isNotNull();
        assertThat(e.problems()).hasSize(1);
        String prefix = dir.resolve("recipe.yaml").toString();
        assertThat(e.getMessage()).startsWith(prefix);
        return e.getMessage().substring(prefix.length());
    }

    @Test
    void unknownTopLevelKey() {
        assertThat(problem("""
                version: 1
                name: t
                grids: {seed: [1]}
                """)).isEqualTo(":3:1: unknown top-level key 'grids'; "
                + "valid: version, name, include, data_dir, defaults, grid, zip, exclude, when");
    }

    @Test
    void unknownTrialKeyNamesTheValidKeysOfItsLevel() {
        assertThat(problem("""
                version: 1
                name: t
                defaults:
                  teacher:
                    modle: lenet5
                """)).isEqualTo(":5:5: unknown key 'modle' in 'teacher'; "
                + "valid: augment, epochs, model, train_limit, width");
        assertThat(problem("""
                version: 1
                name: t
                grid: {teacher.modle: [lenet5]}
                """)).isEqualTo(":3:8: unknown key 'modle' in 'teacher'; "
                + "valid: augment, epochs, model, train_limit, width");
        assertThat(problem("""
                version: 1
                name: t
                exclude: [{bits: 4}]
                """)).isEqualTo(":3:12: unknown key 'bits'; "
                + "valid: abits, calib, dataset, generator, quantizer, seed, teacher, wbits");
        assertThat(problem("""
                version: 1
                name: t
                defaults: {wbits.x: 4}
                """)).isEqualTo(":3:12: 'wbits' is a single value and has no key 'x'");
    }

    @Test
    void unknownMethodNamesTheValidMethods() {
        assertThat(problem("""
                version: 1
                name: t
                grid:
                  generator: [gaussian, zeroqq]
                """)).isEqualTo(":4:25: unknown generator 'zeroqq'; valid: dsg, gaussian, zeroq");
        assertThat(problem("""
                version: 1
                name: t
                when:
                  - if: {generator: gaussian}
                    set: {quantizer: {name: adaround}}
                """)).isEqualTo(":5:29: unknown quantizer 'adaround'; valid: brecq, minmax, percentile");
        assertThat(problem("""
                version: 1
                name: t
                defaults: {generator: 3}
                """)).isEqualTo(":3:23: 'generator' expects a generator name or {name: ..., <parameters>}, "
                + "got the number 3; valid: dsg, gaussian, zeroq");
    }

    @Test
    void unknownParameterOfEveryMethodOfTheFamily() {
        assertThat(problem("""
                version: 1
                name: t
                when:
                  - if: {generator: zeroq}
                    set: {generator.itres: 10}
                """)).isEqualTo(":5:11: no generator has a parameter 'itres'; valid: iters, lr, std");
        assertThat(problem("""
                version: 1
                name: t
                grid:
                  quantizer: [{name: minmax, p: 99}]
                """)).isEqualTo(":4:30: quantizer 'minmax' has no parameter 'p'; valid: (none)");
    }

    @Test
    void wrongTypes() {
        assertThat(problem("""
                version: 1
                name: t
                defaults:
                  teacher: {epochs: "4"}
                """)).isEqualTo(":4:21: teacher.epochs: expected an integer, got the string \"4\"; "
                + "valid: an integer in [1, 500]");
        assertThat(problem("""
                version: 1
                name: t
                grid: {wbits: [4.5]}
                """)).isEqualTo(":3:16: wbits: expected an integer, got the number 4.5; valid: an integer in [1, 8]");
        assertThat(problem("""
                version: 1
                name: t
                defaults: {teacher.augment: "yes"}
                """)).isEqualTo(":3:29: teacher.augment: expected true or false, got the string \"yes\"; "
                + "valid: true or false");
        assertThat(problem("""
                version: 1
                name: t
                defaults: {dataset: 7}
                """)).isEqualTo(":3:21: dataset: expected a string, got the number 7; valid: one of fashion-mnist, mnist");
        assertThat(problem("""
                version: 1
                name: t
                defaults:
                  generator: {name: zeroq, lr: fast}
                """)).isEqualTo(":4:32: generator.lr: expected a number, got the string \"fast\"; "
                + "valid: a number in [1.0E-6, 10.0]");
        assertThat(problem("""
                version: 1
                name: t
                defaults: {teacher: [resnet20]}
                """)).isEqualTo(":3:21: 'teacher' expects a mapping, got a list; "
                + "valid: augment, epochs, model, train_limit, width");
        assertThat(problem("""
                version: 1
                name: t
                defaults: {seed: {value: 1}}
                """)).isEqualTo(":3:18: seed: expected a single value, got a mapping; "
                + "valid: an integer in [0, 2147483647]");
    }

    @Test
    void integersAreFineForFloatParametersAndGiveTheSameKeyAsDoubles() {
        Recipe integer = load(dir.resolve("i"), """
                version: 1
                name: t
                defaults: {teacher.width: 2, generator.std: 0}
                """);
        Recipe real = load(dir.resolve("r"), """
                version: 1
                name: t
                defaults: {teacher.width: 2.0, generator.std: -0.0}
                """);

        assertThat(integer.trials().get(0).config().at("/teacher/width").isDouble()).isTrue();
        assertThat(integer.trials().get(0).key()).isEqualTo(real.trials().get(0).key());
    }

    @Test
    void outOfRangeNumbers() {
        assertThat(problem("""
                version: 1
                name: t
                zip:
                  - {wbits: 9}
                """)).isEqualTo(":4:13: wbits: 9 is out of range; valid: an integer in [1, 8]");
        assertThat(problem("""
                version: 1
                name: t
                grid:
                  quantizer: [{name: percentile, p: 40}]
                """)).isEqualTo(":4:37: quantizer.p: 40 is out of range; valid: a number in [50.0, 100.0]");
    }

    @Test
    void badChoice() {
        assertThat(problem("""
                version: 1
                name: t
                defaults: {dataset: cifar10}
                """)).isEqualTo(":3:21: dataset: 'cifar10' is not a valid choice; valid: one of fashion-mnist, mnist");
    }

    @Test
    void nullOnlyWhereNullable() {
        assertThat(problem("""
                version: 1
                name: t
                defaults:
                  teacher.epochs: null
                """)).isEqualTo(":4:19: teacher.epochs: null is not allowed; valid: an integer in [1, 500]");
        Recipe recipe = load(dir, """
                version: 1
                name: t
                grid: {teacher.train_limit: [~, 100]}
                """);
        assertThat(recipe.trials()).extracting(t -> t.config().at("/teacher/train_limit").toString())
                .containsExactly("null", "100");
    }

    @Test
    void versionAndName() {
        assertThat(problem("""
                version: 2
                name: t
                """)).isEqualTo(":1:10: unsupported recipe version: the number 2; valid: 1");
        assertThat(problem("""
                name: t
                """)).isEqualTo(":1:1: missing key 'version'; valid: 1");
        assertThat(problem("""
                version: 1
                """)).isEqualTo(":1:1: missing key 'name'; valid: a non-empty string naming the recipe");
        assertThat(problem("""
                version: 1
                name: [a]
                """)).isEqualTo(":2:7: 'name' expects a non-empty string, got a list");
    }

    @Test
    void sectionShapes() {
        assertThat(problem("""
                version: 1
                name: t
                grid: {seed: 3}
                """)).isEqualTo(":3:14: grid 'seed' expects a non-empty list of values, got the number 3; "
                + "valid: [value, ...]");
        assertThat(problem("""
                version: 1
                name: t
                zip: []
                """)).isEqualTo(":3:1: zip has no entries; valid: a list of mappings of keys that advance together");
        assertThat(problem("""
                version: 1
                name: t
                exclude: [seed]
                """)).isEqualTo(":3:11: each exclude entry is a mapping of trial keys, got the string \"seed\"");
        assertThat(problem("""
                version: 1
                name: t
                when:
                  - if: {seed: 1}
                    set: {seed: 2}
                    then: {seed: 3}
                """)).isEqualTo(":6:5: unknown key 'then' in a when entry; valid: if, set");
        assertThat(problem("""
                version: 1
                name: t
                when:
                  - if: {seed: 1}
                """)).isEqualTo(":4:5: a when entry needs 'set'; valid: if, set");
        assertThat(problem("""
                version: 1
                name: t
                defaults: [seed]
                """)).isEqualTo(":3:11: 'defaults' expects a mapping, got a list");
    }

    @Test
    void aKeySetTwiceForOneTrial() {
        assertThat(problem("""
                version: 1
                name: t
                defaults:
                  teacher: {model: lenet5}
                  teacher.model: resnet20
                """)).isEqualTo(":5:3: 'teacher.model' is set twice for the same trial (also at "
                + dir.resolve("recipe.yaml") + ":4:13)");
        assertThat(problem("""
                version: 1
                name: t
                grid: {wbits: [4, 8]}
                zip: [{wbits: 2}]
                """)).isEqualTo(":4:8: 'wbits' is set twice for the same trial (also at "
                + dir.resolve("recipe.yaml") + ":3:8)");
    }

    @Test
    void yamlLevelProblems() {
        assertThat(problem("""
                version: 1
                name: t
                name: u
                """)).isEqualTo(":3:1: duplicate key 'name' (first at " + dir.resolve("recipe.yaml") + ":2:1)");
        assertThat(problem("""
                version: 1
                name: t
                defaults: &d {seed: 1}
                grid: {seed: *d}
                """)).isEqualTo(":4:14: YAML aliases (*d) are not supported; valid: write the value out, "
                + "or share it through include");
        assertThat(problem("""
                version: 1
                name: t
                grid: {seed: [1, 2}
                """)).startsWith(":3:").contains("invalid YAML: while parsing a flow sequence");
        assertThat(problem("""
                - version: 1
                """)).isEqualTo(":1:1: a recipe is a mapping of top-level keys, got a list; "
                + "valid: version, name, include, data_dir, defaults, grid, zip, exclude, when");
        assertThat(problem("")).isEqualTo(":1:1: the file is empty");
        assertThat(problem("""
                version: 1
                name: t
                ---
                version: 1
                """)).isEqualTo(":4:1: a recipe file holds a single YAML document; use include to combine files");
    }

    @Test
    void allProblemsAreReportedTogetherInFileOrder() {
        RecipeException e = catchThrowableOfType(RecipeException.class, () -> load(dir, """
                version: 1
                name: t
                defaults:
                  dataset: cifar10
                  wbits: 0
                grid:
                  generator: [zeroqq]
                """));

        assertThat(e.problems()).hasSize(3);
        assertThat(e.problems().get(0)).contains("recipe.yaml:4:12: dataset:");
        assertThat(e.problems().get(1)).contains("recipe.yaml:5:10: wbits:");
        assertThat(e.problems().get(2)).contains("recipe.yaml:7:15: unknown generator");
        assertThat(e.getMessage()).isEqualTo(String.join("\n", e.problems()));
    }

    @Test
    void aSweepTooLargeToRunIsRefusedBeforeExpansion() {
        assertThat(problem("""
                version: 1
                name: t
                grid:
                  seed: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
                  teacher.epochs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
                  calib.samples: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
                  wbits: [2, 3, 4, 5, 6, 7, 8]
                  abits: [2, 3, 4, 5, 6, 7, 8]
                  teacher.width: [0.5, 1, 2]
                """)).isEqualTo(":1:1: grid x zip gives more than 100000 trials; valid: at most 100000; split the recipe");
    }

    @Test
    void aSchemaDefaultMethodThatIsNotRegisteredIsReported() {
        TrialSchema.Group schema = new TrialSchema.Group(
                Map.of("generator", new TrialSchema.Slot(TestSchema.GENERATORS, "genie")));
        Path file = TestSchema.write(dir, "recipe.yaml", """
                version: 1
                name: t
                """);

        assertThatThrownBy(() -> new RecipeLoader(schema, "test-1").load(file))
                .isInstanceOf(RecipeException.class)
                .hasMessage(file + ":1:1: the schema's default generator 'genie' is not registered; "
                        + "valid: dsg, gaussian, zeroq");
    }

    @Test
    void aMissingFileIsAProblemToo() {
        assertThatThrownBy(() -> TestSchema.loader().load(dir.resolve("absent.yaml")))
                .isInstanceOf(RecipeException.class)
                .hasMessage(dir.resolve("absent.yaml") + ": cannot read " + dir.resolve("absent.yaml")
                        + ": NoSuchFileException");
    }
}
