package io.dfq.orchestrator.recipe;

import static io.dfq.orchestrator.recipe.TestSchema.load;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dfq.quant.pipeline.TrialSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trial keys: stability, canonical JSON, a golden key, the code version. */
class TrialKeysTest {

    private static final String SWEEP = """
            version: 1
            name: keys
            defaults:
              teacher: {model: lenet5, epochs: 3}
            grid:
              generator: [gaussian, zeroq]
              wbits: [4, 8]
            """;

    @TempDir
    Path dir;

    @Test
    void theSameRecipeGivesTheSameKeysEveryTime() {
        Recipe first = load(dir.resolve("1"), SWEEP);
        Recipe second = load(dir.resolve("2"), SWEEP);

        assertThat(second.trials()).extracting(TrialSpec::key)
                .containsExactlyElementsOf(first.trials().stream().map(TrialSpec::key).toList())
                .doesNotHaveDuplicates();
    }

    @Test
    void keyOrderInTheYamlDoesNotMatter() {
        Recipe ordered = load(dir.resolve("1"), SWEEP);
        Recipe shuffled = load(dir.resolve("2"), """
                grid:
                  generator: [gaussian, zeroq]
                  wbits: [4, 8]
                defaults:
                  teacher: {epochs: 3, model: lenet5}
                name: keys
                version: 1
                """);

        assertThat(shuffled.trials()).extracting(TrialSpec::key)
                .containsExactlyElementsOf(ordered.trials().stream().map(TrialSpec::key).toList());
    }

    @Test
    void goldenKeyOfAFixedConfiguration() {
        Recipe recipe = load(dir, """
                version: 1
                name: golden
                defaults:
                  teacher: {model: lenet5, width: 0.5}
                  generator: {name: zeroq, iters: 200, lr: 0.25}
                  quantizer: {name: percentile, p: 99}
                  wbits: 4
                  abits: 4
                """);
        ObjectNode config = recipe.trials().get(0).config();

        assertThat(TrialKeys.canonicalJson(config, TestSchema.ROOT)).isEqualTo("{\"abits\":4,"
                + "\"calib\":{\"samples\":1024},\"dataset\":\"fashion-mnist\","
                + "\"generator\":{\"iters\":200,\"lr\":0.25,\"name\":\"zeroq\"},"
                + "\"quantizer\":{\"name\":\"percentile\",\"p\":99.0},\"seed\":0,"
                + "\"teacher\":{\"augment\":true,\"epochs\":12,\"model\":\"lenet5\",\"train_limit\":null,"
                + "\"width\":0.5},\"wbits\":4}");
        assertThat(recipe.trials().get(0).key())
                .isEqualTo(TrialKeys.key(config, "test-1", TestSchema.ROOT))
                .isEqualTo("901942b88e57097dc4f6af97c53f10ec64da7e85d58517bc2524ba370647d1f6");
    }

    @Test
    void canonicalJsonSortsKeysAndWritesNumbersByTheirSchemaType() {
        JsonNodeFactory json = JsonNodeFactory.instance;
        ObjectNode messy = json.objectNode();
        messy.put("wbits", 4.0);
        messy.putObject("teacher").put("width", 2).put("model", "lenet5");
        messy.putObject("quantizer").put("p", 99).put("name", "percentile");
        messy.putObject("generator").put("std", -0.0).put("name", "gaussian");
        messy.put("extra", 1e-6);

        assertThat(TrialKeys.canonicalJson(messy, TestSchema.ROOT)).isEqualTo("{\"extra\":1.0E-6,"
                + "\"generator\":{\"name\":\"gaussian\",\"std\":0.0},\"quantizer\":{\"name\":\"percentile\",\"p\":99.0},"
                + "\"teacher\":{\"model\":\"lenet5\",\"width\":2.0},\"wbits\":4}");
    }

    @Test
    void theCodeVersionIsPartOfTheKey() {
        ObjectNode config = load(dir, SWEEP).trials().get(0).config();

        assertThat(TrialKeys.key(config, "test-1", TestSchema.ROOT))
                .isNotEqualTo(TrialKeys.key(config, "test-2", TestSchema.ROOT))
                .matches("[0-9a-f]{64}");
        assertThat(TrialKeys.CODE_VERSION).isNotBlank();
    }
}
