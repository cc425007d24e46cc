package io.dfq.actors;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Turns a throwable into the one-line reason stored with a failed trial. The root cause names
 * what actually went wrong (wrappers such as {@code CompletionException} only say where), so the
 * line is the root's class simple name and message; the stack trace stays in the logs.
 */
final class Failures {

    private Failures() {}

    /** {@code "RootCauseSimpleName: message"}, or the bare name when the root has no message. */
    static String describe(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Throwable root = failure;
        while (root.getCause() != null && seen.add(root)) {
            root = root.getCause();
        }
        String name = root.getClass().getSimpleName();
        if (name.isEmpty()) {
            name = root.getClass().getName();
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? name : name + ": " + message;
    }
}
