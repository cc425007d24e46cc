package io.dfq.orchestrator.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import io.dfq.quant.spec.Method;
import io.dfq.quant.spec.MethodRegistry;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.TrialSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A small trial schema with methods of its own, so recipe tests do not depend on which methods
 * the quant module registers, plus helpers to load recipe text from a temporary directory.
 */
final class TestSchema {

    /** A method described by data; {@code unsupported} plays {@link Method#unsupportedReason}. */
    record TestMethod(String name, List<ParamSpec> params, Function<JsonNode, Optional<String>> unsupported)
            implements Method {

        TestMethod(String name, ParamSpec... params) {
            this(name, List.of(params), trial -> Optional.empty());
        }

        @Override
        public Optional<String> unsupportedReason(JsonNode trialConfig) {
            return unsupported.apply(trialConfig);
        }
    }

    static final MethodRegistry<Method> GENERATORS = MethodRegistry.of("generator", List.of(
            new TestMethod("gaussian", ParamSpec.real("std", 1.0, 0.0, 10.0, "noise std")),
            new TestMethod("zeroq",
                    ParamSpec.integer("iters", 500, 1, 100_000, "iterations"),
                    ParamSpec.real("lr", 0.5, 1e-6, 10.0, "learning rate")),
            new TestMethod("dsg", List.of(ParamSpec.integer("iters", 500, 1, 100_000, "iterations")),
                    trial -> trial.path("teacher").path("model").asText().equals("lenet5")
                            ? Optional.of("lenet5 has no BatchNorm layers")
                            : Optional.empty())));

    static final MethodRegistry<Method> QUANTIZERS = MethodRegistry.of("quantizer", List.of(
            new TestMethod("minmax"),
            new TestMethod("percentile", ParamSpec.real("p", 99.99, 50.0, 100.0, "percentile")),
            new TestMethod("brecq", ParamSpec.integer("iters", 20_000, 1, 100_000, "iterations"))));

    static final TrialSchema.Group ROOT = root();

    private TestSchema() {}

    private static TrialSchema.Group root() {
        Map<String, TrialSchema.Node> teacher = new LinkedHashMap<>();
        teacher.put("model", leaf(ParamSpec.choice("model", "resnet20", List.of("lenet5", "mobilenetv2", "resnet20"),
                "architecture")));
        teacher.put("width", leaf(ParamSpec.real("width", 1.0, 0.125, 4.0, "width multiplier")));
        teacher.put("epochs", leaf(ParamSpec.integer("epochs", 12, 1, 500, "epochs")));
        teacher.put("augment", leaf(ParamSpec.bool("augment", true, "flip")));
        teacher.put("train_limit", leaf(ParamSpec.optionalInteger("train_limit", 10, 60_000, "subset")));

        Map<String, TrialSchema.Node> calib = new LinkedHashMap<>();
        calib.put("samples", leaf(ParamSpec.integer("samples", 1024, 1, 100_000, "images")));

        Map<String, TrialSchema.Node> root = new LinkedHashMap<>();
        root.put("dataset", leaf(ParamSpec.choice("dataset", "fashion-mnist", List.of("fashion-mnist", "mnist"),
                "dataset")));
        root.put("teacher", new TrialSchema.Group(teacher));
        root.put("generator", new TrialSchema.Slot(GENERATORS, "gaussian"));
        root.put("quantizer", new TrialSchema.Slot(QUANTIZERS, "minmax"));
        root.put("calib", new TrialSchema.Group(calib));
        root.put("wbits", leaf(ParamSpec.integer("wbits", 8, TrialSchema.MIN_BITS, TrialSchema.MAX_BITS, "weight bits")));
        root.put("abits", leaf(ParamSpec.integer("abits", 8, TrialSchema.MIN_BITS, TrialSchema.MAX_BITS, "activation bits")));
        root.put("seed", leaf(ParamSpec.integer("seed", 0, 0, Integer.MAX_VALUE, "seed")));
        return new TrialSchema.Group(root);
    }

    private static TrialSchema.Leaf leaf(ParamSpec spec) {
        return new TrialSchema.Leaf(spec);
    }

    /** A loader for this schema and a fixed code version. */
    static RecipeLoader loader() {
        return new RecipeLoader(ROOT, "test-1");
    }

    /** Writes {@code yaml} to {@code dir/name} and returns the path. */
    static Path write(Path dir, String name, String yaml) {
        try {
            Path file = dir.resolve(name);
            Files.createDirectories(file.getParent());
            return Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code yaml} to {@code dir/recipe.yaml} and loads it. */
    static Recipe load(Path dir, String yaml) {
        return loader().load(write(dir, "recipe.yaml", yaml));
    }
}
