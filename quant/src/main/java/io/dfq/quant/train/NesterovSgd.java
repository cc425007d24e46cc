package io.dfq.quant.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.List;

/**
 * SGD with Nesterov momentum and L2 weight decay, PyTorch's formulation: g = grad + wd * w; buf =
 * m * buf + g; w -= lr * (g + m * buf). DJL's SGD has no Nesterov variant; methods.md section 6's
 * teacher recipe needs it.
 */
public final class NesterovSgd implements AutoCloseable {

    private final List<NDArray> params;
    private final List<NDArray> buffers = new ArrayList<>();
    private final double momentum;
    private final double weightDecay;

    public NesterovSgd(List<NDArray> params, double momentum, double weightDecay) {
        this.params = List.copyOf(params);
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        for (NDArray p : this.params) {
            buffers.add(p.zerosLike());
        }
    }

    /** One update at learning rate {@code lr}; zeroes the gradients. */
    public void step(double lr) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (int i = 0; i < params.size(); i++) {
                NDArray w = params.get(i);
                NDArray grad = w.getGradient();
                NDArray g = grad.add(w.mul(weightDecay));
                NDArray buf = buffers.get(i).muli(momentum).addi(g);
                w.subi(g.addi(buf.mul(momentum)).muli(lr));
                grad.subi(grad);
            }
        }
    }

    /** The momentum buffers' values, in parameter order (for checkpoints). */
    public List<float[]> state() {
        List<float[]> out = new ArrayList<>();
        buffers.forEach(b -> out.add(b.toFloatArray()));
        return out;
    }

    /** Sets the momentum buffers to values taken by {@link #state()}. */
    public void restore(List<float[]> state) {
        if (state.size() != buffers.size()) {
            throw new IllegalArgumentException(state.size() + " momentum buffers for " + buffers.size() + " parameters");
        }
        for (int i = 0; i < buffers.size(); i++) {
            buffers.get(i).set(state.get(i));
        }
    }

    @Override
    public void close() {
        buffers.forEach(NDArray::close);
    }
}
