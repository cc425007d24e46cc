package io.dfq.quant.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A tiny MobileNetV2 (Sandler et al., CVPR 2018) for 28x28 inputs: a 3x3 stem, inverted residual
 * blocks (1x1 expansion, 3x3 depthwise, 1x1 linear projection, ReLU6, residual when shapes match),
 * a 1x1 head conv, global average pooling and a linear classifier.
 */
public final class MobileNetV2 extends Net {

    /** (expansion t, channels c, repeats n, first stride s), as in the paper's table 2. */
    private static final int[][] SETTINGS = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 2, 2}, {6, 64, 2, 1}};

    private final QLayer stem;
    private final List<InvertedResidual> blocks = new ArrayList<>();
    private final QLayer head;
    private final QLayer fc;
    private final List<QLayer> layers = new ArrayList<>();

    MobileNetV2(double width, int inChannels, int classes, Random rnd) {
        super("mobilenetv2");
        int in = ResNet.scaled(16, width);
        stem = addChildBlock("stem", QLayer.conv("stem", inChannels, in, 3, 1, 1, true, rnd));
        layers.add(stem);
        int index = 0;
        for (int[] s : SETTINGS) {
            int out = ResNet.scaled(s[1], width);
            for (int r = 0; r < s[2]; r++) {
                String name = "ir" + (++index);
                InvertedResidual block = addChildBlock(
                        name, new InvertedResidual(name, in, out, r == 0 ? s[3] : 1, s[0], rnd));
                blocks.add(block);
                layers.addAll(block.layers());
                in = out;
            }
        }
        int last = ResNet.scaled(128, width);
        head = addChildBlock("head", QLayer.conv("head", in, last, 1, 1, 1, true, rnd));
        layers.add(head);
        fc = addChildBlock("fc", QLayer.linear("fc", last, classes, rnd));
        layers.add(fc);
    }

    @Override
    public List<QLayer> layers() {
        return layers;
    }

    @Override
    public List<Segment> segments() {
        List<Segment> out = new ArrayList<>();
        out.add(new Segment("stem", List.of(stem), (x, t) -> Activation.relu6(stem.apply(x, t))));
        for (InvertedResidual b : blocks) {
            out.add(new Segment(b.name, b.layers(), b::apply));
        }
        out.add(new Segment("head", List.of(head), (x, t) -> Activation.relu6(head.apply(x, t))));
        out.add(new Segment("fc", List.of(fc), (x, t) -> fc.apply(globalAvgPool(x), t)));
        return out;
    }

    @Override
    public NDArray features(NDArray x, boolean training) {
        NDArray h = Activation.relu6(stem.apply(x, training));
        for (InvertedResidual b : blocks) {
            h = b.apply(h, training);
        }
        return globalAvgPool(Activation.relu6(head.apply(h, training)));
    }

    @Override
    public Shape outputShape(Shape input) {
        return new Shape(input.get(0), fc.outChannels());
    }

    /** Expansion (skipped when t = 1), depthwise, projection; residual if stride 1 and in = out. */
    static final class InvertedResidual extends Unit {

        private final QLayer expand;
        private final QLayer depthwise;
        private final QLayer project;
        private final boolean residual;
        private final String name;

        InvertedResidual(String name, int in, int out, int stride, int expansion, Random rnd) {
            this.name = name;
            int hidden = in * expansion;
            expand = expansion == 1
                    ? null
                    : addChildBlock("expand", QLayer.conv(name + ".expand", in, hidden, 1, 1, 1, true, rnd));
            depthwise = addChildBlock(
                    "dw", QLayer.conv(name + ".dw", hidden, hidden, 3, stride, hidden, true, rnd));
            project = addChildBlock("project", QLayer.conv(name + ".project", hidden, out, 1, 1, 1, true, rnd));
            residual = stride == 1 && in == out;
        }

        List<QLayer> layers() {
            return expand == null ? List.of(depthwise, project) : List.of(expand, depthwise, project);
        }

        @Override
        public NDArray apply(NDArray x, boolean training) {
            NDArray h = expand == null ? x : Activation.relu6(expand.apply(x, training));
            h = Activation.relu6(depthwise.apply(h, training));
            h = project.apply(h, training);
            return residual ? h.add(x) : h;
        }

        @Override
        public Shape outputShape(Shape input) {
            return project.outputShape(depthwise.outputShape(input));
        }
    }
}
