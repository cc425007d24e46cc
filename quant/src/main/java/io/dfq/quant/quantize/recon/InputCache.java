package io.dfq.quant.quantize.recon;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.model.Segment;
import io.dfq.quant.nn.Autograd;

/**
 * Calibration tensors of one reconstruction unit, for the whole calibration set at once: the raw
 * input of a layer as a network computes it (captured by a probe, the rest of the forward pass
 * skipped), and a unit's outputs for given inputs.
 */
public final class InputCache {

    private InputCache() {}

    /** Thrown by the probe once the input is copied, so the rest of the forward pass is skipped. */
    private static final class Captured extends RuntimeException {
        Captured() {
            super(null, null, false, false);
        }
    }

    /**
     * The raw inputs of {@code layer} (before its input quantizer) when {@code net}, in its current
     * quantization state, runs on every image of {@code data}; one (N, ...) array on {@code into}.
     */
    public static NDArray inputs(Net net, QLayer layer, ImageSet data, int batch, NDManager into) {
        NDList parts = new NDList();
        try (NDManager scope = into.newSubManager()) {
            layer.setProbe(x -> {
                NDArray copy = x.duplicate();
                copy.attach(scope);
                parts.add(copy);
                throw new Captured();
            });
            for (int from = 0; from < data.count(); from += batch) {
                try (NDManager step = scope.newSubManager()) {
                    NDArray x = data.batch(step, from, Math.min(data.count(), from + batch));
                    Autograd.noGrad(() -> net.logits(x, false));
                    throw new IllegalStateException("layer " + layer.name() + " is not on the forward path");
                } catch (Captured expected) {
                    // the input of this batch is in parts
                }
            }
            NDArray all = parts.size() == 1 ? parts.get(0).duplicate() : NDArrays.concat(parts);
            all.attach(into);
            return all;
        } finally {
            layer.setProbe(null);
        }
    }

    /** {@code unit} applied to {@code inputs} batch by batch without autograd; one array on {@code into}. */
    public static NDArray outputs(Segment unit, NDArray inputs, int batch, NDManager into) {
        NDList parts = new NDList();
        long n = inputs.getShape().get(0);
        try (NDManager scope = into.newSubManager()) {
            for (long from = 0; from < n; from += batch) {
                NDArray x = inputs.get(from + ":" + Math.min(n, from + batch));
                x.attach(scope);
                NDArray y = Autograd.noGrad(() -> unit.apply(x, false));
                y.attach(scope);
                parts.add(y);
            }
            NDArray all = parts.size() == 1 ? parts.get(0).duplicate() : NDArrays.concat(parts);
            all.attach(into);
            return all;
        }
    }

    /** {@code net}'s logits for every image of {@code data}, batch by batch without autograd; (N, classes) on {@code into}. */
    public static NDArray logits(Net net, ImageSet data, int batch, NDManager into) {
        NDList parts = new NDList();
        try (NDManager scope = into.newSubManager()) {
            for (int from = 0; from < data.count(); from += batch) {
                try (NDManager step = scope.newSubManager()) {
                    NDArray x = data.batch(step, from, Math.min(data.count(), from + batch));
                    NDArray z = Autograd.noGrad(() -> net.logits(x, false));
                    z.attach(scope);
                    parts.add(z);
                }
            }
            NDArray all = parts.size() == 1 ? parts.get(0).duplicate() : NDArrays.concat(parts);
            all.attach(into);
            return all;
        }
    }
}
