package io.dfq.quant.generate;

import io.dfq.quant.data.ImageSet;
import java.util.List;
import java.util.Map;

/**
 * A calibration set and what its generator measured.
 *
 * @param images the images (labels when the method is class-conditional or samples real data)
 * @param stats named numbers: initial and final loss terms, iterations, learning rate...
 * @param generatorState the trained generator's parameters (in its own order), kept with the set so
 *     that QAT can resume it ({@link Generator#resume}); empty when the data is not a generator's
 */
public record SyntheticSet(ImageSet images, Map<String, Double> stats, List<float[]> generatorState) {

    public SyntheticSet {
        stats = Map.copyOf(stats);
        generatorState = List.copyOf(generatorState);
    }

    /** A set that no trained generator made. */
    public SyntheticSet(ImageSet images, Map<String, Double> stats) {
        this(images, stats, List.of());
    }
}
