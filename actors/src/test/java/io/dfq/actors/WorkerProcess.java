package io.dfq.actors;

import com.typesafe.config.Config;
import io.dfq.quant.pipeline.TrialRunner;
import java.nio.file.Files;
import java.util.List;

/**
 * A worker node in a JVM of its own, for {@link ClusterProcessTest} and {@link ClusterBench}:
 * {@code WorkerProcess COORDINATOR_HOST:PORT SLOTS TRIAL_MILLIS [patient]} joins the coordinator
 * with that many CPU slots whose trials only sleep, and prints {@code started KEY} when a trial
 * starts; {@code patient} takes the benchmark's failure detector ({@link TestCluster#PATIENT}). It
 * runs until its node is downed or the process is killed.
 */
public final class WorkerProcess {

    private WorkerProcess() {}

    public static void main(String[] args) throws Exception {
        ClusterConfig.HostPort coordinator = ClusterConfig.HostPort.parse(args[0]);
        int slots = Integer.parseInt(args[1]);
        long trialMillis = Long.parseLong(args[2]);
        Config user = args.length > 3 && args[3].equals("patient")
                ? TestCluster.PATIENT.withFallback(TestCluster.FAST)
                : TestCluster.FAST;
        TrialRunner sleeping = (spec, progress) -> {
            System.out.println("started " + spec.key());
            System.out.flush();
            Thread.sleep(trialMillis);
            return TestTrials.outcome(0.5);
        };
        WorkerNode.start(new NodeSetup(
                ClusterConfig.node(ClusterConfig.WORKER_ROLE, TestCluster.loopback(0), List.of(coordinator),
                        user, slots),
                Slot.cpus(slots),
                Files.createTempDirectory("dfq-worker-artifacts"),
                (slot, fetcher) -> sleeping));
    }
}
