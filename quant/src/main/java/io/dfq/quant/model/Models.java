package io.dfq.quant.model;

import java.util.List;

/** The model zoo: builds a network by name. */
public final class Models {

    private static final List<String> NAMES = List.of("lenet5", "mobilenetv2", "resnet20", "resnet8");

    private Models() {}

    /** The architectures a recipe may name. */
    public static List<String> names() {
        return NAMES;
    }
}
