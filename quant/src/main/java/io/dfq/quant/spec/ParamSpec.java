package io.dfq.quant.spec;

import java.util.List;
import java.util.Objects;

/**
 * One recipe-settable parameter: its name, type, default and valid range or choices.
 *
 * <p>Methods declare their parameters as data (rather than reading untyped maps) so that a recipe
 * is validated once, up front, with the offending key and the valid values in the message, and so
 * that every default is filled in before the trial key is computed.
 */
public record ParamSpec(
        String name,
        Type type,
        Object defaultValue,
        double min,
        double max,
        List<String> choices,
        boolean nullable,
        String doc) {

    /** The value types a parameter may have. */
    public enum Type {
        INT,
        FLOAT,
        BOOL,
        STRING
    }

    public ParamSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        choices = choices == null ? List.of() : List.copyOf(choices);
        doc = doc == null ? "" : doc;
    }

    /** An integer parameter within [min, max]. */
    public static ParamSpec integer(String name, int def, int min, int max, String doc) {
        return new ParamSpec(name, Type.INT, def, min, max, List.of(), false, doc);
    }

    /** An optional integer parameter (null = not set) within [min, max]. */
    public static ParamSpec optionalInteger(String name, int min, int max, String doc) {
        return new ParamSpec(name, Type.INT, null, min, max, List.of(), true, doc);
    }

    /** A floating-point parameter within [min, max]. */
    public static ParamSpec real(String name, double def, double min, double max, String doc) {
        return new ParamSpec(name, Type.FLOAT, def, min, max, List.of(), false, doc);
    }

    /** A boolean switch. */
    public static ParamSpec bool(String name, boolean def, String doc) {
        return new ParamSpec(name, Type.BOOL, def, 0, 1, List.of(), false, doc);
    }

    /** A string restricted to the given choices. */
    public static ParamSpec choice(String name, String def, List<String> choices, String doc) {
        return new ParamSpec(name, Type.STRING, def, 0, 0, choices, false, doc);
    }

    /** A free string (null allowed). */
    public static ParamSpec text(String name, String def, String doc) {
        return new ParamSpec(name, Type.STRING, def, 0, 0, List.of(), true, doc);
    }

    /** A description of the valid values, for error messages. */
    public String validValues() {
        return switch (type) {
            case INT -> "an integer in [" + (long) min + ", " + (long) max + "]";
            case FLOAT -> "a number in [" + min + ", " + max + "]";
            case BOOL -> "true or false";
            case STRING -> choices.isEmpty() ? "a string" : "one of " + String.join(", ", choices);
        };
    }
}
