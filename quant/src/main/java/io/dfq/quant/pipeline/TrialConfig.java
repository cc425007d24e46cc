package io.dfq.quant.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dfq.quant.qcore.Protocol;
import io.dfq.quant.spec.ParamSpec;
import io.dfq.quant.spec.TrialSchema;

/**
 * A typed view of a resolved trial (the JSON tree of {@link TrialSchema}); absent keys take the
 * schema's defaults, so hand-written configs in tests and tools need only what they change.
 */
public record TrialConfig(
        String dataset,
        TeacherConfig teacher,
        JsonNode generator,
        JsonNode quantizer,
        int calibSamples,
        int calibBatch,
        int wbits,
        int abits,
        Protocol protocol,
        long seed,
        Integer evalLimit,
        int evalBatch) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads a resolved trial. */
    public static TrialConfig from(JsonNode c) {
        return new TrialConfig(
                text(c, "dataset"),
                TeacherConfig.from(c),
                slot(c, "generator", "gaussian"),
                slot(c, "quantizer", "minmax"),
                integer(c, "calib.samples"),
                integer(c, "calib.batch"),
                integer(c, "wbits"),
                integer(c, "abits"),
                Protocol.of(text(c, "protocol")),
                integer(c, "seed"),
                optionalInteger(c, "eval.limit"),
                integer(c, "eval.batch"));
    }

    /** The method name of a slot node. */
    public static String methodName(JsonNode slot) {
        return slot.isTextual() ? slot.asText() : slot.path("name").asText();
    }

    private static JsonNode slot(JsonNode c, String key, String def) {
        JsonNode n = c.get(key);
        if (n == null || n.isNull()) {
            return JSON.createObjectNode().put("name", def);
        }
        return n.isTextual() ? JSON.createObjectNode().put("name", n.asText()) : n;
    }

    static JsonNode at(JsonNode c, String dotted) {
        JsonNode n = c;
        for (String p : dotted.split("\\.")) {
            n = n == null ? null : n.get(p);
        }
        return n;
    }

    static int integer(JsonNode c, String dotted) {
        JsonNode n = at(c, dotted);
        return n != null && !n.isNull() ? n.asInt() : ((Number) def(dotted)).intValue();
    }

    static Integer optionalInteger(JsonNode c, String dotted) {
        JsonNode n = at(c, dotted);
        if (n != null && !n.isNull()) {
            return n.asInt();
        }
        Object d = def(dotted);
        return d == null ? null : ((Number) d).intValue();
    }

    static double real(JsonNode c, String dotted) {
        JsonNode n = at(c, dotted);
        return n != null && !n.isNull() ? n.asDouble() : ((Number) def(dotted)).doubleValue();
    }

    static boolean bool(JsonNode c, String dotted) {
        JsonNode n = at(c, dotted);
        return n != null && !n.isNull() ? n.asBoolean() : (Boolean) def(dotted);
    }

    static String text(JsonNode c, String dotted) {
        JsonNode n = at(c, dotted);
        return n != null && !n.isNull() ? n.asText() : (String) def(dotted);
    }

    private static Object def(String dotted) {
        ParamSpec spec = TrialSchema.leaf(dotted);
        return spec.defaultValue();
    }

    /** The FP32 teacher's training configuration: the key of the cached teacher. */
    public record TeacherConfig(
            String dataset,
            String model,
            double width,
            int epochs,
            int batch,
            double lr,
            double momentum,
            double weightDecay,
            boolean augment,
            Integer trainLimit,
            long seed) {

        static TeacherConfig from(JsonNode root) {
            return new TeacherConfig(
                    text(root, "dataset"),
                    text(root, "teacher.model"),
                    real(root, "teacher.width"),
                    integer(root, "teacher.epochs"),
                    integer(root, "teacher.batch"),
                    real(root, "teacher.lr"),
                    real(root, "teacher.momentum"),
                    real(root, "teacher.weight_decay"),
                    bool(root, "teacher.augment"),
                    optionalInteger(root, "teacher.train_limit"),
                    integer(root, "teacher.seed"));
        }

        /** Canonical JSON (sorted keys) identifying this teacher. */
        public ObjectNode toJson() {
            ObjectNode n = JSON.createObjectNode();
            n.put("augment", augment);
            n.put("batch", batch);
            n.put("dataset", dataset);
            n.put("epochs", epochs);
            n.put("lr", lr);
            n.put("model", model);
            n.put("momentum", momentum);
            if (trainLimit == null) {
                n.putNull("train_limit");
            } else {
                n.put("train_limit", trainLimit);
            }
            n.put("seed", seed);
            n.put("weight_decay", weightDecay);
            n.put("width", width);
            return n;
        }
    }
}
