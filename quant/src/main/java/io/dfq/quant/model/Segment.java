package io.dfq.quant.model;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.function.BiFunction;

/**
 * A reconstruction unit of a network: a stem layer with its activation, a residual or inverted
 * residual block, a head, or a single layer where no block exists (BRECQ's granularity). Running a
 * network's segments in order computes its logits: the input of a segment is the output of the one
 * before (the images for the first). It is also the raw (not yet quantized) input of its first layer,
 * except that a head starting with a global pooling pools its input first, which leaves the first
 * layer's already pooled input unchanged, so either may be given.
 *
 * @param name the segment's name (its block's or layer's)
 * @param layers its conv/linear layers, first one first
 * @param forward the segment's computation: (input, training) to output
 */
public record Segment(String name, List<QLayer> layers, BiFunction<NDArray, Boolean, NDArray> forward) {

    public Segment {
        layers = List.copyOf(layers);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("segment " + name + " has no layer");
        }
    }

    /** The segment's output for {@code x}. */
    public NDArray apply(NDArray x, boolean training) {
        return forward.apply(x, training);
    }

    /** The layer whose raw input is the segment's input. */
    public QLayer first() {
        return layers.get(0);
    }
}
