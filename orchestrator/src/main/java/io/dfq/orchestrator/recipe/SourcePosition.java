package io.dfq.orchestrator.recipe;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a key or value was written: file, line and column (both from 1).
 *
 * <p>Every node of a parsed recipe carries one, and it travels with the node through include
 * merging and expansion, so an error found late (say, a parameter the method chosen by a grid
 * does not have) still points at the line of the file that wrote it.
 */
public record SourcePosition(Path file, int line, int column) {

    public SourcePosition {
        Objects.requireNonNull(file, "file");
    }

    /** {@code file:line:column}, the prefix of every recipe error. */
    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
