package io.dfq.quant.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.dfq.quant.artifact.ArtifactStore;
import io.dfq.quant.data.Datasets;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.eval.Evaluator;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.quantize.QuantizedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static ObjectNode tinyTrial(String generator, String quantizer, int wbits, int abits) throws Exception {
        return (ObjectNode) JSON.readTree("""
                {"teacher": {"model": "resnet8", "width": 0.25, "epochs": 2, "batch": 64, "train_limit": 2000},
                 "generator": {"name": "%s", "iters": 5, "batch": 32},
                 "quantizer": "%s",
                 "calib": {"samples": 64, "batch": 32},
                 "wbits": %d, "abits": %d, "protocol": "first-last-8bit",
                 "eval": {"limit": 300}}
                """.formatted(generator, quantizer, wbits, abits));
    }

    @Test
    void runsATrialEndToEndAndReusesCachedArtifacts(@TempDir Path home) throws Exception {
        Pipeline pipeline = new Pipeline(new ArtifactStore(home), null);
        TrialOutcome first = pipeline.run(new TrialSpec("k1", "test", tinyTrial("zeroq", "mse", 8, 8)),
                ProgressListener.NONE);
        assertThat(first.metrics().get("fp32_top1")).isGreaterThan(30.0);
        assertThat(first.metrics().get("top1")).isCloseTo(first.metrics().get("fp32_top1"),
                org.assertj.core.data.Offset.offset(3.0));
        assertThat(first.metrics().get("agreement")).isGreaterThan(90.0);
        assertThat(first.metrics().get("teacher_cached")).isEqualTo(0.0);
        assertThat(first.metrics().get("synthesis_synthesis_cached")).isNull();
        assertThat(first.metrics().get("synthesis_loss_bn_final"))
                .isLessThan(first.metrics().get("synthesis_loss_bn_initial"));
        assertThat(first.stageSeconds()).containsKeys("teacher", "synthesis", "quantization", "evaluation");
        assertThat(Files.size(home.resolve(first.artifacts().get("sample_grid")))).isGreaterThan(100);

        TrialOutcome second = pipeline.run(new TrialSpec("k2", "test", tinyTrial("zeroq", "minmax", 4, 4)),
                ProgressListener.NONE);
        assertThat(second.metrics().get("teacher_cached")).isEqualTo(1.0);
        assertThat(second.metrics().get("synthesis_cached")).isEqualTo(1.0);
        assertThat(second.metrics().get("size_bytes")).isLessThan(first.metrics().get("size_bytes"));
        assertThat(second.metrics().get("fp32_top1")).isEqualTo(first.metrics().get("fp32_top1"));

        // a reconstruction quantizer, on a pipeline pinned to the CPU as a cluster worker's cpu slot is;
        // its exported integer model reproduces the trial's accuracy exactly
        ObjectNode brecq = tinyTrial("zeroq", "brecq", 2, 4);
        brecq.putObject("quantizer").put("name", "brecq").put("iters", 20).put("act_iters", 5).put("batch", 16);
        Pipeline cpuSlot = new Pipeline(new ArtifactStore(home), null, Device.cpu());
        TrialOutcome third = cpuSlot.run(new TrialSpec("k3", "test", brecq), ProgressListener.NONE);
        assertThat(third.metrics().get("teacher_cached")).isEqualTo(1.0);
        Path model = home.resolve(third.artifacts().get("quantized_model"));
        ImageSet test = Datasets.load("fashion-mnist", Datasets.resolveDir("fashion-mnist", null)).test().head(300);
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            QuantizedModel.Loaded loaded = QuantizedModel.load(model, m);
            assertThat(loaded.wbits()).isEqualTo(2);
            double top1 = Evaluator.top1(Evaluator.predict(loaded.net(), test, 100, m), test);
            assertThat(top1).isEqualTo(third.metrics().get("top1"));
        }

        // a nested quantizer: one result per bit-width, each with its own exported model
        ObjectNode once = tinyTrial("zeroq", "once-qat", 4, 4);
        once.putObject("quantizer").put("name", "once-qat").put("bits", "4,2").put("epochs", 1).put("batch", 32);
        TrialOutcome fourth = pipeline.run(new TrialSpec("k4", "test", once), ProgressListener.NONE);
        assertThat(fourth.stageSeconds()).containsKey("nested_evaluation");
        assertThat(fourth.nested()).singleElement().satisfies(w2a2 -> {
            assertThat(w2a2.name()).isEqualTo("w2a2");
            assertThat(w2a2.wbits()).isEqualTo(2);
            assertThat(w2a2.metrics().get("size_bytes")).isLessThan(fourth.metrics().get("size_bytes"));
            assertThat(w2a2.metrics().get("fp32_top1")).isEqualTo(fourth.metrics().get("fp32_top1"));
            assertThat(w2a2.artifacts().get("quantized_model"))
                    .isEqualTo(fourth.artifacts().get("quantized_model_w2a2"))
                    .isEqualTo("quantized/k4/model_w2a2.dfqm");
            assertThat(w2a2.artifacts().get("teacher")).isEqualTo(fourth.artifacts().get("teacher"));
        });
        try (NDManager m = NDManager.newBaseManager(); Autograd off = Autograd.off()) {
            for (TrialOutcome.Nested mode : List.of(new TrialOutcome.Nested("w4a4", 4, 4, fourth.metrics(),
                    fourth.artifacts()), fourth.nested().get(0))) {
                Path file = home.resolve(mode.artifacts().get("quantized_model"));
                QuantizedModel.Loaded loaded = QuantizedModel.load(file, m);
                assertThat(loaded.wbits()).isEqualTo(mode.wbits());
                double top1 = Evaluator.top1(Evaluator.predict(loaded.net(), test, 100, m), test);
                assertThat(top1).as(mode.name()).isEqualTo(mode.metrics().get("top1"));
            }
        }
    }
}
