package io.dfq.orchestrator.recipe;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * The problems found so far in one recipe.
 *
 * <p>A set, because expansion meets the same bad value once per trial that uses it and the user
 * wants to read it once; insertion order, because that follows the files top to bottom.
 */
final class Problems {

    private final Set<String> lines = new LinkedHashSet<>();

    /** Records {@code at: what; valid: valid}. */
    void add(SourcePosition at, String what, String valid) {
        lines.add(at + ": " + what + "; valid: " + valid);
    }

    /** Records {@code at: what}, for problems without a list of valid values. */
    void add(SourcePosition at, String what) {
        lines.add(at + ": " + what);
    }

    /** Records {@code file: what}, for a file that could not be read at all. */
    void add(Path file, String what) {
        lines.add(file + ": " + what);
    }

    /** Records every problem of {@code other}. */
    void addAll(Problems other) {
        lines.addAll(other.lines);
    }

    /** Names for the {@code valid:} part of a message: sorted, comma-separated, or {@code (none)}. */
    static String names(Collection<String> names) {
        return names.isEmpty() ? "(none)" : String.join(", ", new TreeSet<>(names));
    }

    boolean isEmpty() {
        return lines.isEmpty();
    }

    /** Throws every problem recorded so far, if any. */
    void throwIfAny() {
        if (!lines.isEmpty()) {
            throw new RecipeException(new ArrayList<>(lines));
        }
    }
}
