package io.dfq.quant.generate;

import ai.djl.ndarray.NDArray;
import io.dfq.quant.nn.Scalars;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The first and last value of every named term of a multi-term synthesis objective, averaged over
 * batches: the {@code loss_T_initial} / {@code loss_T_final} statistics each generator reports.
 *
 * <p>Terms are recorded by name as they are computed, so a term switched off (weight 0) or not yet
 * active (a constraint that needs class centres from earlier batches) has no entry in that batch,
 * and its averages run over the batches in which it was computed. Values are recorded unweighted;
 * the term {@code total} holds the weighted objective that was optimized. Serializable: a batch-wise
 * generator saves it with each finished batch ({@link BatchCheckpoints}).
 */
final class LossTerms implements Serializable {

    /** The name of the weighted sum of all terms. */
    static final String TOTAL = "total";

    private final Map<String, Double> first = new LinkedHashMap<>();
    private final Map<String, Double> last = new LinkedHashMap<>();
    private final Map<String, double[]> sums = new LinkedHashMap<>();

    /** Records {@code value} for {@code term} at the current iteration of the current batch. */
    void record(String term, double value) {
        first.putIfAbsent(term, value);
        last.put(term, value);
    }

    /**
     * Records {@code value} under {@code term} and returns {@code total + weight * value} (just the
     * weighted value when {@code total} is null: the first term of an iteration).
     */
    NDArray add(NDArray total, String term, double weight, NDArray value) {
        record(term, value.getFloat());
        NDArray weighted = Scalars.mul(value, weight);
        return total == null ? weighted : total.add(weighted);
    }

    /**
     * Records the weighted objective of an iteration under {@link #TOTAL} and returns its value.
     *
     * @throws IllegalArgumentException when no term was added (every weight 0)
     */
    double total(String method, NDArray total) {
        if (total == null) {
            throw new IllegalArgumentException("generator '" + method + "': every loss weight is 0");
        }
        double value = total.getFloat();
        record(TOTAL, value);
        return value;
    }

    /** The first value of {@code term} in the current batch (NaN if none). */
    double first(String term) {
        return first.getOrDefault(term, Double.NaN);
    }

    /** The last value of {@code term} in the current batch (NaN if none). */
    double last(String term) {
        return last.getOrDefault(term, Double.NaN);
    }

    /** Closes the current batch: its first and last values join the averages. */
    void endBatch() {
        first.forEach((term, value) -> {
            double[] s = sums.computeIfAbsent(term, t -> new double[3]);
            s[0] += value;
            s[1] += last.get(term);
            s[2]++;
        });
        first.clear();
        last.clear();
    }

    /** {@code loss_T_initial} and {@code loss_T_final} of every term, averaged over its batches. */
    Map<String, Double> stats() {
        Map<String, Double> out = new LinkedHashMap<>();
        sums.forEach((term, s) -> {
            out.put("loss_" + term + "_initial", s[0] / s[2]);
            out.put("loss_" + term + "_final", s[1] / s[2]);
        });
        return out;
    }
}
