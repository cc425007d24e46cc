package io.dfq.orchestrator.cli;

/**
 * Engine thread settings, applied before the PyTorch engine starts (it reads them once). Several
 * worker slots on one machine split the cores instead of multiplying them (design.md section 6).
 */
final class Engine {

    private Engine() {}

    static void configureThreads(int threads) {
        String n = Integer.toString(Math.max(1, threads));
        System.setProperty("ai.djl.pytorch.num_threads", n);
        System.setProperty("ai.djl.pytorch.num_interop_threads", n);
        System.setProperty("ai.djl.offline", "true");
    }
}
