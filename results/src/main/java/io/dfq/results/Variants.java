package io.dfq.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@code variant} text of leaderboard rows: the config values that tell the rows apart
 * beyond the columns already shown.
 *
 * <p>A method's parameters are compared only among rows that use the same method (the rows with
 * generator zeroq, say), so {@code generator.iters=500} appears only when zeroq rows differ in
 * it, not merely because a gaussian row has no iters. Values outside a method are compared across
 * all rows, a missing value counting as one more value.
 */
final class Variants {

    /** Paths the leaderboard shows in columns of their own. */
    private static final Set<String> SHOWN =
            Set.of("teacher.model", "generator.name", "quantizer.name", "wbits", "abits",
                    "protocol", "seed");

    private Variants() {}

    /** One text per config, in order: {@code path=value} pairs joined by spaces. */
    static List<String> describe(List<ObjectNode> configs) {
        return differences(configs, SHOWN).stream()
                .map(values -> String.join(" ", values.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue()).toList()))
                .toList();
    }

    /**
     * For each config, in order, the values at the paths (other than {@code hidden}) that tell it
     * apart from the others, sorted by path; a path the config lacks is left out.
     */
    static List<Map<String, String>> differences(List<ObjectNode> configs, Set<String> hidden) {
        List<Map<String, String>> leaves = new ArrayList<>();
        Set<String> paths = new TreeSet<>();
        for (ObjectNode config : configs) {
            Map<String, String> flat = new TreeMap<>();
            flatten(config, "", flat);
            flat.keySet().removeAll(hidden);
            leaves.add(flat);
            paths.addAll(flat.keySet());
        }
        List<Map<String, String>> differences = new ArrayList<>();
        configs.forEach(c -> differences.add(new TreeMap<>()));
        for (String path : paths) {
            Map<String, Set<String>> valuesByScope = new HashMap<>(); // null: absent
            List<String> scopes = new ArrayList<>();
            for (int i = 0; i < configs.size(); i++) {
                String scope = scope(configs.get(i), path);
                scopes.add(scope);
                valuesByScope.computeIfAbsent(scope, s -> new HashSet<>())
                        .add(leaves.get(i).get(path));
            }
            for (int i = 0; i < configs.size(); i++) {
                String value = leaves.get(i).get(path);
                if (value != null && valuesByScope.get(scopes.get(i)).size() > 1) {
                    differences.get(i).put(path, value);
                }
            }
        }
        return differences;
    }

    private static void flatten(JsonNode node, String prefix, Map<String, String> out) {
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String path = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
            JsonNode value = field.getValue();
            if (value.isObject()) {
                flatten(value, path, out);
            } else {
                out.put(path, value.isTextual() ? value.asText() : value.toString());
            }
        }
    }

    /**
     * The method names above {@code path}: for each enclosing object that has a text
     * {@code name}, {@code object.name=value}; a {@code name} leaf is not scoped by itself.
     */
    private static String scope(ObjectNode config, String path) {
        String[] parts = path.split("\\.");
        int leaf = parts.length - 1;
        int enclosing = parts[leaf].equals("name") ? leaf - 1 : leaf;
        StringBuilder scope = new StringBuilder();
        JsonNode node = config;
        for (int depth = 0; depth < enclosing; depth++) {
            node = node.path(parts[depth]);
            JsonNode name = node.path("name");
            if (name.isTextual()) {
                String object = String.join(".", List.of(parts).subList(0, depth + 1));
                scope.append(object).append(".name=").append(name.asText()).append(';');
            }
        }
        return scope.toString();
    }
}
