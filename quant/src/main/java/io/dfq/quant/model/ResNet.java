package io.dfq.quant.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * CIFAR-style ResNet (He et al., 2016, section 4.2): a 3x3 stem, three stages of basic blocks at
 * 16/32/64 channels (times the width multiplier) with strides 1/2/2, global average pooling and a
 * linear classifier. Projection shortcuts (1x1 conv + BN) where the shape changes. resnet20 has
 * three blocks per stage, resnet8 one.
 */
public final class ResNet extends Net {

    private final QLayer stem;
    private final List<BasicBlock> blocks = new ArrayList<>();
    private final QLayer fc;
    private final List<QLayer> layers = new ArrayList<>();

    ResNet(String arch, int blocksPerStage, double width, int inChannels, int classes, Random rnd) {
        super(arch);
        int c0 = scaled(16, width);
        stem = addChildBlock("stem", QLayer.conv("stem", inChannels, c0, 3, 1, 1, true, rnd));
        layers.add(stem);
        int in = c0;
        int[] widths = {scaled(16, width), scaled(32, width), scaled(64, width)};
        for (int s = 0; s < 3; s++) {
            for (int b = 0; b < blocksPerStage; b++) {
                int stride = s > 0 && b == 0 ? 2 : 1;
                String name = "s" + (s + 1) + "b" + (b + 1);
                BasicBlock block = addChildBlock(name, new BasicBlock(name, in, widths[s], stride, rnd));
                blocks.add(block);
                layers.addAll(block.layers());
                in = widths[s];
            }
        }
        fc = addChildBlock("fc", QLayer.linear("fc", in, classes, rnd));
        layers.add(fc);
    }

    static int scaled(int channels, double width) {
        return Math.max(1, (int) Math.round(channels * width));
    }

    @Override
    public List<QLayer> layers() {
        return layers;
    }

    @Override
    public List<Segment> segments() {
        List<Segment> out = new ArrayList<>();
        out.add(new Segment("stem", List.of(stem), (x, t) -> Activation.relu(stem.apply(x, t))));
        for (BasicBlock b : blocks) {
            out.add(new Segment(b.name, b.layers(), b::apply));
        }
        out.add(new Segment("fc", List.of(fc), (x, t) -> fc.apply(globalAvgPool(x), t)));
        return out;
    }

    @Override
    public NDArray features(NDArray x, boolean training) {
        NDArray h = Activation.relu(stem.apply(x, training));
        for (BasicBlock b : blocks) {
            h = b.apply(h, training);
        }
        return globalAvgPool(h);
    }

    @Override
    public Shape outputShape(Shape input) {
        return new Shape(input.get(0), fc.outChannels());
    }

    /** Two 3x3 conv+BN layers with a ReLU between, an identity or projection shortcut, ReLU. */
    static final class BasicBlock extends Unit {

        private final QLayer conv1;
        private final QLayer conv2;
        private final QLayer shortcut;
        private final String name;

        BasicBlock(String name, int in, int out, int stride, Random rnd) {
            this.name = name;
            conv1 = addChildBlock("conv1", QLayer.conv(name + ".conv1", in, out, 3, stride, 1, true, rnd));
            conv2 = addChildBlock("conv2", QLayer.conv(name + ".conv2", out, out, 3, 1, 1, true, rnd));
            shortcut = stride != 1 || in != out
                    ? addChildBlock("shortcut", QLayer.conv(name + ".shortcut", in, out, 1, stride, 1, true, rnd))
                    : null;
        }

        List<QLayer> layers() {
            return shortcut == null ? List.of(conv1, conv2) : List.of(conv1, conv2, shortcut);
        }

        @Override
        public NDArray apply(NDArray x, boolean training) {
            NDArray h = Activation.relu(conv1.apply(x, training));
            h = conv2.apply(h, training);
            NDArray skip = shortcut == null ? x : shortcut.apply(x, training);
            return Activation.relu(h.add(skip));
        }

        @Override
        public Shape outputShape(Shape input) {
            return conv2.outputShape(conv1.outputShape(input));
        }
    }
}
