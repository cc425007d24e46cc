package io.dfq.quant.data;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Binary (de)serialisation of an {@link ImageSet}: a small header, floats, optional labels. */
public final class ImageFiles {

    private static final int MAGIC = 0x44465149; // "DFQI"

    private ImageFiles() {}

    public static void write(ImageSet set, Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
            out.writeInt(MAGIC);
            out.writeInt(set.count());
            out.writeInt(set.channels());
            out.writeInt(set.height());
            out.writeInt(set.width());
            out.writeBoolean(set.hasLabels());
            for (float v : set.data()) {
                out.writeFloat(v);
            }
            if (set.hasLabels()) {
                for (int l : set.labels()) {
                    out.writeInt(l);
                }
            }
        }
    }

    public static ImageSet read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (in.readInt() != MAGIC) {
                throw new IOException(file + ": not an image set file");
            }
            int n = in.readInt();
            int c = in.readInt();
            int h = in.readInt();
            int w = in.readInt();
            boolean labelled = in.readBoolean();
            float[] data = new float[n * c * h * w];
            for (int i = 0; i < data.length; i++) {
                data[i] = in.readFloat();
            }
            int[] labels = null;
            if (labelled) {
                labels = new int[n];
                for (int i = 0; i < n; i++) {
                    labels[i] = in.readInt();
                }
            }
            return new ImageSet(data, labels, n, c, h, w);
        }
    }

    /** Writes predictions (or any int vector). */
    public static void writeInts(int[] values, Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(values.length);
            for (int v : values) {
                out.writeInt(v);
            }
        }
    }

    public static int[] readInts(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            int[] v = new int[in.readInt()];
            for (int i = 0; i < v.length; i++) {
                v[i] = in.readInt();
            }
            return v;
        }
    }
}
