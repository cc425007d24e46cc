package io.dfq.orchestrator.recipe;

import java.util.List;

/**
 * A recipe that cannot be run, with every problem found in it.
 *
 * <p>Validation goes on after the first problem so that one run of {@code expand} shows the user
 * all of them; each problem is one line {@code file:line:column: what is wrong; valid: ...}, and
 * the message is those lines.
 */
public final class RecipeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String[] problems;

    /** An exception reporting the given problems, one line each, in the order found. */
    public RecipeException(List<String> problems) {
        super(String.join("\n", problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a recipe exception needs at least one problem");
        }
        this.problems = problems.toArray(String[]::new);
    }

    /** The problems, one line each. */
    public List<String> problems() {
        return List.of(problems);
    }
}
