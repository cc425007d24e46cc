package io.dfq.quant.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dfq.quant.nn.Autograd;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NetTest {

    private static final Shape IMAGE = new Shape(1, 28, 28);

    private static NDArray images(NDManager m, int n, long seed) {
        float[] v = new float[n * 784];
        Random r = new Random(seed);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return m.create(v, new Shape(n, 1, 28, 28));
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet20", "resnet8", "mobilenetv2", "lenet5"})
    void everyModelMapsImagesToTenLogits(String arch) {
        try (NDManager m = NDManager.newBaseManager()) {
            Net net = Models.build(arch, 0.5, 1, 10, 1);
            net.init(m, IMAGE);
            NDArray out = net.logits(images(m, 3, 0), false);
            assertThat(out.getShape()).isEqualTo(new Shape(3, 10));
            assertThat(net.outputShape(new Shape(3, 1, 28, 28))).isEqualTo(new Shape(3, 10));
            assertThat(net.hasBatchNorm()).isEqualTo(Models.hasBatchNorm(arch));
            assertThat(net.layers().get(0).name()).isIn("stem", "conv1");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet20", "resnet8", "mobilenetv2", "lenet5"})
    void segmentsComposeToTheLogitsAndHoldEveryLayerOnceInOrder(String arch) {
        try (NDManager m = NDManager.newBaseManager()) {
            Net net = Models.build(arch, 0.5, 1, 10, 2);
            net.init(m, IMAGE);
            NDArray x = images(m, 2, 3);
            NDArray h = x;
            List<QLayer> layers = new ArrayList<>();
            for (Segment s : net.segments()) {
                h = s.apply(h, false);
                layers.addAll(s.layers());
            }
            assertThat(h.toFloatArray()).containsExactly(net.logits(x, false).toFloatArray());
            assertThat(layers).containsExactlyElementsOf(net.layers());
            // a segment's first layer receives the segment's input
            Segment second = net.segments().get(1);
            NDArray[] seen = new NDArray[1];
            second.first().setProbe(in -> seen[0] = in);
            NDArray stemOut = net.segments().get(0).apply(x, false);
            second.apply(stemOut, false);
            second.first().setProbe(null);
            assertThat(seen[0].toFloatArray()).containsExactly(stemOut.toFloatArray());
        }
    }

    @Test
    void sameSeedGivesSameWeightsAndSaveLoadRoundTrips() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Net a = Models.build("resnet8", 0.5, 1, 10, 7);
            a.init(m, IMAGE);
            Net b = Models.build("resnet8", 0.5, 1, 10, 7);
            b.init(m, IMAGE);
            NDArray x = images(m, 2, 1);
            assertThat(a.logits(x, false).toFloatArray()).containsExactly(b.logits(x, false).toFloatArray());

            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            a.save(new DataOutputStream(bytes));
            Net c = Models.build("resnet8", 0.5, 1, 10, 99);
            c.load(m, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            assertThat(c.logits(x, false).toFloatArray()).containsExactly(a.logits(x, false).toFloatArray());
        }
    }

    @Test
    void foldingBatchNormKeepsInferenceOutputs() {
        try (NDManager m = NDManager.newBaseManager()) {
            Net net = Models.build("mobilenetv2", 0.5, 1, 10, 3);
            net.init(m, IMAGE);
            // give BN non-trivial running statistics
            for (int i = 0; i < 3; i++) {
                net.logits(images(m, 16, 10 + i).mul(2).add(0.5), true);
            }
            NDArray x = images(m, 4, 2);
            float[] before = net.logits(x, false).toFloatArray();
            net.fold();
            float[] after = net.logits(x, false).toFloatArray();
            for (int i = 0; i < before.length; i++) {
                assertThat(after[i]).isCloseTo(before[i], org.assertj.core.data.Offset.offset(1e-3f));
            }
        }
    }

    @Test
    void inputGradientsFlowThroughTheNetwork() {
        try (NDManager m = NDManager.newBaseManager()) {
            Net net = Models.build("resnet8", 0.25, 1, 10, 3);
            net.init(m, IMAGE);
            NDArray x = images(m, 2, 3);
            x.setRequiresGradient(true);
            try (Autograd g = Autograd.record()) {
                g.backward(net.logits(x, false).sum());
            }
            assertThat(x.getGradient().abs().sum().getFloat()).isGreaterThan(0f);
        }
    }
}
