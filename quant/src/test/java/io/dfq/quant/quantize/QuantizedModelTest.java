package io.dfq.quant.quantize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.model.Net;
import io.dfq.quant.nn.Autograd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class QuantizedModelTest {

    @ParameterizedTest
    @CsvSource({"mse, 4, 4", "qdrop, 2, 4", "minmax, 8, 8"})
    void theLoadedModelComputesExactlyTheLogitsOfTheExportedOne(String method, int wbits, int abits,
            @TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            Net teacher = QuantFixture.net("resnet8", 4, m);
            ImageSet calib = QuantFixture.images(32, 5);
            QuantizationContext ctx = QuantFixture.context("resnet8", 4, teacher, calib,
                    QuantFixture.params(method, "iters", 8, "batch", 8), wbits, abits, m);
            Quantizer.REGISTRY.get(method).quantize(ctx);
            Path file = dir.resolve("model.dfqm");
            QuantizedModel.Loaded loaded = QuantFixture.assertReloadsExactly(ctx, file);
            assertThat(loaded.protocol()).isEqualTo("first-last-8bit");
            assertThat(loaded.wbits()).isEqualTo(wbits);
            assertThat(loaded.abits()).isEqualTo(abits);
            // codes fit the bit-width: one byte per weight
            assertThat(Files.size(file)).isLessThan(loaded.net().parameterCount() * 2 + 4096);
        }
    }

    @Test
    void aFileThatIsNotAQuantizedModelIsRejected(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("junk.dfqm");
        Files.writeString(file, "not a model");
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> QuantizedModel.load(file, m))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("not a quantized model");
        }
    }
}
