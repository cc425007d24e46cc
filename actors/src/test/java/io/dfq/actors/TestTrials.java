package io.dfq.actors;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dfq.quant.pipeline.TrialOutcome;
import io.dfq.quant.pipeline.TrialSpec;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** Specs and outcomes for the actor tests; keys are short names instead of hashes. */
final class TestTrials {

    private TestTrials() {}

    static TrialSpec spec(String key) {
        return new TrialSpec(key, "test", JsonNodeFactory.instance.objectNode().put("name", key));
    }

    /** A spec whose calibration set is decided by {@code seed} alone. */
    static TrialSpec spec(String key, int seed) {
        return spec(key, "resnet20", seed);
    }

    /** A spec with the teacher {@code model} and the calibration seed {@code seed}. */
    static TrialSpec spec(String key, String model, int seed) {
        ObjectNode config = JsonNodeFactory.instance.objectNode().put("name", key).put("seed", seed);
        config.putObject("teacher").put("model", model);
        return new TrialSpec(key, "test", config);
    }

    /** Specs {@code t0 .. t(n-1)}. */
    static List<TrialSpec> specs(int n) {
        return IntStream.range(0, n).mapToObj(i -> spec("t" + i)).toList();
    }

    static TrialOutcome outcome(double top1) {
        return new TrialOutcome(Map.of("top1", top1), Map.of("quantization", 0.1), Map.of());
    }

    /** An outcome of a nested quantizer: W8A8 at {@code top1}, W4A4 at half of it. */
    static TrialOutcome nestedOutcome(double top1) {
        String model = "quantized/k/model_w4a4.dfqm";
        return new TrialOutcome(Map.of("top1", top1), Map.of("quantization", 0.1), Map.of("quantized_model_w4a4", model),
                List.of(new TrialOutcome.Nested("w4a4", 4, 4, Map.of("top1", top1 / 2), Map.of("quantized_model", model))));
    }
}
