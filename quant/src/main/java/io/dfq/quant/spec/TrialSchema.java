package io.dfq.quant.spec;

import io.dfq.quant.generate.Generator;
import io.dfq.quant.model.Models;
import io.dfq.quant.quantize.Quantizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of one fully resolved trial: every key a recipe may set, with its type, range and
 * default.
 *
 * <p>It is the single source of truth for recipe validation, default filling and the trial key:
 * the recipe parser walks it, and the pipeline reads the resolved tree it describes. A resolved
 * trial is a JSON object with exactly these keys; a method slot resolves to {@code {name: ...,
 * <every parameter of that method>}}.
 */
public final class TrialSchema {

    /** The bit-widths a trial may ask for (1: binarization, for the quantizers that allow it). */
    public static final int MIN_BITS = 1;

    public static final int MAX_BITS = 8;

    /** The quantization protocols of methods.md section 1. */
    public static final List<String> PROTOCOLS = List.of("all-layers", "first-last-8bit");

    /** The datasets in MNIST (IDX) format that a trial may name. */
    public static final List<String> DATASETS = List.of("fashion-mnist", "mnist");

    private TrialSchema() {}

    /** A node of the schema tree. */
    public sealed interface Node permits Leaf, Group, Slot {}

    /** A plain value. */
    public record Leaf(ParamSpec spec) implements Node {}

    /** A fixed set of named children (an object in the recipe). */
    public record Group(Map<String, Node> children) implements Node {}

    /**
     * A method chosen by name from a registry; written either {@code key: name} or {@code key:
     * {name: ..., param: value}}.
     */
    public record Slot(MethodRegistry<? extends Method> registry, String defaultMethod)
            implements Node {}

    private static final Group ROOT = build();

    /** The root of the trial schema. */
    public static Group root() {
        return ROOT;
    }

    /** The leaf at a dotted path ({@code teacher.epochs}); an error naming the path otherwise. */
    public static ParamSpec leaf(String dottedPath) {
        Node node = ROOT;
        for (String part : dottedPath.split("\\.")) {
            if (!(node instanceof Group g) || !g.children().containsKey(part)) {
                throw new IllegalArgumentException("no trial parameter '" + dottedPath + "'");
            }
            node = g.children().get(part);
        }
        if (node instanceof Leaf l) {
            return l.spec();
        }
        throw new IllegalArgumentException("'" + dottedPath + "' is not a plain parameter");
    }

    private static Group build() {
        Map<String, Node> teacher = new LinkedHashMap<>();
        teacher.put("model", leaf(ParamSpec.choice("model", "resnet20", Models.names(), "architecture")));
        teacher.put("width", leaf(ParamSpec.real("width", 1.0, 0.125, 4.0, "width multiplier")));
        teacher.put("epochs", leaf(ParamSpec.integer("epochs", 12, 1, 500, "training epochs")));
        teacher.put("batch", leaf(ParamSpec.integer("batch", 128, 1, 4096, "training batch size")));
        teacher.put("lr", leaf(ParamSpec.real("lr", 0.1, 1e-6, 10, "one-cycle maximum learning rate")));
        teacher.put("momentum", leaf(ParamSpec.real("momentum", 0.9, 0, 0.999, "Nesterov momentum")));
        teacher.put("weight_decay", leaf(ParamSpec.real("weight_decay", 5e-4, 0, 0.1, "L2 weight decay")));
        teacher.put("augment", leaf(ParamSpec.bool("augment", true, "random horizontal flip")));
        teacher.put("train_limit", leaf(ParamSpec.optionalInteger("train_limit", 10, 60000,
                "class-balanced subset of the training split (null = all)")));
        teacher.put("seed", leaf(ParamSpec.integer("seed", 0, 0, Integer.MAX_VALUE, "teacher seed")));

        Map<String, Node> calib = new LinkedHashMap<>();
        calib.put("samples", leaf(ParamSpec.integer("samples", 1024, 1, 100000, "calibration images")));
        calib.put("batch", leaf(ParamSpec.integer("batch", 64, 1, 4096, "calibration batch size")));

        Map<String, Node> eval = new LinkedHashMap<>();
        eval.put("limit", leaf(ParamSpec.optionalInteger("limit", 1, 10000,
                "evaluate on the first N test images (null = all 10k)")));
        eval.put("batch", leaf(ParamSpec.integer("batch", 100, 1, 4096, "evaluation batch size")));

        Map<String, Node> root = new LinkedHashMap<>();
        root.put("dataset", leaf(ParamSpec.choice("dataset", "fashion-mnist", DATASETS, "IDX dataset")));
        root.put("teacher", new Group(teacher));
        root.put("generator", new Slot(Generator.REGISTRY, "gaussian"));
        root.put("quantizer", new Slot(Quantizer.REGISTRY, "minmax"));
        root.put("calib", new Group(calib));
        root.put("wbits", leaf(ParamSpec.integer("wbits", 8, MIN_BITS, MAX_BITS, "weight bits")));
        root.put("abits", leaf(ParamSpec.integer("abits", 8, MIN_BITS, MAX_BITS, "activation bits")));
        root.put("protocol", leaf(ParamSpec.choice("protocol", "first-last-8bit", PROTOCOLS,
                "which layers stay at 8 bits (methods.md section 1)")));
        root.put("seed", leaf(ParamSpec.integer("seed", 0, 0, Integer.MAX_VALUE,
                "trial seed: synthesis and calibration sampling")));
        root.put("eval", new Group(eval));
        return new Group(root);
    }

    private static Leaf leaf(ParamSpec spec) {
        return new Leaf(spec);
    }
}
