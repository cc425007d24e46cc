package io.dfq.quant.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.model.Models;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.TapBatchNorm;
import io.dfq.quant.pipeline.ProgressListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/** The tiny teacher, contexts and hand-made BN statistics the generator-network tests share. */
final class TeacherFixture {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Shape IMAGE = new Shape(1, 28, 28);

    private static final Supplier<ImageSet> NO_DATA = () -> {
        throw new AssertionError("a data-free generator asked for the training data");
    };

    private TeacherFixture() {}

    /** A resnet8 (width 0.25) teacher whose stem and last BN have non-trivial running statistics. */
    static Net teacher(NDManager m) {
        Net net = Models.build("resnet8", 0.25, 1, 10, 5);
        net.init(m, IMAGE);
        TapBatchNorm stem = net.batchNorms().get(0); // 4 channels
        stem.runningMean().set(new float[] {0.3f, -0.2f, 0.1f, 0.5f});
        stem.runningVar().set(new float[] {2f, 0.5f, 1.5f, 0.8f});
        TapBatchNorm last = net.batchNorms().get(net.batchNorms().size() - 1);
        float[] mean = new float[last.channels()];
        Arrays.fill(mean, 0.2f);
        last.runningMean().set(mean);
        return net;
    }

    static GenerationContext ctx(Net teacher, JsonNode params, int samples, long seed, NDManager m) {
        return new GenerationContext(teacher, params, samples, IMAGE, seed, NO_DATA, m,
                ProgressListener.NONE);
    }

    /** A generator node {name, key: value...} from alternating keys and values. */
    static ObjectNode params(String name, Object... kv) {
        ObjectNode p = JSON.createObjectNode().put("name", name);
        for (int i = 0; i < kv.length; i += 2) {
            p.set((String) kv[i], JSON.valueToTree(kv[i + 1]));
        }
        return p;
    }

    /** A trial whose teacher is {@code model} and whose generator node is {@code generator}. */
    static ObjectNode trial(String model, JsonNode generator) {
        ObjectNode trial = JSON.createObjectNode();
        trial.putObject("teacher").put("model", model);
        trial.set("generator", generator);
        return trial;
    }

    /** A standalone 2-channel BN with running mean [0.5, -1] and running variance [1, 4]. */
    static TapBatchNorm bn(NDManager m) {
        TapBatchNorm bn = new TapBatchNorm(2);
        bn.initialize(m, DataType.FLOAT32, new Shape(1, 2));
        bn.runningMean().set(new float[] {0.5f, -1f});
        bn.runningVar().set(new float[] {1f, 4f});
        return bn;
    }

    /** (N, C) = (4, 2): channel 0 = [1, 2, 3, 4], channel 1 = [-1, -1, 1, 1]. */
    static NDArray flat(NDManager m) {
        return m.create(new float[] {1, -1, 2, -1, 3, 1, 4, 1}, new Shape(4, 2));
    }

    /** (N, C, H, W) = (2, 2, 1, 2): channel 0 = [0, 2, 4, 6], channel 1 = [1, 1, 1, 1]. */
    static NDArray image(NDManager m) {
        return m.create(new float[] {0, 2, 1, 1, 4, 6, 1, 1}, new Shape(2, 2, 1, 2));
    }

    /** Every parameter array of {@code net} (weights and running statistics), copied. */
    static List<float[]> snapshot(Net net) {
        List<float[]> out = new ArrayList<>();
        net.getParameters().values().forEach(p -> out.add(p.getArray().toFloatArray()));
        return out;
    }
}
