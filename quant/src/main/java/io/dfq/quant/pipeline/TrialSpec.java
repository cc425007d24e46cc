package io.dfq.quant.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One trial of a sweep: its stable key, the recipe it came from and its fully resolved
 * configuration (the tree described by {@link io.dfq.quant.spec.TrialSchema}).
 */
public record TrialSpec(String key, String recipe, ObjectNode config) {

    public TrialSpec {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(recipe, "recipe");
        Objects.requireNonNull(config, "config");
    }
}
