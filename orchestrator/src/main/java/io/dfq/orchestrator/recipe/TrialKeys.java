package io.dfq.orchestrator.recipe;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dfq.quant.pipeline.Keys;
import io.dfq.quant.spec.Method;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.TrialSchema;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The trial key: sha256 of the canonical JSON of a fully resolved trial plus the code version.
 *
 * <p>The key is how a re-run skips finished trials, so it must not move when nothing that
 * matters moved. The canonical JSON therefore fixes everything JSON leaves open: keys sorted at
 * every level, no whitespace, a {@code FLOAT} parameter always written as a double ({@code 4} and
 * {@code 4.0} are one trial), an {@code INT} always as an integer, and doubles printed by
 * Jackson's own shortest-representation writer rather than {@link Double#toString}, whose output
 * changed between JDK releases.
 */
public final class TrialKeys {

    /**
     * Part of every trial key: the pipeline's code version ({@link Keys#CODE_VERSION}), which also
     * keys the cached teachers and synthetic sets, so one bump moves every key.
     */
    public static final String CODE_VERSION = Keys.CODE_VERSION;

    private static final JsonFactory JSON =
            JsonFactory.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

    private TrialKeys() {}

    /** The key of a trial resolved against {@link TrialSchema#root()}. */
    public static String key(ObjectNode resolved, String codeVersion) {
        return key(resolved, codeVersion, TrialSchema.root());
    }

    /** The key of a trial resolved against {@code schema}: lowercase hex sha256. */
    public static String key(ObjectNode resolved, String codeVersion, TrialSchema.Group schema) {
        String text = canonicalJson(resolved, schema) + "\n" + codeVersion;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }

    /**
     * The canonical JSON of {@code resolved}. Numbers under a {@code FLOAT} or {@code INT} leaf
     * or method parameter of {@code schema} are written as that type; anything the schema does
     * not describe is written as it is, with sorted keys.
     */
    public static String canonicalJson(ObjectNode resolved, TrialSchema.Group schema) {
        StringWriter out = new StringWriter();
        try (JsonGenerator gen = JSON.createGenerator(out)) {
            write(gen, resolved, Optional.of(schema));
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a string failed", e);
        }
        return out.toString();
    }

    private static void write(JsonGenerator gen, JsonNode node, Optional<TrialSchema.Node> schema)
            throws IOException {
        if (node.isObject()) {
            Map<String, JsonNode> byKey = new TreeMap<>();
            node.properties().forEach(e -> byKey.put(e.getKey(), e.getValue()));
            gen.writeStartObject();
            for (Map.Entry<String, JsonNode> e : byKey.entrySet()) {
                gen.writeFieldName(e.getKey());
                write(gen, e.getValue(), child(schema, e.getKey(), node));
            }
            gen.writeEndObject();
        } else if (node.isArray()) {
            gen.writeStartArray();
            for (JsonNode item : node) {
                write(gen, item, Optional.empty());
            }
            gen.writeEndArray();
        } else if (node.isNumber()) {
            number(gen, node, schema.filter(TrialSchema.Leaf.class::isInstance)
                    .map(s -> ((TrialSchema.Leaf) s).spec().type()));
        } else if (node.isTextual()) {
            gen.writeString(node.asText());
        } else if (node.isBoolean()) {
            gen.writeBoolean(node.booleanValue());
        } else if (node.isNull()) {
            gen.writeNull();
        } else {
            throw new IllegalArgumentException("not a JSON value: " + node.getNodeType());
        }
    }

    /** The schema of {@code key} inside {@code node} described by {@code schema}, if any. */
    private static Optional<TrialSchema.Node> child(Optional<TrialSchema.Node> schema, String key, JsonNode node) {
        if (schema.isEmpty()) {
            return Optional.empty();
        }
        if (schema.get() instanceof TrialSchema.Group g) {
            return Optional.ofNullable(g.children().get(key));
        }
        if (schema.get() instanceof TrialSchema.Slot slot && node.hasNonNull("name")) {
            Optional<? extends Method> method = slot.registry().find(node.get("name").asText());
            return method.flatMap(m -> TrialState.param(m, key)).map(TrialSchema.Leaf::new);
        }
        return Optional.empty();
    }

    /**
     * A {@code FLOAT} as a double, an {@code INT} (or, outside the schema, an integral number) as
     * an integer; zero is never negative.
     */
    private static void number(JsonGenerator gen, JsonNode node, Optional<ParamSpec.Type> type) throws IOException {
        double d = node.doubleValue();
        boolean asInteger;
        if (type.equals(Optional.of(ParamSpec.Type.FLOAT))) {
            asInteger = false;
        } else if (type.equals(Optional.of(ParamSpec.Type.INT))) {
            asInteger = node.isIntegralNumber() || d == Math.rint(d) && Double.isFinite(d);
        } else {
            asInteger = node.isIntegralNumber();
        }
        if (asInteger) {
            gen.writeNumber(node.bigIntegerValue());
        } else {
            gen.writeNumber(d == 0.0 ? 0.0 : d);
        }
    }
}
