package io.dfq.quant.qcore;

/**
 * A set of observed values an {@link Observer} chooses a range from: either the exact values (a
 * weight channel) or a histogram of everything a layer's input took during calibration.
 */
public interface Distribution {

    /** The smallest observed value. */
    float min();

    /** The largest observed value. */
    float max();

    /** Number of support points (values or histogram bins). */
    int points();

    /** The value of support point {@code i}. */
    float value(int i);

    /** How many observations support point {@code i} stands for. */
    double weight(int i);

    /** The {@code q}-quantile (q in [0, 1]) of the observed values. */
    double quantile(double q);
}
