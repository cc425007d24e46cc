package io.dfq.quant.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import java.util.List;
import java.util.Random;

/**
 * LeNet-5 (LeCun et al., 1998) with ReLU and max pooling and no BatchNorm: the BN-free model on
 * which BN-statistics generators cannot work (GZSQ's setting).
 */
public final class LeNet5 extends Net {

    private final QLayer conv1;
    private final QLayer conv2;
    private final QLayer fc1;
    private final QLayer fc2;
    private final QLayer fc3;

    LeNet5(double width, int inChannels, int classes, Random rnd) {
        super("lenet5");
        int c1 = ResNet.scaled(6, width);
        int c2 = ResNet.scaled(16, width);
        int f1 = ResNet.scaled(120, width);
        int f2 = ResNet.scaled(84, width);
        conv1 = addChildBlock("conv1", QLayer.convNoBn("conv1", inChannels, c1, 5, 2, rnd));
        conv2 = addChildBlock("conv2", QLayer.convNoBn("conv2", c1, c2, 5, 0, rnd));
        fc1 = addChildBlock("fc1", QLayer.linear("fc1", c2 * 5 * 5, f1, rnd));
        fc2 = addChildBlock("fc2", QLayer.linear("fc2", f1, f2, rnd));
        fc3 = addChildBlock("fc3", QLayer.linear("fc3", f2, classes, rnd));
    }

    @Override
    public List<QLayer> layers() {
        return List.of(conv1, conv2, fc1, fc2, fc3);
    }

    @Override
    public List<Segment> segments() {
        return List.of(
                new Segment("conv1", List.of(conv1), (x, t) -> pool(Activation.relu(conv1.apply(x, t)))),
                new Segment("conv2", List.of(conv2), (x, t) -> {
                    NDArray h = pool(Activation.relu(conv2.apply(x, t)));
                    return h.reshape(h.getShape().get(0), -1);
                }),
                new Segment("fc1", List.of(fc1), (x, t) -> Activation.relu(fc1.apply(x, t))),
                new Segment("fc2", List.of(fc2), (x, t) -> Activation.relu(fc2.apply(x, t))),
                new Segment("fc3", List.of(fc3), (x, t) -> fc3.apply(x, t)));
    }

    @Override
    public NDArray features(NDArray x, boolean training) {
        List<Segment> segments = segments();
        NDArray h = x;
        for (Segment s : segments.subList(0, segments.size() - 1)) {
            h = s.apply(h, training);
        }
        return h;
    }

    private static NDArray pool(NDArray x) {
        Shape k = new Shape(2, 2);
        return Pool.maxPool2d(x, k, k, new Shape(0, 0), false);
    }

    @Override
    public Shape outputShape(Shape input) {
        return new Shape(input.get(0), fc3.outChannels());
    }
}
