package io.dfq.quant.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Content keys: sha256 of canonical JSON (keys sorted) plus the code version, so that a change of
 * code that changes results also changes every key (design.md section 1).
 */
public final class Keys {

    /** Bump when a change of code changes results; every cached artifact and trial key changes. */
    public static final String CODE_VERSION = "dfq-1";

    private static final ObjectMapper CANONICAL =
            new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private Keys() {}

    /** Canonical JSON text: keys sorted at every level, no whitespace. */
    public static String canonical(JsonNode node) {
        try {
            Object plain = CANONICAL.treeToValue(node, Object.class);
            return CANONICAL.writeValueAsString(plain);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialize " + node, e);
        }
    }

    /** Lowercase hex sha256 of {@code text}. */
    public static String sha256(String text) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key of a JSON description under the current code version. */
    public static String of(JsonNode node) {
        return sha256(canonical(node) + "\n" + CODE_VERSION);
    }
}
