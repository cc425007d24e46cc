package io.dfq.orchestrator.recipe;

import io.dfq.quant.spec.Method;
import io.dfq.quant.spec.TrialSchema;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Compiles the recipe's partial trials (defaults, grid values, zip entries, exclude entries, when
 * conditions and patches) into {@link Patch}es, walking the trial schema.
 *
 * <p>All the forms of one key meet here: dotted keys, nested mappings, a slot's short and long
 * forms. Everything that can be checked without knowing the rest of the trial is checked here,
 * once, with the position of the offending key or value: unknown keys, unknown methods, leaf
 * values, and parameters that no method of the family has (or that the method named in the same
 * patch does not have).
 */
final class PatchCompiler {

    private final TrialSchema.Group schema;
    private final Problems problems;

    PatchCompiler(TrialSchema.Group schema, Problems problems) {
        this.schema = schema;
        this.problems = problems;
    }

    /** A patch from a mapping of (possibly dotted) trial keys. */
    Patch compile(RecipeNode.Mapping mapping) {
        List<Assignment> out = new ArrayList<>();
        mapping.fields().forEach(f -> key(List.of(), schema, f.key(), f.keyPosition(), f.value(), out));
        return finish(out);
    }

    /** A patch from one {@code key: value}, as a grid value is. */
    Patch compile(String key, SourcePosition keyAt, RecipeNode value) {
        List<Assignment> out = new ArrayList<>();
        key(List.of(), schema, key, keyAt, value, out);
        return finish(out);
    }

    private void key(
            List<String> prefix,
            TrialSchema.Group group,
            String key,
            SourcePosition keyAt,
            RecipeNode value,
            List<Assignment> out) {
        List<String> path = new ArrayList<>(prefix);
        TrialSchema.Node node = group;
        String[] segments = key.split("\\.", -1);
        for (int i = 0; i < segments.length; i++) {
            if (node instanceof TrialSchema.Group g) {
                TrialSchema.Node child = g.children().get(segments[i]);
                if (child == null) {
                    problems.add(keyAt, "unknown key '" + segments[i] + "'" + in(path),
                            Problems.names(g.children().keySet()));
                    return;
                }
                path.add(segments[i]);
                node = child;
            } else if (node instanceof TrialSchema.Slot slot) {
                String rest = String.join(".", Arrays.asList(segments).subList(i, segments.length));
                slotKey(path, slot, rest, keyAt, value, out);
                return;
            } else {
                problems.add(keyAt, "'" + String.join(".", path) + "' is a single value and has no key '"
                        + segments[i] + "'");
                return;
            }
        }
        value(path, node, keyAt, value, out);
    }

    private void value(
            List<String> path, TrialSchema.Node node, SourcePosition keyAt, RecipeNode value, List<Assignment> out) {
        String dotted = String.join(".", path);
        if (node instanceof TrialSchema.Group g) {
            if (value instanceof RecipeNode.Mapping m) {
                m.fields().forEach(f -> key(path, g, f.key(), f.keyPosition(), f.value(), out));
            } else {
                problems.add(value.position(), "'" + dotted + "' expects a mapping, got " + value.describe(),
                        Problems.names(g.children().keySet()));
            }
        } else if (node instanceof TrialSchema.Slot slot) {
            slotValue(path, slot, keyAt, value, out);
        } else if (node instanceof TrialSchema.Leaf leaf) {
            if (value instanceof RecipeNode.Scalar s) {
                Values.check(dotted, leaf.spec(), s.value(), s.position(), problems)
                        .ifPresent(v -> out.add(new Assignment.SetValue(path, v, keyAt)));
            } else {
                problems.add(value.position(), dotted + ": expected a single value, got " + value.describe(),
                        leaf.spec().validValues());
            }
        }
    }

    /** {@code generator: zeroq} or {@code generator: {name: zeroq, iters: 500}}. */
    private void slotValue(
            List<String> path, TrialSchema.Slot slot, SourcePosition keyAt, RecipeNode value, List<Assignment> out) {
        if (value instanceof RecipeNode.Mapping m) {
            m.fields().forEach(f -> slotKey(path, slot, f.key(), f.keyPosition(), f.value(), out));
        } else {
            method(path, slot, keyAt, value, out);
        }
    }

    /** {@code name} or a parameter, under a slot. */
    private void slotKey(
            List<String> path,
            TrialSchema.Slot slot,
            String key,
            SourcePosition keyAt,
            RecipeNode value,
            List<Assignment> out) {
        if (key.equals("name")) {
            method(path, slot, keyAt, value, out);
        } else if (value instanceof RecipeNode.Scalar s) {
            out.add(new Assignment.SetParam(path, slot, key, s, keyAt));
        } else {
            problems.add(value.position(), String.join(".", path) + "." + key
                    + ": expected a single value, got " + value.describe());
        }
    }

    private void method(
            List<String> path, TrialSchema.Slot slot, SourcePosition keyAt, RecipeNode value, List<Assignment> out) {
        String family = slot.registry().family();
        String valid = Problems.names(slot.registry().names());
        if (!(value instanceof RecipeNode.Scalar s) || !s.value().isTextual()) {
            problems.add(value.position(), "'" + String.join(".", path) + "' expects a " + family
                    + " name or {name: ..., <parameters>}, got " + value.describe(), valid);
            return;
        }
        Optional<? extends Method> method = slot.registry().find(s.value().asText());
        if (method.isPresent()) {
            out.add(new Assignment.SetMethod(path, method.get(), keyAt, s.position()));
        } else {
            problems.add(s.position(), "unknown " + family + " '" + s.value().asText() + "'", valid);
        }
    }

    /**
     * The assignments as a patch, less the parameters found wrong already: checked against the
     * method named in the same patch, or else against every method of the family.
     */
    private Patch finish(List<Assignment> out) {
        List<Assignment> kept = new ArrayList<>();
        for (Assignment a : out) {
            if (!(a instanceof Assignment.SetParam p) || paramPlausible(p, out)) {
                kept.add(a);
            }
        }
        return Patch.of(kept, problems);
    }

    private boolean paramPlausible(Assignment.SetParam p, List<Assignment> patch) {
        for (Assignment a : patch) {
            if (a instanceof Assignment.SetMethod m && m.slotPath().equals(p.slotPath())) {
                return p.check(m.method(), problems).isPresent();
            }
        }
        TreeSet<String> all = new TreeSet<>();
        p.slot().registry().names().forEach(n -> p.slot().registry().get(n).params().forEach(s -> all.add(s.name())));
        if (all.contains(p.param())) {
            return true;
        }
        problems.add(p.keyPosition(), "no " + p.slot().registry().family() + " has a parameter '" + p.param() + "'",
                Problems.names(all));
        return false;
    }

    private static String in(List<String> path) {
        return path.isEmpty() ? "" : " in '" + String.join(".", path) + "'";
    }
}
