package io.dfq.quant.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam over an explicit list of leaf arrays, updated in place outside any gradient scope.
 *
 * <p>Written here rather than using DJL's {@code Optimizer} because synthesis optimizes inputs and
 * latents, not block parameters, and because the learning rate changes per step (plateau
 * schedules). Moment buffers live on each leaf's own manager and are closed with the optimizer;
 * every temporary of a step is closed by an {@link NDScope}.
 */
public final class Adam implements AutoCloseable {

    private final List<NDArray> params;
    private final List<NDArray> m = new ArrayList<>();
    private final List<NDArray> v = new ArrayList<>();
    private final double beta1;
    private final double beta2;
    private final double eps;
    private int step;

    public Adam(List<NDArray> params, double beta1, double beta2) {
        this.params = List.copyOf(params);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = 1e-8;
        for (NDArray p : this.params) {
            m.add(p.zerosLike());
            v.add(p.zerosLike());
        }
    }

    /** Adam with PyTorch's default betas (0.9, 0.999). */
    public Adam(List<NDArray> params) {
        this(params, 0.9, 0.999);
    }

    /** One update with learning rate {@code lr}; zeroes the gradients afterwards. */
    public void step(double lr) {
        step++;
        double c1 = 1 - Math.pow(beta1, step);
        double c2 = 1 - Math.pow(beta2, step);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (int i = 0; i < params.size(); i++) {
                NDArray p = params.get(i);
                NDArray g = p.getGradient();
                m.get(i).muli(beta1).addi(g.mul(1 - beta1));
                v.get(i).muli(beta2).addi(g.square().muli(1 - beta2));
                NDArray denom = v.get(i).div(c2).sqrt().addi(eps);
                p.subi(m.get(i).div(c1).divi(denom).muli(lr));
                g.subi(g);
            }
        }
    }

    @Override
    public void close() {
        m.forEach(NDArray::close);
        v.forEach(NDArray::close);
    }
}
