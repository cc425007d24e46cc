package io.dfq.orchestrator.recipe;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The top-level sections of a recipe after its includes are merged, each value still carrying the
 * position of the file that wrote it.
 *
 * <p>Merging is by section, because a generic deep merge of YAML trees gets two cases wrong:
 * {@code teacher: {model: x}} in one file and {@code teacher.model: y} in another are the same
 * key, and a file that switches {@code generator} to another method must not inherit the
 * parameters written for the first one. So each file's {@code defaults} stays a separate patch,
 * applied in include order (the including file last, so it wins); {@code grid} is merged axis by
 * axis (the including file's axis replaces one of the same key); {@code zip}, {@code exclude} and
 * {@code when}, being lists, are replaced whole; {@code name} and {@code data_dir} are taken from
 * the last file that sets them.
 *
 * @param name the recipe name
 * @param dataDir the data directory, resolved against the file that set it
 * @param root where the root file starts, for problems that belong to no key
 * @param defaults the defaults blocks, in the order they apply
 * @param grid the grid axes, in the order first written
 * @param zip the zip entries, if any file has them
 * @param exclude the exclude entries, if any file has them
 * @param when the when entries, if any file has them
 */
record RecipeSections(
        String name,
        Optional<Path> dataDir,
        SourcePosition root,
        List<RecipeNode.Mapping> defaults,
        List<RecipeNode.Field> grid,
        Optional<Listed> zip,
        Optional<Listed> exclude,
        Optional<Listed> when) {

    RecipeSections {
        defaults = List.copyOf(defaults);
        grid = List.copyOf(grid);
    }

    /** A list-valued section and where its key was written. */
    record Listed(SourcePosition keyPosition, List<RecipeNode> items) {

        Listed {
            items = List.copyOf(items);
        }
    }
}
