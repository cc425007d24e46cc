package io.dfq.quant.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Typed reads of a resolved method node ({@code {name: ..., param: value}}), falling back to the
 * method's declared defaults, so a method reads its parameters by name without re-stating them.
 */
public final class Params {

    private final JsonNode node;
    private final List<ParamSpec> specs;

    private Params(JsonNode node, List<ParamSpec> specs) {
        this.node = node;
        this.specs = specs;
    }

    /** The parameters of {@code method} as given in {@code node} (may be null: all defaults). */
    public static Params of(Method method, JsonNode node) {
        return new Params(node, method.params());
    }

    private JsonNode raw(String name) {
        JsonNode v = node == null ? null : node.get(name);
        if (v != null && !v.isNull()) {
            return v;
        }
        return null;
    }

    private Object def(String name) {
        for (ParamSpec s : specs) {
            if (s.name().equals(name)) {
                return s.defaultValue();
            }
        }
        throw new IllegalArgumentException("no parameter '" + name + "' declared");
    }

    public int getInt(String name) {
        JsonNode v = raw(name);
        return v != null ? v.asInt() : ((Number) def(name)).intValue();
    }

    public double getDouble(String name) {
        JsonNode v = raw(name);
        return v != null ? v.asDouble() : ((Number) def(name)).doubleValue();
    }

    public boolean getBool(String name) {
        JsonNode v = raw(name);
        return v != null ? v.asBoolean() : (Boolean) def(name);
    }

    public String getString(String name) {
        JsonNode v = raw(name);
        return v != null ? v.asText() : (String) def(name);
    }
}
