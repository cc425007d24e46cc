package io.dfq.quant.quantize;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dfq.quant.model.Models;
import io.dfq.quant.model.Net;
import io.dfq.quant.model.QLayer;
import io.dfq.quant.qcore.ActBorder;
import io.dfq.quant.qcore.ActCodebook;
import io.dfq.quant.qcore.ActQuantizer;
import io.dfq.quant.qcore.QParams;
import io.dfq.quant.qcore.WeightQuantizer;
import io.dfq.quant.quantize.qat.BinaryActivations;
import io.dfq.quant.quantize.qat.LqActivations;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A quantized network as integers: per layer its integer weights with per-channel scale, zero point
 * and code range, its (folded) bias, its input quantizer's parameters and, where it has one, that
 * quantizer's rounding border (AQuant's per-channel kappa and beta); plus the architecture, input
 * shape, protocol and bit-widths. {@link #load} rebuilds the fake-quantized network, which computes
 * exactly the logits of the network that was written.
 *
 * <p>Format (big-endian, {@code DataOutputStream}): magic {@code DFQM}, version, then the header and
 * one record per layer; codes are stored as {@code code - qmin}, in one byte where every channel has at
 * most 256 codes, else in two. Version 3 adds per-channel level tables (non-uniform weights) and
 * non-uniform input quantizers ({@link ActCodebook}: a kind and its state); version 2 files still load.
 */
public final class QuantizedModel {

    private static final int MAGIC = 0x4446514D;
    private static final int VERSION = 3;

    /** How each kind of {@link ActCodebook} is rebuilt from its state; a new kind adds a line. */
    private static final Map<String, Function<float[], ActCodebook>> CODEBOOKS =
            Map.of(LqActivations.KIND, LqActivations::restore, BinaryActivations.KIND, BinaryActivations::restore);

    /** What {@link #load} returns: the network and the header it was written with. */
    public record Loaded(Net net, String protocol, int wbits, int abits) {}

    private QuantizedModel() {}

    /**
     * Writes {@code net} (folded, every layer's weights quantized with integer codes).
     *
     * @param width the width multiplier the network was built with
     * @param imageShape its input shape (C, H, W)
     */
    public static void write(Net net, double width, Shape imageShape, String protocol, int wbits, int abits,
            Path file) throws IOException {
        List<QLayer> layers = net.layers();
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeUTF(net.arch());
            out.writeDouble(width);
            for (int i = 0; i < 3; i++) {
                out.writeInt((int) imageShape.get(i));
            }
            out.writeInt(net.classes());
            out.writeUTF(protocol);
            out.writeInt(wbits);
            out.writeInt(abits);
            out.writeInt(layers.size());
            for (QLayer l : layers) {
                writeLayer(out, l);
            }
        }
    }

    private static void writeLayer(DataOutputStream out, QLayer l) throws IOException {
        WeightQuantizer.Quantized q = l.quantized();
        if (q == null || !l.isFolded()) {
            throw new IllegalStateException("layer " + l.name() + " has no integer weights to export");
        }
        out.writeUTF(l.name());
        out.writeInt(l.weightBits());
        out.writeInt(q.channels().length);
        for (QParams c : q.channels()) {
            writeParams(out, c);
        }
        out.writeBoolean(q.levels() != null);
        if (q.levels() != null) {
            for (float[] table : q.levels()) {
                writeFloats(out, table);
            }
        }
        out.writeInt(q.codes().length);
        int per = q.codes().length / q.channels().length;
        boolean wide = wide(q.channels());
        for (int i = 0; i < q.codes().length; i++) {
            int offset = q.codes()[i] - q.channels()[i / per].qmin();
            if (wide) {
                out.writeShort(offset);
            } else {
                out.writeByte(offset);
            }
        }
        float[] bias = l.bias().toFloatArray();
        out.writeInt(bias.length);
        for (float b : bias) {
            out.writeFloat(b);
        }
        ActQuantizer act = l.inputQuantizer();
        out.writeBoolean(act != null);
        if (act != null) {
            out.writeInt(act.bits());
            ActCodebook codebook = act.codebook();
            out.writeBoolean(codebook != null);
            if (codebook != null) {
                out.writeUTF(codebook.kind());
                out.writeInt(codebook.state().length);
                writeFloats(out, codebook.state());
                return;
            }
            writeParams(out, act.params());
            ActBorder border = act.border();
            out.writeBoolean(border != null);
            if (border != null) {
                out.writeInt(border.channels());
                writeFloats(out, border.kappa());
                writeFloats(out, border.beta());
            }
        }
    }

    /** Reads a file written by {@link #write} into a new network on {@code manager}. */
    public static Loaded load(Path file, NDManager manager) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC) {
                throw new IOException(file + " is not a quantized model (bad magic)");
            }
            int version = in.readInt();
            if (version != VERSION && version != 2) {
                throw new IOException(file + ": unsupported quantized model version " + version);
            }
            String arch = in.readUTF();
            double width = in.readDouble();
            Shape image = new Shape(in.readInt(), in.readInt(), in.readInt());
            int classes = in.readInt();
            String protocol = in.readUTF();
            int wbits = in.readInt();
            int abits = in.readInt();
            Net net = Models.build(arch, width, (int) image.get(0), classes, 0);
            net.init(manager, image);
            List<QLayer> layers = net.layers();
            int count = in.readInt();
            if (count != layers.size()) {
                throw new IOException(file + ": " + count + " layers, " + arch + " has " + layers.size());
            }
            for (QLayer l : layers) {
                readLayer(in, version, l, manager, file);
            }
            return new Loaded(net, protocol, wbits, abits);
        }
    }

    private static void readLayer(DataInputStream in, int version, QLayer l, NDManager manager, Path file)
            throws IOException {
        String name = in.readUTF();
        if (!name.equals(l.name())) {
            throw new IOException(file + ": layer " + name + " where " + l.name() + " was expected");
        }
        int bits = in.readInt();
        QParams[] channels = new QParams[in.readInt()];
        for (int c = 0; c < channels.length; c++) {
            channels[c] = readParams(in);
        }
        float[][] levels = null;
        if (version >= 3 && in.readBoolean()) {
            levels = new float[channels.length][];
            for (int c = 0; c < channels.length; c++) {
                levels[c] = readFloats(in, channels[c].qmax() - channels[c].qmin() + 1);
            }
        }
        int[] codes = new int[in.readInt()];
        if (codes.length != l.weightCount() || channels.length != l.outChannels()) {
            throw new IOException(file + ": layer " + name + " has a different shape");
        }
        int per = codes.length / channels.length;
        boolean wide = version >= 3 ? wide(channels) : bits > 8;
        for (int i = 0; i < codes.length; i++) {
            int offset = wide ? in.readUnsignedShort() : in.readUnsignedByte();
            codes[i] = offset + channels[i / per].qmin();
        }
        float[] bias = new float[in.readInt()];
        for (int i = 0; i < bias.length; i++) {
            bias[i] = in.readFloat();
        }
        l.restoreFolded(bias);
        l.setQuantized(new WeightQuantizer.Quantized(codes, channels, levels), bits, manager);
        if (in.readBoolean()) {
            int actBits = in.readInt();
            if (version >= 3 && in.readBoolean()) {
                l.setInputQuantizer(ActQuantizer.of(readCodebook(in, file, name)));
                return;
            }
            ActQuantizer act = new ActQuantizer(actBits, false);
            act.setParams(readParams(in));
            act.setMode(ActQuantizer.Mode.QUANTIZE);
            if (in.readBoolean()) {
                int borderChannels = in.readInt();
                if (borderChannels != l.inChannels()) {
                    throw new IOException(file + ": layer " + name + " has a border of " + borderChannels
                            + " channels");
                }
                act.setBorder(new ActBorder(readFloats(in, borderChannels), readFloats(in, borderChannels)));
            }
            l.setInputQuantizer(act);
        } else {
            l.setInputQuantizer(null);
        }
    }

    private static ActCodebook readCodebook(DataInputStream in, Path file, String layer) throws IOException {
        String kind = in.readUTF();
        float[] state = readFloats(in, in.readInt());
        Function<float[], ActCodebook> restore = CODEBOOKS.get(kind);
        if (restore == null) {
            throw new IOException(file + ": layer " + layer + " has an input quantizer of unknown kind '" + kind
                    + "'; known: " + new TreeSet<>(CODEBOOKS.keySet()));
        }
        return restore.apply(state);
    }

    /** Whether codes need two bytes: some channel has more than 256 of them. */
    private static boolean wide(QParams[] channels) {
        for (QParams c : channels) {
            if (c.qmax() - c.qmin() > 255) {
                return true;
            }
        }
        return false;
    }

    private static void writeParams(DataOutputStream out, QParams q) throws IOException {
        out.writeFloat(q.scale());
        out.writeInt(q.zeroPoint());
        out.writeInt(q.qmin());
        out.writeInt(q.qmax());
    }

    private static QParams readParams(DataInputStream in) throws IOException {
        return new QParams(in.readFloat(), in.readInt(), in.readInt(), in.readInt());
    }

    private static void writeFloats(DataOutputStream out, float[] values) throws IOException {
        for (float v : values) {
            out.writeFloat(v);
        }
    }

    private static float[] readFloats(DataInputStream in, int count) throws IOException {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = in.readFloat();
        }
        return values;
    }
}
