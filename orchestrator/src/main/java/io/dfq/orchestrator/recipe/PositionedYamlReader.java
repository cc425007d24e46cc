package io.dfq.orchestrator.recipe;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads one YAML document into a {@link RecipeNode} tree, recording the position of every key
 * and value.
 *
 * <p>It walks Jackson's streaming {@link YAMLParser} rather than its tree model because only the
 * parser exposes token locations. It also refuses what the tree model would silently accept:
 * duplicate keys (the later one would win unseen), YAML aliases (Jackson hands them over as the
 * anchor's name, a plain string) and a second document in the same file.
 */
final class PositionedYamlReader {

    private static final YAMLFactory YAML = YAMLFactory.builder().build();

    private final Path file;
    private final Problems problems;

    private PositionedYamlReader(Path file, Problems problems) {
        this.file = file;
        this.problems = problems;
    }

    /**
     * Parses {@code text}, read from {@code file}; empty when the text is not a single well-formed
     * YAML document (the reason is added to {@code problems}).
     */
    static Optional<RecipeNode> read(Path file, String text, Problems problems) {
        return new PositionedYamlReader(file, problems).read(text);
    }

    private Optional<RecipeNode> read(String text) {
        try (YAMLParser parser = YAML.createParser(text)) {
            if (parser.nextToken() == null) {
                problems.add(new SourcePosition(file, 1, 1), "the file is empty");
                return Optional.empty();
            }
            Optional<RecipeNode> root = node(parser);
            if (root.isPresent() && parser.nextToken() != null) {
                problems.add(position(parser.currentTokenLocation()),
                        "a recipe file holds a single YAML document; use include to combine files");
                return Optional.empty();
            }
            return root;
        } catch (JsonProcessingException e) {
            problems.add(position(e.getLocation()), "invalid YAML: " + summary(e.getOriginalMessage()));
            return Optional.empty();
        } catch (IOException e) {
            throw new IllegalStateException("reading from a string failed", e);
        }
    }

    /** The node starting at the parser's current token; empty after a problem. */
    private Optional<RecipeNode> node(YAMLParser parser) throws IOException {
        SourcePosition at = position(parser.currentTokenLocation());
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT) {
            return mapping(parser, at);
        }
        if (token == JsonToken.START_ARRAY) {
            return sequence(parser, at);
        }
        if (parser.isCurrentAlias()) {
            problems.add(at, "YAML aliases (*" + parser.getText() + ") are not supported",
                    "write the value out, or share it through include");
            return Optional.empty();
        }
        return Optional.of(new RecipeNode.Scalar(scalar(parser, token), at));
    }

    private Optional<RecipeNode> mapping(YAMLParser parser, SourcePosition at) throws IOException {
        List<RecipeNode.Field> fields = new ArrayList<>();
        Map<String, SourcePosition> seen = new HashMap<>();
        boolean ok = true;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            SourcePosition keyAt = position(parser.currentTokenLocation());
            parser.nextToken();
            Optional<RecipeNode> value = node(parser);
            SourcePosition first = seen.putIfAbsent(key, keyAt);
            if (first != null) {
                problems.add(keyAt, "duplicate key '" + key + "' (first at " + first + ")");
                ok = false;
            } else if (value.isPresent()) {
                fields.add(new RecipeNode.Field(key, keyAt, value.get()));
            } else {
                ok = false;
            }
        }
        return ok ? Optional.of(new RecipeNode.Mapping(fields, at)) : Optional.empty();
    }

    private Optional<RecipeNode> sequence(YAMLParser parser, SourcePosition at) throws IOException {
        List<RecipeNode> items = new ArrayList<>();
        boolean ok = true;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            Optional<RecipeNode> item = node(parser);
            item.ifPresent(items::add);
            ok &= item.isPresent();
        }
        return ok ? Optional.of(new RecipeNode.Sequence(items, at)) : Optional.empty();
    }

    private static JsonNode scalar(YAMLParser parser, JsonToken token) throws IOException {
        return switch (token) {
            case VALUE_NUMBER_INT -> switch (parser.getNumberType()) {
                case INT -> IntNode.valueOf(parser.getIntValue());
                case LONG -> LongNode.valueOf(parser.getLongValue());
                default -> BigIntegerNode.valueOf(parser.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> DoubleNode.valueOf(parser.getDoubleValue());
            case VALUE_TRUE -> BooleanNode.TRUE;
            case VALUE_FALSE -> BooleanNode.FALSE;
            case VALUE_NULL -> NullNode.getInstance();
            default -> TextNode.valueOf(parser.getText());
        };
    }

    private SourcePosition position(JsonLocation location) {
        return location == null
                ? new SourcePosition(file, 1, 1)
                : new SourcePosition(file, Math.max(1, location.getLineNr()), Math.max(1, location.getColumnNr()));
    }

    /** SnakeYAML's message without its source excerpt and caret lines, on one line. */
    private static String summary(String message) {
        return message.lines()
                .filter(line -> !line.isBlank() && !Character.isWhitespace(line.charAt(0)))
                .collect(Collectors.joining(", "));
    }
}
