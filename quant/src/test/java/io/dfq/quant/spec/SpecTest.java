package io.dfq.quant.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dfq.quant.generate.Generator;
import io.dfq.quant.generate.ZeroQ;
import io.dfq.quant.quantize.Quantizer;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecTest {

    /** A method with one parameter of each kind. */
    private record Toy(String name) implements Method {

        @Override
        public List<ParamSpec> params() {
            return List.of(
                    ParamSpec.integer("iters", 3, 1, 10, "iterations"),
                    ParamSpec.real("lr", 0.5, 0, 1, "learning rate"),
                    ParamSpec.bool("flag", true, "a switch"),
                    ParamSpec.choice("mode", "fast", List.of("fast", "slow"), "a choice"));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void generatorsAreFoundThroughServiceLoader() {
        assertThat(Generator.REGISTRY.family()).isEqualTo("generator");
        assertThat(Generator.REGISTRY.names()).contains("gaussian", "real", "zeroq").isSorted();
        assertThat(Generator.REGISTRY.get("zeroq")).isInstanceOf(ZeroQ.class);
        assertThat(Generator.REGISTRY.find("zerq")).isEmpty();
    }

    @Test
    void quantizersAreFoundThroughServiceLoader() {
        assertThat(Quantizer.REGISTRY.names())
                .containsExactly("aac", "adaround", "aquant", "brecq", "dirnet", "genie-m", "lqnets", "minmax", "mixed", "mse", "once-qat", "pdquant", "percentile", "qat-kd", "qdrop");
        assertThat(Quantizer.REGISTRY.get("mse").name()).isEqualTo("mse");
    }

    @Test
    void unknownNamesListTheValidOnes() {
        assertThatThrownBy(() -> Generator.REGISTRY.get("zerq"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown generator 'zerq'; valid: " + String.join(", ", Generator.REGISTRY.names()))
                .hasMessageContaining("gaussian, ");
        assertThatThrownBy(() -> Quantizer.REGISTRY.get("brecqq"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown quantizer 'brecqq'; valid: " + String.join(", ", Quantizer.REGISTRY.names()))
                .hasMessageContaining("aac, adaround, aquant, brecq, ");
    }

    @Test
    void registryRejectsDuplicateNames() {
        assertThatThrownBy(() -> MethodRegistry.of("toy", List.of(new Toy("a"), new Toy("a"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'a'");
        assertThat(MethodRegistry.of("toy", List.of(new Toy("b"), new Toy("a"))).names()).containsExactly("a", "b");
    }

    @Test
    void trialSchemaLeavesCarryDefaultsAndRanges() {
        ParamSpec epochs = TrialSchema.leaf("teacher.epochs");
        assertThat(epochs.defaultValue()).isEqualTo(12);
        assertThat(epochs.type()).isEqualTo(ParamSpec.Type.INT);
        assertThat(epochs.validValues()).isEqualTo("an integer in [1, 500]");
        assertThat(TrialSchema.leaf("protocol").defaultValue()).isEqualTo("first-last-8bit");
        assertThat(TrialSchema.leaf("calib.samples").defaultValue()).isEqualTo(1024);
        assertThat(TrialSchema.leaf("teacher.train_limit").nullable()).isTrue();
        assertThat(TrialSchema.root().children()).containsKeys("teacher", "generator", "quantizer", "wbits");
    }

    @Test
    void trialSchemaRejectsUnknownOrNonLeafPaths() {
        assertThatThrownBy(() -> TrialSchema.leaf("teacher.epoch"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("teacher.epoch");
        assertThatThrownBy(() -> TrialSchema.leaf("teacher"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a plain parameter");
        assertThatThrownBy(() -> TrialSchema.leaf("generator.iters"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void paramsFallBackToDeclaredDefaults() {
        Toy toy = new Toy("toy");
        ObjectNode node = JSON.createObjectNode().put("name", "toy").put("iters", 7).put("mode", "slow");
        node.putNull("lr");
        Params p = Params.of(toy, node);
        assertThat(p.getInt("iters")).isEqualTo(7); // given
        assertThat(p.getDouble("lr")).isEqualTo(0.5); // explicit null -> default
        assertThat(p.getBool("flag")).isTrue(); // absent -> default
        assertThat(p.getString("mode")).isEqualTo("slow");

        Params defaults = Params.of(toy, null);
        assertThat(defaults.getInt("iters")).isEqualTo(3);
        assertThat(defaults.getString("mode")).isEqualTo("fast");
        assertThatThrownBy(() -> defaults.getInt("missing"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no parameter 'missing'");
    }

    @Test
    void paramSpecDescribesValidValues() {
        assertThat(ParamSpec.real("lr", 0.5, 0, 1, "").validValues()).isEqualTo("a number in [0.0, 1.0]");
        assertThat(ParamSpec.bool("b", true, "").validValues()).isEqualTo("true or false");
        assertThat(ParamSpec.choice("m", "x", List.of("x", "y"), "").validValues()).isEqualTo("one of x, y");
        assertThat(ParamSpec.text("t", null, "").validValues()).isEqualTo("a string");
    }
}
