package io.dfq.quant.generate;

import io.dfq.quant.data.ImageSet;
import java.util.Map;

/**
 * A calibration set and what its generator measured.
 *
 * @param images the images (labels when the method is class-conditional or samples real data)
 * @param stats named numbers: initial and final loss terms, iterations, learning rate...
 */
public record SyntheticSet(ImageSet images, Map<String, Double> stats) {

    public SyntheticSet {
        stats = Map.copyOf(stats);
    }
}
