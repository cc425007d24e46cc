package io.dfq.orchestrator.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.dfq.quant.spec.ParamSpec;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Optional;

/**
 * Checks a value against its {@link ParamSpec} and brings it into canonical form.
 *
 * <p>Canonical form is what makes equal trials equal: an {@code INT} is an {@link IntNode} (a
 * {@link LongNode} beyond int range), a {@code FLOAT} always a {@link DoubleNode} (so {@code 4}
 * and {@code 4.0} are one value, and {@code -0.0} is {@code 0.0}). Both recipe values and schema
 * defaults go through it, so {@link JsonNode#equals} compares them correctly in exclude and when
 * matching and in the collapsing of duplicate trials.
 */
final class Values {

    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private Values() {}

    /**
     * {@code raw} in canonical form when {@code spec} accepts it; otherwise empty, and the problem
     * (prefixed with {@code path}) is recorded at {@code at}.
     */
    static Optional<JsonNode> check(
            String path, ParamSpec spec, JsonNode raw, SourcePosition at, Problems problems) {
        Optional<String> problem = problem(spec, raw);
        if (problem.isPresent()) {
            problems.add(at, path + ": " + problem.get(), spec.validValues());
            return Optional.empty();
        }
        return Optional.of(canonical(spec, raw));
    }

    /** The canonical form of the spec's default value. */
    static JsonNode defaultOf(ParamSpec spec) {
        Object def = spec.defaultValue();
        JsonNode raw;
        if (def == null) {
            raw = NullNode.getInstance();
        } else if (def instanceof Double || def instanceof Float || def instanceof BigDecimal) {
            raw = DoubleNode.valueOf(((Number) def).doubleValue());
        } else if (def instanceof Number n) {
            raw = LongNode.valueOf(n.longValue());
        } else if (def instanceof Boolean b) {
            raw = BooleanNode.valueOf(b);
        } else {
            raw = TextNode.valueOf(def.toString());
        }
        problem(spec, raw).ifPresent(p -> {
            throw new IllegalStateException("the default of parameter '" + spec.name() + "' is invalid: " + p);
        });
        return canonical(spec, raw);
    }

    /** How a value is shown in trial labels and messages: strings bare, the rest as JSON. */
    static String show(JsonNode value) {
        return value.isTextual() ? value.asText() : value.toString();
    }

    private static Optional<String> problem(ParamSpec spec, JsonNode raw) {
        if (raw.isNull()) {
            return spec.nullable() ? Optional.empty() : Optional.of("null is not allowed");
        }
        return switch (spec.type()) {
            case INT -> raw.isIntegralNumber()
                    ? inRange(spec, raw.bigIntegerValue().doubleValue(), raw)
                    : expected("an integer", raw);
            case FLOAT -> floatProblem(spec, raw);
            case BOOL -> raw.isBoolean() ? Optional.empty() : expected("true or false", raw);
            case STRING -> stringProblem(spec, raw);
        };
    }

    private static Optional<String> floatProblem(ParamSpec spec, JsonNode raw) {
        if (!raw.isNumber()) {
            return expected("a number", raw);
        }
        if (!Double.isFinite(raw.doubleValue())) {
            return Optional.of(raw.asText() + " is not a finite number");
        }
        return inRange(spec, raw.doubleValue(), raw);
    }

    private static Optional<String> stringProblem(ParamSpec spec, JsonNode raw) {
        if (!raw.isTextual()) {
            return expected("a string", raw);
        }
        if (!spec.choices().isEmpty() && !spec.choices().contains(raw.asText())) {
            return Optional.of("'" + raw.asText() + "' is not a valid choice");
        }
        return Optional.empty();
    }

    private static Optional<String> expected(String what, JsonNode raw) {
        return Optional.of("expected " + what + ", got " + describe(raw));
    }

    private static Optional<String> inRange(ParamSpec spec, double value, JsonNode raw) {
        return value < spec.min() || value > spec.max()
                ? Optional.of(raw.asText() + " is out of range")
                : Optional.empty();
    }

    private static JsonNode canonical(ParamSpec spec, JsonNode raw) {
        if (raw.isNull()) {
            return NullNode.getInstance();
        }
        return switch (spec.type()) {
            case INT -> integer(raw.bigIntegerValue());
            case FLOAT -> DoubleNode.valueOf(raw.doubleValue() == 0.0 ? 0.0 : raw.doubleValue());
            case BOOL -> BooleanNode.valueOf(raw.booleanValue());
            case STRING -> TextNode.valueOf(raw.asText());
        };
    }

    private static JsonNode integer(BigInteger value) {
        if (value.bitLength() < Integer.SIZE) {
            return IntNode.valueOf(value.intValue());
        }
        if (value.compareTo(LONG_MIN) >= 0 && value.compareTo(LONG_MAX) <= 0) {
            return LongNode.valueOf(value.longValue());
        }
        return BigIntegerNode.valueOf(value);
    }

    /** A scalar as a message names it: {@code the string "4"}, {@code the number 4.5}, {@code null}. */
    static String describe(JsonNode raw) {
        if (raw.isTextual()) {
            return "the string \"" + raw.asText() + "\"";
        }
        if (raw.isNull()) {
            return "null";
        }
        return (raw.isBoolean() ? "the boolean " : "the number ") + raw.asText();
    }
}
