package io.dfq.quant.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir
    Path dir;

    /** An IDX file of unsigned bytes: magic 0x0000 08 rank, big-endian dims, data. */
    static byte[] idx(int[] dims, byte[] data) throws IOException {
        return idx(0x0800 | dims.length, dims, data);
    }

    static byte[] idx(int magic, int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(magic);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(data);
        }
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(raw);
        }
        return bytes.toByteArray();
    }

    private static final byte[] PIXELS = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, (byte) 200, (byte) 255};

    @Test
    void readsAPlainImageFile() throws IOException {
        Path f = Files.write(dir.resolve("images-idx3-ubyte"), idx(new int[] {2, 2, 3}, PIXELS));
        IdxReader.IdxArray a = IdxReader.read(f);
        assertThat(a.dims()).containsExactly(2, 2, 3);
        assertThat(a.count()).isEqualTo(2);
        assertThat(a.itemSize()).isEqualTo(6); // 2 * 3
        assertThat(a.data()).containsExactly(PIXELS);
        assertThat(a.data()[11] & 0xff).isEqualTo(255); // unsigned byte preserved
    }

    @Test
    void recognisesGzipByItsMagicBytesNotTheFileName() throws IOException {
        // gzipped content under a name without .gz
        Path f = Files.write(dir.resolve("labels-idx1-ubyte"), gzip(idx(new int[] {3}, new byte[] {7, 0, 9})));
        IdxReader.IdxArray a = IdxReader.read(f);
        assertThat(a.dims()).containsExactly(3);
        assertThat(a.count()).isEqualTo(3);
        assertThat(a.itemSize()).isEqualTo(1); // no further dimensions
        assertThat(a.data()).containsExactly(7, 0, 9);
    }

    @Test
    void rejectsAFileWithAWrongMagicNumber() throws IOException {
        // type 0x0D (float) instead of 0x08 (unsigned byte)
        Path f = Files.write(dir.resolve("floats"), idx(0x0D01, new int[] {1}, new byte[4]));
        assertThatThrownBy(() -> IdxReader.read(f))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not an IDX file")
                .hasMessageContaining("d01");
        // non-zero leading bytes
        Path g = Files.write(dir.resolve("text"), "hello world, not idx".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> IdxReader.read(g)).isInstanceOf(IOException.class).hasMessageContaining("not an IDX");
    }

    @Test
    void truncatedDataIsAnError() throws IOException {
        // header says 2 x 2 x 3 = 12 bytes, only 5 follow
        Path f = Files.write(dir.resolve("short"), idx(new int[] {2, 2, 3}, new byte[5]));
        assertThatThrownBy(() -> IdxReader.read(f)).isInstanceOf(EOFException.class);
    }
}
