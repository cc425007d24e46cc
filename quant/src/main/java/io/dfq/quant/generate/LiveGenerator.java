package io.dfq.quant.generate;

import io.dfq.quant.data.ImageSet;

/**
 * A trained generator that keeps training while a student learns from it, as GDFQ and Qimera
 * fine-tune: each student step draws fresh labelled images, and the generator takes one step of its
 * own objective against the FP teacher (the student's loss does not reach it). Holds native arrays
 * and an optimizer: close it.
 */
public interface LiveGenerator extends AutoCloseable {

    /** {@code n} fresh labelled images, generated without recording gradients. */
    ImageSet sample(int n);

    /** One training step of the generator; returns its loss. */
    double step();

    @Override
    void close();
}
