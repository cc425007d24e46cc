package io.dfq.results;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A leaderboard group as a point of accuracy against model size, marked when it is on the Pareto
 * front: no other group is at least as small and strictly more accurate, or strictly smaller and
 * at least as accurate.
 *
 * @param groupKey the group
 * @param model {@code config.teacher.model}
 * @param generator {@code config.generator.name}
 * @param quantizer {@code config.quantizer.name}
 * @param wbits weight bits
 * @param abits activation bits
 * @param protocol quantization protocol
 * @param n trials (seeds) in the group
 * @param sizeBytes mean quantized model size
 * @param top1 mean top-1 accuracy, in percent
 * @param front whether no other point dominates this one
 */
public record ParetoPoint(
        String groupKey,
        String model,
        String generator,
        String quantizer,
        int wbits,
        int abits,
        String protocol,
        int n,
        double sizeBytes,
        double top1,
        boolean front) {

    /**
     * The points with their front flag set, smallest first (ties: most accurate first). Sorting by
     * size and keeping each point more accurate than every smaller one finds the front in
     * O(n log n); equal points are all on it.
     */
    static List<ParetoPoint> mark(List<ParetoPoint> points) {
        List<ParetoPoint> sorted = new ArrayList<>(points);
        sorted.sort(Comparator.comparingDouble(ParetoPoint::sizeBytes)
                .thenComparing(ParetoPoint::top1, Comparator.reverseOrder())
                .thenComparing(ParetoPoint::groupKey));
        List<ParetoPoint> marked = new ArrayList<>();
        double best = Double.NEGATIVE_INFINITY;
        ParetoPoint last = null;
        for (ParetoPoint p : sorted) {
            boolean tie = last != null && last.front && last.sizeBytes == p.sizeBytes && last.top1 == p.top1;
            boolean front = p.top1 > best || tie;
            best = Math.max(best, p.top1);
            last = new ParetoPoint(p.groupKey, p.model, p.generator, p.quantizer, p.wbits, p.abits,
                    p.protocol, p.n, p.sizeBytes, p.top1, front);
            marked.add(last);
        }
        return List.copyOf(marked);
    }
}
