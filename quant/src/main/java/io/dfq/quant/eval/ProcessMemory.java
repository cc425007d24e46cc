package io.dfq.quant.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory of this process from /proc (Linux), in MiB; -1 where unavailable. Recorded with
 * every trial so that a long sweep's memory can be checked for growth.
 */
public final class ProcessMemory {

    private ProcessMemory() {}

    /** Peak resident set size (VmHWM). */
    public static long peakMb() {
        return field("VmHWM:");
    }

    /** Current resident set size (VmRSS). */
    public static long currentMb() {
        return field("VmRSS:");
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
