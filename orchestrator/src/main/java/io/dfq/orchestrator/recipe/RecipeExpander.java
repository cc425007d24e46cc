package io.dfq.orchestrator.recipe;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dfq.quant.quantize.Quantizer;
import io.dfq.quant.spec.Method;
import io.dfq.quant.spec.TrialSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Expands merged recipe sections into distinct, fully resolved trials: defaults x grid x zip,
 * minus exclude, then the when-patches in order.
 *
 * <p>Each trial starts as a copy of the schema defaults with the defaults blocks applied, then
 * takes one point of the product as a single patch (so a grid choosing the method and a zip
 * setting its parameters combine in either order). Exclusion looks at the trial before the
 * when-patches, so an exclude entry means what the grid says, not what a patch later made of it.
 * Checks that need the whole trial (a parameter the trial's method lacks, a method that cannot
 * serve the trial) happen here; all problems are collected before anything is thrown.
 */
final class RecipeExpander {

    /** More trials than this is a recipe mistake, not a sweep; refuse before allocating them. */
    static final long MAX_TRIALS = 100_000;

    private final TrialSchema.Group schema;
    private final Problems problems;
    private final PatchCompiler compiler;
    private final List<SlotRef> slots;

    RecipeExpander(TrialSchema.Group schema, Problems problems) {
        this.schema = schema;
        this.problems = problems;
        this.compiler = new PatchCompiler(schema, problems);
        this.slots = slots(schema, List.of(), new ArrayList<>());
    }

    /** One distinct trial: its number in the product (from 1), what its point set, its config. */
    record Trial(int number, String label, ObjectNode config, TrialState state) {

        /** {@code trial #3 (generator=zeroq, wbits=4)}. */
        String describe() {
            return "trial #" + number + " (" + (label.isEmpty() ? "defaults only" : label) + ")";
        }
    }

    /** The distinct trials in product order, and notes about duplicates collapsed. */
    record Expansion(List<Trial> trials, List<String> notes) {}

    private record When(Patch condition, Patch set) {}

    private record SlotRef(List<String> path, TrialSchema.Slot slot) {}

    /** The trials of {@code recipe}; throws {@link RecipeException} with every problem found. */
    Expansion expand(RecipeSections recipe) {
        List<Patch> defaults = recipe.defaults().stream().map(compiler::compile).toList();
        List<List<Patch>> dimensions = new ArrayList<>();
        recipe.grid().forEach(axis -> dimensions.add(axis(axis)));
        dimensions.add(recipe.zip().map(this::zip).orElse(List.of(Patch.EMPTY)));
        List<Patch> excludes = recipe.exclude().map(l -> entries(l, "exclude")).orElse(List.of());
        List<When> whens = recipe.when().map(this::whens).orElse(List.of());
        Optional<TrialState> base = TrialState.defaults(schema, recipe.root(), problems);
        long count = dimensions.stream().mapToLong(List::size).reduce(1, RecipeExpander::cappedProduct);
        if (count > MAX_TRIALS) {
            problems.add(recipe.root(), "grid x zip gives more than " + MAX_TRIALS + " trials",
                    "at most " + MAX_TRIALS + "; split the recipe");
        }
        problems.throwIfAny();

        TrialState start = base.orElseThrow();
        defaults.forEach(d -> d.applyTo(start, problems));
        List<Trial> trials = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            TrialState trial = start.copy();
            Patch point = Patch.combine(pick(dimensions, n), problems);
            point.applyTo(trial, problems);
            if (excludes.stream().noneMatch(e -> e.matches(trial, problems))) {
                whens.stream().filter(w -> w.condition().matches(trial, problems))
                        .forEach(w -> w.set().applyTo(trial, problems));
                trials.add(new Trial(n + 1, point.label(), trial.resolved(), trial));
            }
        }
        problems.throwIfAny();
        if (trials.isEmpty()) {
            problems.add(recipe.exclude().orElseThrow().keyPosition(), "exclude removes all " + count + " trials");
            problems.throwIfAny();
        }
        Expansion expansion = distinct(trials);
        expansion.trials().forEach(t -> checkSupported(t, recipe.root()));
        problems.throwIfAny();
        return expansion;
    }

    /** The patches of one grid axis: {@code key: [value, ...]}. */
    private List<Patch> axis(RecipeNode.Field axis) {
        if (!(axis.value() instanceof RecipeNode.Sequence values) || values.items().isEmpty()) {
            problems.add(axis.value().position(), "grid '" + axis.key() + "' expects a non-empty list of values, got "
                    + (axis.value() instanceof RecipeNode.Sequence ? "an empty list" : axis.value().describe()),
                    "[value, ...]");
            return List.of();
        }
        return values.items().stream().map(v -> compiler.compile(axis.key(), axis.keyPosition(), v)).toList();
    }

    private List<Patch> zip(RecipeSections.Listed zip) {
        if (zip.items().isEmpty()) {
            problems.add(zip.keyPosition(), "zip has no entries", "a list of mappings of keys that advance together");
        }
        return entries(zip, "zip");
    }

    /** A list of partial trials, as zip and exclude hold. */
    private List<Patch> entries(RecipeSections.Listed list, String section) {
        List<Patch> patches = new ArrayList<>();
        for (RecipeNode item : list.items()) {
            if (item instanceof RecipeNode.Mapping m) {
                patches.add(compiler.compile(m));
            } else {
                problems.add(item.position(), "each " + section + " entry is a mapping of trial keys, got "
                        + item.describe());
            }
        }
        return patches;
    }

    private List<When> whens(RecipeSections.Listed list) {
        List<When> whens = new ArrayList<>();
        for (RecipeNode item : list.items()) {
            if (!(item instanceof RecipeNode.Mapping m)) {
                problems.add(item.position(), "each when entry is {if: {...}, set: {...}}, got " + item.describe());
                continue;
            }
            m.fields().stream().filter(f -> !f.key().equals("if") && !f.key().equals("set"))
                    .forEach(f -> problems.add(f.keyPosition(), "unknown key '" + f.key() + "' in a when entry",
                            "if, set"));
            Optional<Patch> condition = part(m, "if");
            Optional<Patch> set = part(m, "set");
            if (condition.isPresent() && set.isPresent()) {
                whens.add(new When(condition.get(), set.get()));
            }
        }
        return whens;
    }

    private Optional<Patch> part(RecipeNode.Mapping when, String key) {
        Optional<RecipeNode.Field> field = when.field(key);
        if (field.isEmpty()) {
            problems.add(when.position(), "a when entry needs '" + key + "'", "if, set");
            return Optional.empty();
        }
        if (!(field.get().value() instanceof RecipeNode.Mapping m)) {
            problems.add(field.get().value().position(), "'" + key + "' expects a mapping of trial keys, got "
                    + field.get().value().describe());
            return Optional.empty();
        }
        return Optional.of(compiler.compile(m));
    }

    /** The patches of point {@code n} of the product; the last dimension varies fastest. */
    private static List<Patch> pick(List<List<Patch>> dimensions, int n) {
        Patch[] picked = new Patch[dimensions.size()];
        int rest = n;
        for (int d = dimensions.size() - 1; d >= 0; d--) {
            List<Patch> values = dimensions.get(d);
            picked[d] = values.get(rest % values.size());
            rest /= values.size();
        }
        return List.of(picked);
    }

    private static long cappedProduct(long a, long b) {
        return Math.min(a * b, MAX_TRIALS + 1);
    }

    /** The trials without repeats of the same configuration, noting each one collapsed. */
    private Expansion distinct(List<Trial> trials) {
        Map<String, Trial> byConfig = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        for (Trial t : trials) {
            Trial first = byConfig.putIfAbsent(TrialKeys.canonicalJson(t.config(), schema), t);
            if (first != null) {
                notes.add(t.describe() + " resolves to the same configuration as " + first.describe()
                        + "; it runs once");
            }
        }
        return new Expansion(List.copyOf(byConfig.values()), notes);
    }

    /**
     * Asks every method the trial chose whether it can serve the trial; a refusal is reported
     * where the method was chosen, or at {@code root} for a schema default.
     */
    private void checkSupported(Trial trial, SourcePosition root) {
        for (SlotRef ref : slots) {
            Method method = trial.state().method(ref.slot(), ref.path());
            int bits = Math.min(trial.config().path("wbits").asInt(), trial.config().path("abits").asInt());
            if (method instanceof Quantizer q && bits < q.minBits()) {
                problems.add(trial.state().methodChoice(ref.path()).orElse(root), trial.describe() + ": quantizer '"
                        + q.name() + "' quantizes to at least " + q.minBits() + " bits, the trial asks for "
                        + bits + " (1 bit: dirnet)");
            }
            method.unsupportedReason(trial.config()).ifPresent(reason -> problems.add(
                    trial.state().methodChoice(ref.path()).orElse(root),
                    trial.describe() + ": " + ref.slot().registry().family() + " '" + method.name()
                            + "' cannot run it: " + reason));
        }
    }

    private static List<SlotRef> slots(TrialSchema.Group group, List<String> prefix, List<SlotRef> out) {
        group.children().forEach((key, child) -> {
            List<String> path = new ArrayList<>(prefix);
            path.add(key);
            if (child instanceof TrialSchema.Slot slot) {
                out.add(new SlotRef(path, slot));
            } else if (child instanceof TrialSchema.Group sub) {
                slots(sub, path, out);
            }
        });
        return out;
    }
}
