package io.dfq.quant.model;

import java.util.List;
import java.util.Random;

/** The model zoo: builds a network by name and width for 1x28x28 inputs and 10 classes. */
public final class Models {

    private static final List<String> NAMES = List.of("lenet5", "mobilenetv2", "resnet20", "resnet8");

    private Models() {}

    /** The architectures a recipe may name. */
    public static List<String> names() {
        return NAMES;
    }

    /** Whether {@code arch} has BatchNorm layers (needed by BN-statistics generators). */
    public static boolean hasBatchNorm(String arch) {
        return !"lenet5".equals(arch);
    }

    /**
     * A new, uninitialized network; weights drawn from {@code seed} when {@link Net#init} runs.
     */
    public static Net build(String arch, double width, int inChannels, int classes, long seed) {
        Random rnd = new Random(seed);
        return switch (arch) {
            case "resnet20" -> new ResNet(arch, 3, width, inChannels, classes, rnd);
            case "resnet8" -> new ResNet(arch, 1, width, inChannels, classes, rnd);
            case "mobilenetv2" -> new MobileNetV2(width, inChannels, classes, rnd);
            case "lenet5" -> new LeNet5(width, inChannels, classes, rnd);
            default -> throw new IllegalArgumentException(
                    "unknown model '" + arch + "'; valid: " + String.join(", ", NAMES));
        };
    }
}
