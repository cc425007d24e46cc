package io.dfq.quant.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.dfq.quant.model.Net;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A teacher training's state after an epoch: the network's parameters (running statistics
 * included), the optimizer's momentum buffers, the random generator, the step and the epochs'
 * losses. Written to a temporary file and moved into place, so a crash leaves the previous epoch's
 * checkpoint intact; read back through a deserialization filter that admits only its own types.
 */
record Checkpoint(byte[] parameters, List<float[]> momentum, Random rnd, long step, List<Double> epochLoss,
        double seconds) {

    static final String FILE = "checkpoint.bin";
    private static final int VERSION = 1;
    private static final ObjectInputFilter TYPES =
            ObjectInputFilter.Config.createFilter("java.util.Random;[F;[B;maxdepth=4;!*");

    /** Writes the state after {@code epochLoss.size()} epochs into {@code dir}. */
    static void write(Path dir, Net net, NesterovSgd sgd, Random rnd, long step, List<Double> epochLoss,
            double seconds) throws IOException {
        Files.createDirectories(dir);
        ByteArrayOutputStream params = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(params)) {
            net.save(out);
        }
        Path tmp = dir.resolve(FILE + ".tmp");
        try (ObjectOutputStream out = new ObjectOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
            out.writeInt(VERSION);
            out.writeObject(params.toByteArray());
            List<float[]> momentum = sgd.state();
            out.writeInt(momentum.size());
            for (float[] m : momentum) {
                out.writeObject(m);
            }
            out.writeObject(rnd);
            out.writeLong(step);
            out.writeInt(epochLoss.size());
            for (double l : epochLoss) {
                out.writeDouble(l);
            }
            out.writeDouble(seconds);
        }
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The checkpoint in {@code dir}, or null when there is none. */
    static Checkpoint read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (ObjectInputStream in = new ObjectInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            in.setObjectInputFilter(TYPES);
            if (in.readInt() != VERSION) {
                throw new IOException(file + ": unknown checkpoint version");
            }
            byte[] params = (byte[]) in.readObject();
            List<float[]> momentum = new ArrayList<>();
            int buffers = in.readInt();
            for (int i = 0; i < buffers; i++) {
                momentum.add((float[]) in.readObject());
            }
            Random rnd = (Random) in.readObject();
            long step = in.readLong();
            List<Double> losses = new ArrayList<>();
            int epochs = in.readInt();
            for (int i = 0; i < epochs; i++) {
                losses.add(in.readDouble());
            }
            return new Checkpoint(params, momentum, rnd, step, losses, in.readDouble());
        } catch (ClassNotFoundException | ClassCastException | IOException e) {
            throw new IOException(file + " is not a readable teacher checkpoint (" + e + "); delete it to start the"
                    + " training over", e);
        }
    }

    /**
     * Loads the checkpointed parameters into {@code net}, before its arrays are handed to an optimizer:
     * loading replaces the arrays, and the trainable ones record gradients again.
     */
    void loadInto(Net net, NDManager manager) throws IOException {
        net.load(manager, new DataInputStream(new ByteArrayInputStream(parameters)));
        for (Pair<String, Parameter> p : net.getParameters()) {
            if (p.getValue().requiresGradient()) {
                p.getValue().getArray().setRequiresGradient(true);
            }
        }
    }
}
