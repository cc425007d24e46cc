package io.dfq.orchestrator.recipe;

import io.dfq.quant.pipeline.TrialSpec;
import io.dfq.quant.spec.TrialSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Loads a recipe file: reads it and its includes, merges them, expands and validates the trials
 * and keys them.
 *
 * <p>The one entry point for every command that takes a recipe, so {@code expand} shows exactly
 * what {@code run} would queue. The schema is a constructor argument, not a global, so that tests
 * can validate against small schemas of their own; every problem in the recipe is collected and
 * thrown together as one {@link RecipeException}.
 */
public final class RecipeLoader {

    /** The keys a recipe file may have at its top level. */
    public static final List<String> TOP_LEVEL_KEYS =
            List.of("version", "name", "include", "data_dir", "defaults", "grid", "zip", "exclude", "when");

    /** The only recipe grammar version so far. */
    public static final int VERSION = 1;

    private final TrialSchema.Group schema;
    private final String codeVersion;

    /** A loader for the real trial schema and code version. */
    public RecipeLoader() {
        this(TrialSchema.root(), TrialKeys.CODE_VERSION);
    }

    /** A loader validating against {@code schema} and keying trials with {@code codeVersion}. */
    public RecipeLoader(TrialSchema.Group schema, String codeVersion) {
        this.schema = Objects.requireNonNull(schema, "schema");
        this.codeVersion = Objects.requireNonNull(codeVersion, "codeVersion");
    }

    /**
     * The recipe in {@code file}, its trials resolved and keyed.
     *
     * @throws RecipeException listing every problem, one {@code file:line:column: ...} line each
     */
    public Recipe load(Path file) {
        Problems problems = new Problems();
        List<RecipeFile> files = new ArrayList<>();
        read(file, new LinkedHashMap<>(), Optional.empty(), files, problems);
        problems.throwIfAny();
        RecipeSections sections = merge(files, problems);
        problems.throwIfAny();
        RecipeExpander.Expansion expansion = new RecipeExpander(schema, problems).expand(sections);
        List<TrialSpec> trials = expansion.trials().stream()
                .map(t -> new TrialSpec(TrialKeys.key(t.config(), codeVersion, schema), sections.name(), t.config()))
                .toList();
        return new Recipe(sections.name(), file, sections.dataDir(), trials, expansion.notes());
    }

    /** One file of the include tree, in the order it merges. */
    private record RecipeFile(Path path, RecipeNode.Mapping root) {}

    /**
     * Reads {@code file} and, first, its includes, appending them to {@code files} in merge order.
     * {@code chain} maps each file being read (absolute) to its shown path, to catch cycles.
     */
    private void read(
            Path file,
            Map<Path, Path> chain,
            Optional<SourcePosition> includedAt,
            List<RecipeFile> files,
            Problems problems) {
        Path absolute = file.toAbsolutePath().normalize();
        if (chain.containsKey(absolute)) {
            List<Path> cycle = new ArrayList<>(chain.values());
            cycle.add(chain.get(absolute));
            problems.add(includedAt.orElseThrow(), "include cycle: "
                    + cycle.stream().map(Path::toString).collect(Collectors.joining(" -> ")));
            return;
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            String detail = e.getMessage() == null || e.getMessage().equals(file.toString())
                    ? e.getClass().getSimpleName()
                    : e.getClass().getSimpleName() + " (" + e.getMessage() + ")";
            String what = "cannot read " + file + ": " + detail;
            includedAt.ifPresentOrElse(at -> problems.add(at, what), () -> problems.add(file, what));
            return;
        }
        Optional<RecipeNode> root = PositionedYamlReader.read(file, text, problems);
        if (root.isEmpty()) {
            return;
        }
        if (!(root.get() instanceof RecipeNode.Mapping mapping)) {
            problems.add(root.get().position(), "a recipe is a mapping of top-level keys, got "
                    + root.get().describe(), String.join(", ", TOP_LEVEL_KEYS));
            return;
        }
        chain.put(absolute, file);
        mapping.field("include").ifPresent(f -> includes(file, f, chain, files, problems));
        chain.remove(absolute);
        files.add(new RecipeFile(file, mapping));
    }

    private void includes(
            Path file, RecipeNode.Field include, Map<Path, Path> chain, List<RecipeFile> files, Problems problems) {
        if (!(include.value() instanceof RecipeNode.Sequence paths)) {
            problems.add(include.value().position(), "include expects a list of paths, got "
                    + include.value().describe(), "[path relative to " + file + ", ...]");
            return;
        }
        for (RecipeNode item : paths.items()) {
            if (item instanceof RecipeNode.Scalar s && s.value().isTextual() && !s.value().asText().isBlank()) {
                read(file.resolveSibling(s.value().asText()).normalize(), chain, Optional.of(s.position()), files,
                        problems);
            } else {
                problems.add(item.position(), "include expects a path, got " + item.describe(),
                        "a path relative to " + file);
            }
        }
    }

    /** The sections of {@code files}, each file overriding those before it. */
    private static RecipeSections merge(List<RecipeFile> files, Problems problems) {
        RecipeFile rootFile = files.get(files.size() - 1);
        Optional<String> name = Optional.empty();
        Optional<Path> dataDir = Optional.empty();
        boolean versioned = false;
        boolean named = false;
        List<RecipeNode.Mapping> defaults = new ArrayList<>();
        Map<String, RecipeNode.Field> grid = new LinkedHashMap<>();
        Optional<RecipeSections.Listed> zip = Optional.empty();
        Optional<RecipeSections.Listed> exclude = Optional.empty();
        Optional<RecipeSections.Listed> when = Optional.empty();
        for (RecipeFile file : files) {
            for (RecipeNode.Field f : file.root().fields()) {
                switch (f.key()) {
                    case "version" -> {
                        versioned = true;
                        checkVersion(f, problems);
                    }
                    case "name" -> {
                        named = true;
                        name = latest(text(f, problems), name);
                    }
                    case "data_dir" -> dataDir = latest(
                            text(f, problems).map(d -> file.path().resolveSibling(d).normalize()), dataDir);
                    case "defaults" -> mapping(f, problems).ifPresent(defaults::add);
                    case "grid" -> mapping(f, problems).ifPresent(m -> m.fields().forEach(a -> grid.put(a.key(), a)));
                    case "zip" -> zip = latest(listed(f, problems), zip);
                    case "exclude" -> exclude = latest(listed(f, problems), exclude);
                    case "when" -> when = latest(listed(f, problems), when);
                    case "include" -> {
                        // read before the merge: the included files come earlier in the list
                    }
                    default -> problems.add(f.keyPosition(), "unknown top-level key '" + f.key() + "'",
                            String.join(", ", TOP_LEVEL_KEYS));
                }
            }
        }
        SourcePosition root = rootFile.root().position();
        if (!versioned) {
            problems.add(root, "missing key 'version'", String.valueOf(VERSION));
        }
        if (!named) {
            problems.add(root, "missing key 'name'", "a non-empty string naming the recipe");
        }
        return new RecipeSections(name.orElse(""), dataDir, root, defaults, new ArrayList<>(grid.values()), zip,
                exclude, when);
    }

    /** {@code newer} if the later file set the value, else what the earlier files set. */
    private static <T> Optional<T> latest(Optional<T> newer, Optional<T> older) {
        return newer.isPresent() ? newer : older;
    }

    private static void checkVersion(RecipeNode.Field f, Problems problems) {
        if (!(f.value() instanceof RecipeNode.Scalar s && s.value().isIntegralNumber()
                && s.value().canConvertToInt() && s.value().asInt() == VERSION)) {
            problems.add(f.value().position(), "unsupported recipe version: " + f.value().describe(),
                    String.valueOf(VERSION));
        }
    }

    private static Optional<String> text(RecipeNode.Field f, Problems problems) {
        if (f.value() instanceof RecipeNode.Scalar s && s.value().isTextual() && !s.value().asText().isBlank()) {
            return Optional.of(s.value().asText());
        }
        problems.add(f.value().position(), "'" + f.key() + "' expects a non-empty string, got " + f.value().describe());
        return Optional.empty();
    }

    private static Optional<RecipeNode.Mapping> mapping(RecipeNode.Field f, Problems problems) {
        if (f.value() instanceof RecipeNode.Mapping m) {
            return Optional.of(m);
        }
        problems.add(f.value().position(), "'" + f.key() + "' expects a mapping, got " + f.value().describe());
        return Optional.empty();
    }

    private static Optional<RecipeSections.Listed> listed(RecipeNode.Field f, Problems problems) {
        if (f.value() instanceof RecipeNode.Sequence s) {
            return Optional.of(new RecipeSections.Listed(f.keyPosition(), s.items()));
        }
        problems.add(f.value().position(), "'" + f.key() + "' expects a list, got " + f.value().describe());
        return Optional.empty();
    }
}
