package io.dfq.quant.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import io.dfq.quant.model.TapBatchNorm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The class-conditional generator that FDDA trains (the "knowledge matching generator" of GDFQ, Xu et
 * al., ECCV 2020, as in FDDA's reference code): z -> linear -> (w, H/4, W/4) -> conditional BN -> 2x
 * nearest upsampling -> 3x3 conv w -> w -> conditional BN (eps 0.8) -> LeakyReLU 0.2 -> 2x upsampling
 * -> 3x3 conv w -> w/2 -> conditional BN (eps 0.8) -> LeakyReLU 0.2 -> 3x3 conv w/2 -> C -> tanh -> BN
 * without affine parameters. The eps of 0.8 is the reference code's ({@code BatchNorm2d(c, 0.8)} puts
 * 0.8 on eps). Conditional BN: per-class scale and shift (embeddings initialised to 1 and 0) applied
 * after normalisation.
 *
 * <p>Every BN layer normalises with the batch's own statistics (the reference keeps the generator in
 * training mode, also when its images calibrate the student), so no running statistics exist.
 * Written as plain parameter arrays rather than DJL blocks because {@link io.dfq.quant.nn.Adam}
 * optimizes an explicit list, and because every weight is drawn from a Java {@link Random}
 * (PyTorch's default U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for linear and conv weights and biases).
 */
final class FddaGenerator implements AutoCloseable {

    private static final float EPS_FIRST = 1e-5f;
    private static final float EPS_DEEP = 0.8f;
    private static final float SLOPE = 0.2f;

    private final NDManager manager;
    private final int classes;
    private final int width;
    private final int initH;
    private final int initW;
    private final List<NDArray> params = new ArrayList<>();
    private final NDArray l1w;
    private final NDArray l1b;
    private final NDArray[] cbn0;
    private final NDArray c1w;
    private final NDArray c1b;
    private final NDArray[] cbn1;
    private final NDArray c2w;
    private final NDArray c2b;
    private final NDArray[] cbn2;
    private final NDArray c3w;
    private final NDArray c3b;

    /**
     * @param image the shape (C, H, W) of one image; H and W must be multiples of 4
     */
    FddaGenerator(NDManager parent, Random rnd, int latent, int classes, int width, Shape image) {
        if (image.get(1) % 4 != 0 || image.get(2) % 4 != 0) {
            throw new IllegalArgumentException("the FDDA generator upsamples 4x: image " + image
                    + " needs H and W divisible by 4");
        }
        this.manager = parent.newSubManager();
        this.classes = classes;
        this.width = width;
        this.initH = (int) image.get(1) / 4;
        this.initW = (int) image.get(2) / 4;
        int channels = (int) image.get(0);
        int half = Math.max(1, width / 2);
        l1w = uniform(rnd, new Shape(width * initH * initW, latent), latent);
        l1b = uniform(rnd, new Shape(width * initH * initW), latent);
        cbn0 = conditionalBn(width);
        c1w = uniform(rnd, new Shape(width, width, 3, 3), width * 9);
        c1b = uniform(rnd, new Shape(width), width * 9);
        cbn1 = conditionalBn(width);
        c2w = uniform(rnd, new Shape(half, width, 3, 3), width * 9);
        c2b = uniform(rnd, new Shape(half), width * 9);
        cbn2 = conditionalBn(half);
        c3w = uniform(rnd, new Shape(channels, half, 3, 3), half * 9);
        c3b = uniform(rnd, new Shape(channels), half * 9);
    }

    /** Every trainable array (for the optimizer). */
    List<NDArray> parameters() {
        return params;
    }

    /** Images (N, C, H, W) for latents (N, latent) and labels (N). */
    NDArray apply(NDArray z, int[] labels) {
        NDArray onehot = oneHot(labels);
        long n = z.getShape().get(0);
        NDArray h = Linear.linear(z, l1w, l1b).singletonOrThrow().reshape(n, width, initH, initW);
        h = upsample(conditional(h, onehot, cbn0, EPS_FIRST));
        h = conv(h, c1w, c1b);
        h = upsample(Activation.leakyRelu(conditional(h, onehot, cbn1, EPS_DEEP), SLOPE));
        h = conv(h, c2w, c2b);
        h = Activation.leakyRelu(conditional(h, onehot, cbn2, EPS_DEEP), SLOPE);
        h = conv(h, c3w, c3b).tanh();
        return normalize(h, EPS_FIRST);
    }

    private NDArray oneHot(int[] labels) {
        float[] v = new float[labels.length * classes];
        for (int i = 0; i < labels.length; i++) {
            v[i * classes + labels[i]] = 1f;
        }
        return manager.create(v, new Shape(labels.length, classes));
    }

    private static NDArray conv(NDArray x, NDArray w, NDArray b) {
        Shape one = new Shape(1, 1);
        return Conv2d.conv2d(x, w, b, one, one, one, 1).singletonOrThrow();
    }

    /** Nearest-neighbour 2x upsampling. */
    private static NDArray upsample(NDArray x) {
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        return x.reshape(n, c, h, 1, w, 1).broadcast(new Shape(n, c, h, 2, w, 2)).reshape(n, c, 2 * h, 2 * w);
    }

    /** Batch normalisation with the batch's statistics, then the labels' scale and shift. */
    private static NDArray conditional(NDArray x, NDArray onehot, NDArray[] table, float eps) {
        long n = x.getShape().get(0);
        long c = x.getShape().get(1);
        NDArray scale = onehot.matMul(table[0]).reshape(n, c, 1, 1);
        NDArray shift = onehot.matMul(table[1]).reshape(n, c, 1, 1);
        return normalize(x, eps).mul(scale).add(shift);
    }

    private static NDArray normalize(NDArray x, float eps) {
        long c = x.getShape().get(1);
        NDArray[] s = TapBatchNorm.channelStats(x);
        return x.sub(s[0].reshape(1, c, 1, 1)).div(s[1].add(eps).sqrt().reshape(1, c, 1, 1));
    }

    private NDArray[] conditionalBn(int channels) {
        float[] ones = new float[classes * channels];
        Arrays.fill(ones, 1f);
        return new NDArray[] {
            param(manager.create(ones, new Shape(classes, channels))),
            param(manager.zeros(new Shape(classes, channels)))
        };
    }

    private NDArray uniform(Random rnd, Shape shape, int fanIn) {
        double bound = 1.0 / Math.sqrt(fanIn);
        float[] v = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        return param(manager.create(v, shape));
    }

    private NDArray param(NDArray a) {
        a.setRequiresGradient(true);
        params.add(a);
        return a;
    }

    @Override
    public void close() {
        manager.close();
    }
}
