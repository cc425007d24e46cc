package io.dfq.quant.quantize.qat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.nn.Scalars;
import io.dfq.quant.qcore.ActCodebook;
import io.dfq.quant.quantize.ptq.Calibration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * DIR-Net's binary input activations, our reading for post-ReLU inputs (the reference binarizes the
 * raw input, sign(a), which is +1 everywhere after a ReLU): out = mu_c + beta * sign(a - mu_c), with a
 * threshold mu_c per input channel and one magnitude beta per tensor, sign(0) = +1. The layer thus sees
 * one bit per activation plus a data-independent offset. Two forms: {@link Learning}, trained, its
 * sign through the {@link Dte}, and the fixed one that it becomes after training and that a stored
 * model rebuilds ({@link #restore}: kind {@value #KIND}, state [beta, mu_0..mu_{C-1}]).
 */
public abstract sealed class BinaryActivations implements ActCodebook {

    /** The kind written into stored models. */
    public static final String KIND = "dirnet-binary";

    private BinaryActivations() {}

    /** The fixed quantizer of {@code state} = [beta, mu_0..mu_{C-1}]. */
    public static BinaryActivations restore(float[] state) {
        if (state.length < 2) {
            throw new IllegalArgumentException(KIND + " needs beta and at least one threshold, got " + state.length
                    + " numbers");
        }
        return new Fixed(state);
    }

    @Override
    public int bits() {
        return 1;
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** The shape that broadcasts one value per channel over (N, C, H, W) or (N, C) inputs. */
    private static Shape channels(NDArray x, int count) {
        return x.getShape().dimension() == 4 ? new Shape(1, count, 1, 1) : new Shape(1, count);
    }

    /**
     * The quantizers of {@code layers}' inputs, initialised from two passes of {@code net} over {@code
     * data}: mu_c the channel mean, beta = mean |a - mu|, the estimator's scale 1 / std(a - mu) (per
     * tensor); arrays on {@code manager}.
     */
    static List<Learning> calibrate(Net net, List<QLayer> layers, ImageSet data, int batch, Dte dte,
            NDManager manager) {
        int n = layers.size();
        double[][] sum = new double[n][];
        double[][] squares = new double[n][];
        long[] count = new long[n];
        double[] absolute = new double[n];
        float[][] mu = new float[n][];
        try {
            for (int i = 0; i < n; i++) {
                int index = i;
                sum[i] = new double[layers.get(i).inChannels()];
                squares[i] = new double[sum[i].length];
                layers.get(i).setProbe(x -> {
                    NDArray rows = x.swapAxes(0, 1).reshape(sum[index].length, -1);
                    add(sum[index], rows.sum(new int[] {1}).toFloatArray());
                    add(squares[index], rows.square().sum(new int[] {1}).toFloatArray());
                    count[index] += rows.getShape().get(1);
                });
            }
            Calibration.pass(net, data, batch, manager);
            for (int i = 0; i < n; i++) {
                int index = i;
                mu[i] = new float[sum[i].length];
                for (int c = 0; c < mu[i].length; c++) {
                    mu[i][c] = (float) (sum[i][c] / count[i]);
                }
                layers.get(i).setProbe(x -> absolute[index] += x.sub(x.getManager().create(mu[index],
                        channels(x, mu[index].length))).abs().sum().getFloat());
            }
            Calibration.pass(net, data, batch, manager);
        } finally {
            layers.forEach(l -> l.setProbe(null));
        }
        List<Learning> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double variance = 0;
            for (int c = 0; c < mu[i].length; c++) {
                variance += squares[i][c] / count[i] - (double) mu[i][c] * mu[i][c];
            }
            double std = Math.sqrt(Math.max(variance / mu[i].length, 0));
            double elements = (double) count[i] * mu[i].length;
            out.add(new Learning(mu[i], (float) (absolute[i] / elements), std, dte, manager));
        }
        return out;
    }

    private static void add(double[] into, float[] values) {
        for (int i = 0; i < into.length; i++) {
            into[i] += values[i];
        }
    }

    /** The trained quantizer, fixed: a plain sign forward, as a stored model rebuilds it. */
    private static final class Fixed extends BinaryActivations {

        private final float[] state;

        Fixed(float[] state) {
            this.state = state.clone();
        }

        @Override
        public NDArray apply(NDArray x) {
            NDManager m = x.getManager();
            NDArray mu = m.create(Arrays.copyOfRange(state, 1, state.length), channels(x, state.length - 1));
            return mu.add(Dte.sign(x.sub(mu)).mul(m.create(state[0])));
        }

        @Override
        public float[] state() {
            return state.clone();
        }
    }

    /**
     * The binary activations being trained: mu (per channel) and beta are learnable leaves, the sign's
     * estimator has t scaled by 1 / std(a - mu), the std measured at calibration (our reading of DIR-Net's
     * distribution-sensitive estimator on activations).
     */
    static final class Learning extends BinaryActivations {

        private final NDArray mu;
        private final NDArray beta;
        private final double scale;
        private final Dte dte;

        /** Starts from thresholds {@code mu}, magnitude {@code beta} and the inputs' {@code std}. */
        Learning(float[] mu, float beta, double std, Dte dte, NDManager manager) {
            this.mu = manager.create(mu);
            this.beta = manager.create(beta);
            this.scale = 1 / Math.max(std, 1e-8);
            this.dte = dte;
            this.mu.setRequiresGradient(true);
            this.beta.setRequiresGradient(true);
        }

        @Override
        public NDArray apply(NDArray x) {
            // views of the leaves, owned by x's manager, so that every result is x's and not the
            // long-lived leaves'; LSQ's gradient scaling: 1 / sqrt(elements each parameter shifts or scales)
            NDArray muView = mu.reshape(channels(x, (int) mu.size()));
            muView.attach(x.getManager());
            NDArray betaView = beta.reshape(beta.getShape());
            betaView.attach(x.getManager());
            NDArray m = Scalars.gradScaled(muView, Math.sqrt(mu.size() / (double) x.size()));
            NDArray b = Scalars.gradScaled(betaView, 1 / Math.sqrt(x.size()));
            return dte.sign(x.sub(m), scale).mul(b).add(m);
        }

        @Override
        public float[] state() {
            float[] thresholds = mu.toFloatArray();
            float[] out = new float[thresholds.length + 1];
            out[0] = beta.getFloat();
            System.arraycopy(thresholds, 0, out, 1, thresholds.length);
            return out;
        }

        /** The learnable thresholds mu and magnitude beta (no weight decay). */
        List<NDArray> parameters() {
            return List.of(mu, beta);
        }

        /** The trained quantizer, fixed: a plain sign forward, as a stored model rebuilds it. */
        BinaryActivations freeze() {
            return new Fixed(state());
        }
    }
}
