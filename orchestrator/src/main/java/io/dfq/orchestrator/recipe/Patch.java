package io.dfq.orchestrator.recipe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A set of assignments applied to a trial as a unit: a defaults block, one point of the grid x
 * zip product, an exclude entry, a when's condition or patch.
 *
 * <p>Within a patch, method choices go first: {@code {generator: zeroq, generator.iters: 300}}
 * means zeroq with 300 iterations whatever the order of the keys, and a grid that varies the
 * method and a zip that varies its parameters combine the same way.
 */
record Patch(List<Assignment> assignments) {

    /** The patch that changes nothing (no zip, an empty defaults block). */
    static final Patch EMPTY = new Patch(List.of());

    Patch {
        assignments = List.copyOf(assignments);
    }

    /** The parts as one patch; a key set by two of them is a problem, reported at the second. */
    static Patch of(List<Assignment> parts, Problems problems) {
        Map<String, SourcePosition> seen = new HashMap<>();
        List<Assignment> kept = new ArrayList<>();
        for (Assignment a : parts) {
            SourcePosition first = seen.putIfAbsent(a.target(), a.keyPosition());
            if (first == null) {
                kept.add(a);
            } else {
                problems.add(a.keyPosition(), "'" + a.target() + "' is set twice for the same trial (also at "
                        + first + ")");
            }
        }
        return new Patch(kept);
    }

    /** The patches as one, as {@link #of} does. */
    static Patch combine(List<Patch> patches, Problems problems) {
        List<Assignment> all = new ArrayList<>();
        patches.forEach(p -> all.addAll(p.assignments()));
        return of(all, problems);
    }

    /** Applies the method choices, then every other assignment. */
    void applyTo(TrialState trial, Problems problems) {
        assignments.stream().filter(a -> a instanceof Assignment.SetMethod).forEach(a -> a.applyTo(trial, problems));
        assignments.stream().filter(a -> !(a instanceof Assignment.SetMethod)).forEach(a -> a.applyTo(trial, problems));
    }

    /** Whether {@code trial} holds every value of this patch. */
    boolean matches(TrialState trial, Problems problems) {
        return assignments.stream().allMatch(a -> a.matches(trial, problems));
    }

    /** {@code key=value, ...}, naming a trial by what its point of the product set. */
    String label() {
        return assignments.stream().map(a -> a.target() + "=" + a.shownValue()).collect(Collectors.joining(", "));
    }
}
