package io.dfq.quant.pipeline;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dfq.quant.artifact.ArtifactStore;
import io.dfq.quant.data.Datasets;
import io.dfq.quant.data.ImageFiles;
import io.dfq.quant.eval.Evaluator;
import io.dfq.quant.model.Models;
import io.dfq.quant.model.Net;
import io.dfq.quant.pipeline.TrialConfig.TeacherConfig;
import io.dfq.quant.train.TeacherTrainer;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The teacher cache: a teacher is trained once per training configuration (its key) and stored with
 * its FP32 test predictions, which every trial on it reuses for accuracy and agreement.
 */
public final class Teachers {

    /** Artifact kind. */
    public static final String KIND = "teacher";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ArtifactStore store;

    public Teachers(ArtifactStore store) {
        this.store = store;
    }

    /** A loaded teacher: network (on the caller's manager), key, FP32 test predictions and accuracy. */
    public record Teacher(Net net, String key, Path dir, int[] testPredictions, double top1, boolean trained) {}

    /** The key of a teacher configuration. */
    public static String key(TeacherConfig cfg) {
        return Keys.of(cfg.toJson());
    }

    /** Loads the teacher for {@code cfg}, training it first if no valid copy is stored. */
    public Teacher obtain(TeacherConfig cfg, Datasets.Splits data, NDManager manager, ProgressListener progress)
            throws Exception {
        String key = key(cfg);
        ArtifactStore.Obtained got = store.obtain(KIND, key, dir -> train(cfg, data, dir, manager, progress));
        Net net = load(cfg, got.dir(), data, manager);
        ObjectNode meta = (ObjectNode) JSON.readTree(got.dir().resolve("meta.json").toFile());
        return new Teacher(net, key, got.dir(), ImageFiles.readInts(got.dir().resolve("test_predictions.bin")),
                meta.get("fp32_top1").asDouble(), got.computed());
    }

    /** A fresh copy of a stored teacher's network on {@code manager}. */
    public static Net load(TeacherConfig cfg, Path dir, Datasets.Splits data, NDManager manager) throws IOException {
        Net net = Models.build(cfg.model(), cfg.width(), data.train().channels(), 10, cfg.seed());
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(dir.resolve("net.params"))))) {
            net.load(manager, in);
        }
        return net;
    }

    private void train(TeacherConfig cfg, Datasets.Splits data, Path dir, NDManager parent,
            ProgressListener progress) throws IOException {
        try (NDManager manager = parent.newSubManager()) {
            Path checkpoint = store.root().resolve("checkpoints").resolve(KIND).resolve(key(cfg));
            TeacherTrainer.Trained t = TeacherTrainer.train(cfg, data.train(), manager, progress, checkpoint);
            int[] pred = Evaluator.predict(t.net(), data.test(), 100, manager);
            double top1 = Evaluator.top1(pred, data.test());
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(dir.resolve("net.params"))))) {
                t.net().save(out);
            }
            ImageFiles.writeInts(pred, dir.resolve("test_predictions.bin"));
            ObjectNode meta = JSON.createObjectNode();
            meta.set("config", cfg.toJson());
            meta.put("fp32_top1", top1);
            meta.put("train_seconds", t.seconds());
            meta.put("parameters", t.net().parameterCount());
            meta.set("epoch_loss", JSON.valueToTree(t.epochLoss()));
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("meta.json").toFile(), meta);
            progress.message(String.format("teacher %s trained: %.2f%% in %.0f s", cfg.model(), top1, t.seconds()));
            Files.deleteIfExists(checkpoint.resolve(TeacherTrainer.CHECKPOINT_FILE));
            Files.deleteIfExists(checkpoint);
        }
    }
}
