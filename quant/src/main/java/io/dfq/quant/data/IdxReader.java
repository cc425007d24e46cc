package io.dfq.quant.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files (the MNIST format: big-endian magic, dimension sizes, unsigned bytes), gzipped
 * or not; gzip is recognised by its magic bytes rather than the file name.
 */
public final class IdxReader {

    private static final int UBYTE = 0x08;

    private IdxReader() {}

    /** A decoded IDX tensor of unsigned bytes. */
    public record IdxArray(int[] dims, byte[] data) {

        /** Number of items along the first dimension. */
        public int count() {
            return dims[0];
        }

        /** Elements per item (product of the other dimensions). */
        public int itemSize() {
            int size = 1;
            for (int i = 1; i < dims.length; i++) {
                size *= dims[i];
            }
            return size;
        }
    }

    /** Reads one IDX file of unsigned bytes. */
    public static IdxArray read(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
            return read(new DataInputStream(in), file);
        }
    }

    private static IdxArray read(DataInputStream in, Path file) throws IOException {
        int magic = in.readInt();
        int type = (magic >> 8) & 0xff;
        int rank = magic & 0xff;
        if ((magic >>> 16) != 0 || type != UBYTE || rank < 1 || rank > 4) {
            throw new IOException(file + ": not an IDX file of unsigned bytes (magic 0x"
                    + Integer.toHexString(magic) + ")");
        }
        int[] dims = new int[rank];
        long total = 1;
        for (int i = 0; i < rank; i++) {
            dims[i] = in.readInt();
            if (dims[i] < 0) {
                throw new IOException(file + ": negative dimension " + dims[i]);
            }
            total *= dims[i];
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IOException(file + ": too large (" + total + " elements)");
        }
        byte[] data = new byte[(int) total];
        in.readFully(data);
        return new IdxArray(dims, data);
    }
}
