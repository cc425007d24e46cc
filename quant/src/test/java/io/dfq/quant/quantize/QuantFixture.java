package io.dfq.quant.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.model.Models;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.pipeline.ProgressListener;
import io.dfq.quant.qcore.Protocol;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * A tiny teacher, its folded student copy and random calibration images: the quantizer tests'
 * setting (resnet8 of width 0.25 on 1x28x28 images, 64 images).
 */
public final class QuantFixture {

    public static final ObjectMapper JSON = new ObjectMapper();
    public static final Shape IMAGE = new Shape(1, 28, 28);

    private QuantFixture() {}

    /** A network of {@code arch} (width 0.25) with weights from {@code seed}. */
    public static Net net(String arch, long seed, NDManager m) {
        Net net = Models.build(arch, 0.25, 1, 10, seed);
        net.init(m, IMAGE);
        return net;
    }

    /** A network as {@link #net} whose logits are NaN (a NaN classifier weight): every loss against it diverges. */
    public static Net nanNet(String arch, long seed, NDManager m) {
        Net net = net(arch, seed, m);
        QLayer fc = net.layers().get(net.layers().size() - 1);
        float[] w = fc.weight().toFloatArray();
        w[0] = Float.NaN;
        fc.weight().set(w);
        return net;
    }

    /** {@code n} images of N(0, 1) pixels. */
    public static ImageSet images(int n, long seed) {
        float[] v = new float[n * 784];
        Random r = new Random(seed);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return new ImageSet(v, null, n, 1, 28, 28);
    }

    /** A quantizer node {@code {name, key: value...}} from alternating keys and values. */
    public static ObjectNode params(String name, Object... keyValues) {
        ObjectNode p = JSON.createObjectNode().put("name", name);
        for (int i = 0; i < keyValues.length; i += 2) {
            p.set((String) keyValues[i], JSON.valueToTree(keyValues[i + 1]));
        }
        return p;
    }

    /**
     * A context quantizing a folded copy of {@code teacher} (same architecture and seed) on {@code
     * calibration}, batch 16, with the first-last-8bit protocol.
     */
    public static QuantizationContext context(String arch, long seed, Net teacher, ImageSet calibration,
            ObjectNode params, int wbits, int abits, NDManager m) {
        Net student = net(arch, seed, m);
        student.fold();
        return new QuantizationContext(student, teacher, calibration, params, wbits, abits,
                Protocol.FIRST_LAST_8BIT, 16, 0, m, ProgressListener.NONE);
    }

    /**
     * A context training a folded resnet8 (seed 3, its own teacher) on 48 random images with {@code
     * params} at WbitsAbits, its metrics put into {@code metrics}.
     */
    public static QuantizationContext training(ObjectNode params, int wbits, int abits, NDManager m,
            Map<String, Double> metrics) {
        Net teacher = net("resnet8", 3, m);
        return recording(context("resnet8", 3, teacher, images(48, 1), params, wbits, abits, m), metrics);
    }

    /** {@code ctx} with a progress listener that puts every metric into {@code metrics}. */
    public static QuantizationContext recording(QuantizationContext ctx, Map<String, Double> metrics) {
        return new QuantizationContext(ctx.network(), ctx.teacher(), ctx.calibration(), ctx.params(), ctx.wbits(),
                ctx.abits(), ctx.protocol(), ctx.batch(), ctx.seed(), ctx.manager(), new ProgressListener() {
                    @Override
                    public void stage(String stage) {}

                    @Override
                    public void message(String text) {}

                    @Override
                    public void metric(String name, double value) {
                        metrics.put(name, value);
                    }
                });
    }

    /**
     * Writes {@code net} (width 0.25, first-last-8bit) to {@code file}, loads it (on {@code m}) and
     * checks that it computes exactly the network's {@link #testLogits}; returns what was loaded.
     */
    public static QuantizedModel.Loaded assertReloadsExactly(Net net, int wbits, int abits, Path file, NDManager m)
            throws IOException {
        QuantizedModel.write(net, 0.25, IMAGE, "first-last-8bit", wbits, abits, file);
        QuantizedModel.Loaded loaded = QuantizedModel.load(file, m);
        assertThat(loaded.wbits()).isEqualTo(wbits);
        assertThat(loaded.abits()).isEqualTo(abits);
        assertThat(testLogits(loaded.net(), m)).containsExactly(testLogits(net, m));
        return loaded;
    }

    /** {@link #assertReloadsExactly(Net, int, int, Path, NDManager)} of the context's network and bits. */
    public static QuantizedModel.Loaded assertReloadsExactly(QuantizationContext ctx, Path file) throws IOException {
        return assertReloadsExactly(ctx.network(), ctx.wbits(), ctx.abits(), file, ctx.manager());
    }

    /** {@code net}'s logits on 16 fixed random images. */
    public static float[] testLogits(Net net, NDManager m) {
        try (NDManager scope = m.newSubManager()) {
            return Autograd.noGrad(() -> net.logits(images(16, 9).batch(scope, 0, 16), false)).toFloatArray();
        }
    }
}
