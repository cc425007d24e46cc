package io.dfq.results;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The columns derived from a resolved trial config, extracted once at registration.
 *
 * <p>Reading them out of the JSON at write time keeps every filter, sort and grouping plain SQL
 * over indexed columns; the config itself is stored verbatim for anyone who needs the rest.
 * The group key hashes the canonical form (keys sorted, no blanks) so that two configs that
 * differ only in key order, in the top-level {@code seed} or in the trial a nested result comes from
 * ({@code nested_of}) fall into one leaderboard group.
 */
record TrialConfig(
        String model,
        String generator,
        String quantizer,
        int wbits,
        int abits,
        String protocol,
        int seed,
        String groupKey) {

    /** The field of a nested result's config naming the trial it comes from. */
    static final String NESTED_OF = "nested_of";

    private static final ObjectMapper MAPPER =
            JsonMapper.builder().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    /** Extracts the derived columns; the message names the trial and the missing path. */
    static TrialConfig parse(String key, String configJson) {
        ObjectNode root = object("trial " + key, configJson);
        int seed = integer(key, root, "seed");
        root.remove(List.of("seed", NESTED_OF));
        return new TrialConfig(
                text(key, root, "teacher", "model"),
                text(key, root, "generator", "name"),
                text(key, root, "quantizer", "name"),
                integer(key, root, "wbits"),
                integer(key, root, "abits"),
                text(key, root, "protocol"),
                seed,
                sha256(canonical(root)));
    }

    /**
     * A stored config as its group has it: without its top-level {@code seed} and {@code
     * nested_of}; {@code owner} ("trial k", "group g") names it in errors.
     */
    static ObjectNode grouped(String owner, String configJson) {
        ObjectNode root = object(owner, configJson);
        root.remove(List.of("seed", NESTED_OF));
        return root;
    }

    /** A stored config as a tree; {@code owner} names it in errors. */
    static ObjectNode object(String owner, String configJson) {
        JsonNode node;
        try {
            node = MAPPER.readTree(configJson);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    owner + ": config is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (node instanceof ObjectNode object) {
            return object;
        }
        throw new IllegalArgumentException(owner + ": config is not a JSON object");
    }

    private static String text(String key, ObjectNode root, String... path) {
        JsonNode node = at(root, path);
        if (!node.isTextual()) {
            throw missing(key, "text", path);
        }
        return node.asText();
    }

    private static int integer(String key, ObjectNode root, String... path) {
        JsonNode node = at(root, path);
        if (!node.isInt()) {
            throw missing(key, "an integer", path);
        }
        return node.intValue();
    }

    private static JsonNode at(ObjectNode root, String... path) {
        JsonNode node = root;
        for (String part : path) {
            node = node.path(part);
        }
        return node;
    }

    private static IllegalArgumentException missing(String key, String what, String... path) {
        return new IllegalArgumentException(
                "trial " + key + ": config has no " + what + " at " + String.join(".", path));
    }

    /** {@code node} as JSON with keys sorted and no blanks: equal configs, equal text. */
    static String canonical(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(MAPPER.treeToValue(node, Object.class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot re-serialize a parsed config", e);
        }
    }

    private static String sha256(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }
}
