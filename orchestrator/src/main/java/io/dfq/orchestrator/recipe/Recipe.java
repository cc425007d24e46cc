package io.dfq.orchestrator.recipe;

import io.dfq.quant.pipeline.TrialSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A loaded recipe: its trials, validated, fully resolved and keyed, ready to be queued.
 *
 * <p>The data directory rides along rather than inside the trials because where the dataset
 * lives on one machine is no part of what a trial computes, and must not change its key.
 *
 * @param name the recipe's {@code name}
 * @param source the file it was loaded from
 * @param dataDir the {@code data_dir}, resolved against the file that set it
 * @param trials one per distinct resolved configuration, in expansion order
 * @param notes what the user may want to know but is not an error (duplicate trials collapsed)
 */
public record Recipe(String name, Path source, Optional<Path> dataDir, List<TrialSpec> trials, List<String> notes) {

    public Recipe {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(dataDir, "dataDir");
        trials = List.copyOf(trials);
        notes = List.copyOf(notes);
    }
}
