package io.dfq.orchestrator.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dfq.quant.spec.Method;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.TrialSchema;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One trial while it is being built: always a complete resolved tree, patched in place.
 *
 * <p>Starting from the schema's defaults and keeping the tree complete at every step means that
 * {@code exclude} and {@code when} conditions compare against real values (a key the recipe never
 * set has its default), and that no separate default-filling pass exists to get wrong. Choosing a
 * different method for a slot replaces the slot with that method's defaults, which is what keeps
 * parameters set for one method from leaking into another.
 */
final class TrialState {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final ObjectNode tree;
    private final Map<String, SourcePosition> methodChoices;

    private TrialState(ObjectNode tree, Map<String, SourcePosition> methodChoices) {
        this.tree = tree;
        this.methodChoices = methodChoices;
    }

    /**
     * The trial holding every default of {@code schema}; empty if a slot's default method is not
     * registered (reported at {@code at}).
     */
    static Optional<TrialState> defaults(TrialSchema.Group schema, SourcePosition at, Problems problems) {
        Problems missing = new Problems();
        ObjectNode tree = group(schema, at, missing);
        if (!missing.isEmpty()) {
            problems.addAll(missing);
            return Optional.empty();
        }
        return Optional.of(new TrialState(tree, new HashMap<>()));
    }

    /** An independent copy, to branch one trial per point of the product. */
    TrialState copy() {
        return new TrialState(tree.deepCopy(), new HashMap<>(methodChoices));
    }

    /** The value at {@code path}. */
    JsonNode get(List<String> path) {
        JsonNode node = tree;
        for (String key : path) {
            node = node.get(key);
        }
        return node;
    }

    /** Replaces the value at {@code path}. */
    void set(List<String> path, JsonNode value) {
        ((ObjectNode) get(path.subList(0, path.size() - 1))).set(path.get(path.size() - 1), value);
    }

    /** The method the slot at {@code slotPath} holds now. */
    Method method(TrialSchema.Slot slot, List<String> slotPath) {
        return slot.registry().get(get(slotPath).get("name").asText());
    }

    /**
     * Puts {@code method} in the slot at {@code slotPath}, chosen at {@code at}. The same method
     * keeps its parameters; a different one starts from its own defaults.
     */
    void choose(List<String> slotPath, Method method, SourcePosition at) {
        if (!get(slotPath).get("name").asText().equals(method.name())) {
            set(slotPath, slot(method));
        }
        methodChoices.put(String.join(".", slotPath), at);
    }

    /** Where the method of the slot at {@code slotPath} was chosen, if the recipe chose it. */
    Optional<SourcePosition> methodChoice(List<String> slotPath) {
        return Optional.ofNullable(methodChoices.get(String.join(".", slotPath)));
    }

    /** The trial in canonical form: a copy with the keys of every object sorted. */
    ObjectNode resolved() {
        return sorted(tree);
    }

    /** The parameter of {@code method} called {@code name}, if it has one. */
    static Optional<ParamSpec> param(Method method, String name) {
        return method.params().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The parameter names of {@code method}, for messages. */
    static String paramNames(Method method) {
        return Problems.names(method.params().stream().map(ParamSpec::name).toList());
    }

    private static ObjectNode group(TrialSchema.Group group, SourcePosition at, Problems problems) {
        ObjectNode node = JSON.objectNode();
        group.children().forEach((key, child) -> {
            if (child instanceof TrialSchema.Leaf leaf) {
                node.set(key, Values.defaultOf(leaf.spec()));
            } else if (child instanceof TrialSchema.Group sub) {
                node.set(key, group(sub, at, problems));
            } else if (child instanceof TrialSchema.Slot slot) {
                Optional<? extends Method> method = slot.registry().find(slot.defaultMethod());
                if (method.isPresent()) {
                    node.set(key, slot(method.get()));
                } else {
                    problems.add(at, "the schema's default " + slot.registry().family() + " '"
                            + slot.defaultMethod() + "' is not registered",
                            Problems.names(slot.registry().names()));
                }
            }
        });
        return node;
    }

    private static ObjectNode slot(Method method) {
        ObjectNode node = JSON.objectNode();
        node.put("name", method.name());
        method.params().forEach(p -> node.set(p.name(), Values.defaultOf(p)));
        return node;
    }

    private static ObjectNode sorted(ObjectNode node) {
        Map<String, JsonNode> byKey = new TreeMap<>();
        node.properties().forEach(e -> byKey.put(e.getKey(), e.getValue()));
        ObjectNode copy = JSON.objectNode();
        byKey.forEach((key, value) ->
                copy.set(key, value.isObject() ? sorted((ObjectNode) value) : value.deepCopy()));
        return copy;
    }
}
