package io.dfq.quant.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class TrialSpecTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static TrialSpec spec(String generator, int iters, int samples, int seed, String quantizer, int bits)
            throws Exception {
        ObjectNode config = (ObjectNode) JSON.readTree("{\"dataset\": \"fashion-mnist\", \"teacher\": {\"model\":"
                + " \"resnet20\", \"seed\": 0}, \"generator\": {\"name\": \"" + generator + "\", \"iters\": " + iters
                + "}, \"quantizer\": {\"name\": \"" + quantizer + "\"}, \"wbits\": " + bits + ", \"abits\": " + bits
                + ", \"calib\": {\"samples\": " + samples + ", \"batch\": 64}, \"seed\": " + seed + "}");
        return new TrialSpec("k", "r", config);
    }

    @Test
    void trialsDifferingInQuantizerOrBitsShareACalibrationSetAndNoOthers() throws Exception {
        String set = spec("zeroq", 300, 256, 0, "minmax", 8).calibrationSet();
        assertThat(spec("zeroq", 300, 256, 0, "mse", 4).calibrationSet()).isEqualTo(set);
        assertThat(spec("zeroq", 500, 256, 0, "minmax", 8).calibrationSet()).isNotEqualTo(set);
        assertThat(spec("genie", 300, 256, 0, "minmax", 8).calibrationSet()).isNotEqualTo(set);
        assertThat(spec("zeroq", 300, 1024, 0, "minmax", 8).calibrationSet()).isNotEqualTo(set);
        assertThat(spec("zeroq", 300, 256, 1, "minmax", 8).calibrationSet()).isNotEqualTo(set);
    }

    @Test
    void trialsDifferingInAnythingButTheDatasetAndTeacherShareATeacher() throws Exception {
        TrialSpec spec = spec("zeroq", 300, 256, 0, "minmax", 8);
        assertThat(spec("genie", 500, 1024, 2, "mse", 4).teacher()).isEqualTo(spec.teacher());
        ObjectNode other = spec.config().deepCopy();
        ((ObjectNode) other.get("teacher")).put("seed", 1);
        TrialSpec otherTeacher = new TrialSpec("k2", "r", other);
        assertThat(otherTeacher.teacher()).isNotEqualTo(spec.teacher());
        assertThat(otherTeacher.calibrationSet()).isNotEqualTo(spec.calibrationSet());
        ObjectNode otherData = spec.config().deepCopy().put("dataset", "mnist");
        assertThat(new TrialSpec("k3", "r", otherData).teacher()).isNotEqualTo(spec.teacher());
    }
}
