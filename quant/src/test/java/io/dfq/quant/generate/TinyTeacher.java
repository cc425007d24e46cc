package io.dfq.quant.generate;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.model.Models;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.TapBatchNorm;
import io.dfq.quant.pipeline.ProgressListener;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The teacher and contexts of the generator tests: a resnet8 of width 0.25 on 1x28x28 images whose
 * stem and last BN have non-trivial running statistics, so BN losses start well above 0.
 */
final class TinyTeacher {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Shape IMAGE = new Shape(1, 28, 28);

    private TinyTeacher() {}

    /** resnet8 (width 0.25, 10 classes, 9 BN layers) with a 4-channel stem BN. */
    static Net build(NDManager m) {
        return build(m, 10);
    }

    /** The same network with {@code classes} outputs. */
    static Net build(NDManager m, int classes) {
        Net net = Models.build("resnet8", 0.25, 1, classes, 5);
        net.init(m, IMAGE);
        TapBatchNorm stem = net.batchNorms().get(0);
        stem.runningMean().set(new float[] {0.3f, -0.2f, 0.1f, 0.5f});
        stem.runningVar().set(new float[] {2f, 0.5f, 1.5f, 0.8f});
        TapBatchNorm last = net.batchNorms().get(net.batchNorms().size() - 1);
        float[] mean = new float[last.channels()];
        Arrays.fill(mean, 0.2f);
        last.runningMean().set(mean);
        return net;
    }

    /** A data-free generation context with no progress output. */
    static GenerationContext context(Net teacher, ObjectNode params, int samples, long seed, NDManager m) {
        Supplier<ImageSet> noData = () -> {
            throw new AssertionError("a data-free generator asked for the training data");
        };
        return new GenerationContext(teacher, params, samples, IMAGE, seed, noData, m, ProgressListener.NONE);
    }

    /** A generator node {@code {name: name, key: value, ...}} from alternating keys and values. */
    static ObjectNode params(String name, Object... keyValues) {
        ObjectNode p = JSON.createObjectNode().put("name", name);
        for (int i = 0; i < keyValues.length; i += 2) {
            p.set((String) keyValues[i], JSON.valueToTree(keyValues[i + 1]));
        }
        return p;
    }

    /** A trial node whose teacher is {@code model}. */
    static ObjectNode trial(String model) {
        ObjectNode trial = JSON.createObjectNode();
        trial.putObject("teacher").put("model", model);
        return trial;
    }
}
