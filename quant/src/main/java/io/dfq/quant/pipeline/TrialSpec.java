package io.dfq.quant.pipeline;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
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

    /**
     * What decides the trial's teacher, as text: the dataset and the teacher's configuration. Trials
     * equal in it use one teacher, trained once (see {@link Teachers}).
     */
    public String teacher() {
        return teacherNode().toString();
    }

    /**
     * What decides the trial's calibration set, as text: the teacher, the generator, the number of
     * calibration images and the seed. Trials equal in it use one synthetic set, computed once (see
     * {@link SyntheticSets}).
     */
    public String calibrationSet() {
        ObjectNode n = teacherNode();
        n.set("generator", config.get("generator"));
        n.set("samples", config.path("calib").get("samples"));
        n.set("seed", config.get("seed"));
        return n.toString();
    }

    private ObjectNode teacherNode() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.set("dataset", config.get("dataset"));
        n.set("teacher", config.get("teacher"));
        return n;
    }
}
