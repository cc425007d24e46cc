package io.dfq.orchestrator.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * A YAML node together with the position it was written at.
 *
 * <p>Jackson's tree model drops token locations, and a side map from JSON pointer to location
 * breaks as soon as trees from several files are combined; a tree that carries its positions in
 * every node keeps each value tied to the file it came from through include merging.
 */
sealed interface RecipeNode permits RecipeNode.Scalar, RecipeNode.Mapping, RecipeNode.Sequence {

    /** Where the node starts. */
    SourcePosition position();

    /** What kind of node this is, for messages: {@code a mapping}, {@code the string "4"}... */
    String describe();

    /** A plain value: string, number, boolean or null. */
    record Scalar(JsonNode value, SourcePosition position) implements RecipeNode {

        @Override
        public String describe() {
            return Values.describe(value);
        }
    }

    /** One {@code key: value} of a mapping; the key keeps its own position. */
    record Field(String key, SourcePosition keyPosition, RecipeNode value) {}

    /** A mapping, in the order written; keys are unique. */
    record Mapping(List<Field> fields, SourcePosition position) implements RecipeNode {

        public Mapping {
            fields = List.copyOf(fields);
        }

        /** The field called {@code key}, if present. */
        Optional<Field> field(String key) {
            return fields.stream().filter(f -> f.key().equals(key)).findFirst();
        }

        @Override
        public String describe() {
            return "a mapping";
        }
    }

    /** A list. */
    record Sequence(List<RecipeNode> items, SourcePosition position) implements RecipeNode {

        public Sequence {
            items = List.copyOf(items);
        }

        @Override
        public String describe() {
            return "a list";
        }
    }
}
