package io.dfq.quant.nn;

import ai.djl.ndarray.NDArray;

/**
 * Knowledge-distillation losses shared by PD-Quant's prediction difference and the QAT methods,
 * written once with log-softmaxes for numerical safety and with constants kept on the graph
 * ({@link Scalars}).
 */
public final class Distillation {

    private Distillation() {}

    /**
     * KL(softmax(teacher / T) || softmax(student / T)) of two (N, classes) logit arrays, summed over
     * classes and averaged over rows (PyTorch's {@code KLDivLoss(reduction='batchmean')}), without a
     * T^2 factor; on the autograd graph of {@code student}.
     */
    public static NDArray kl(NDArray teacher, NDArray student, double temperature) {
        NDArray logT = Scalars.div(teacher, temperature).logSoftmax(1);
        NDArray logS = Scalars.div(student, temperature).logSoftmax(1);
        return Scalars.div(logT.exp().mul(logT.sub(logS)).sum(), teacher.getShape().get(0));
    }
}
