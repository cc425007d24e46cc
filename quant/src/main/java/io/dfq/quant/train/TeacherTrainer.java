package io.dfq.quant.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import io.dfq.quant.data.ImageSet;
import io.dfq.quant.model.Models;
import io.dfq.quant.model.Net;
import io.dfq.quant.nn.Autograd;
import io.dfq.quant.pipeline.ProgressListener;
import io.dfq.quant.pipeline.TrialConfig.TeacherConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Trains an FP32 teacher with the recipe of methods.md section 6: SGD with Nesterov momentum and
 * weight decay, one-cycle learning rate, random horizontal flips, softmax cross-entropy.
 *
 * <p>Everything random (initial weights, shuffling, flips) is drawn from Java generators seeded by
 * the teacher seed, so a teacher is a pure function of its configuration on a given engine.
 *
 * <p>With a checkpoint directory, the state after every epoch (weights, running statistics, momentum
 * buffers, the random generator, step and losses) is written there, and a training that finds one
 * continues after its epoch: an interrupted training (Ctrl-C, the end of a session) loses at most
 * one epoch, and the resumed teacher is the one an uninterrupted training gives.
 */
public final class TeacherTrainer {

    /** The file a checkpoint directory holds. */
    public static final String CHECKPOINT_FILE = Checkpoint.FILE;

    private TeacherTrainer() {}

    /** A trained teacher and what its training measured. */
    public record Trained(Net net, List<Double> epochLoss, double seconds) {}

    /**
     * Trains a new network on {@code train}, or continues the one checkpointed in {@code checkpoint}
     * (null: no checkpoints); parameters live on {@code manager}.
     */
    public static Trained train(TeacherConfig cfg, ImageSet trainSet, NDManager manager, ProgressListener progress,
            Path checkpoint) throws IOException {
        long start = System.nanoTime();
        ImageSet data = cfg.trainLimit() == null || cfg.trainLimit() >= trainSet.count()
                ? trainSet
                : trainSet.balancedSubset(cfg.trainLimit(), cfg.seed());
        Net net = Models.build(cfg.model(), cfg.width(), data.channels(), 10, cfg.seed());
        net.init(manager, data.imageShape());
        Checkpoint resumed = checkpoint == null ? null : Checkpoint.read(checkpoint);
        if (resumed != null) {
            resumed.loadInto(net, manager);
        }
        List<NDArray> params = new ArrayList<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            if (p.getValue().requiresGradient()) {
                params.add(p.getValue().getArray());
            }
        }
        int batches = (data.count() + cfg.batch() - 1) / cfg.batch();
        OneCycle schedule = new OneCycle(cfg.lr(), (long) batches * cfg.epochs());
        Loss loss = Loss.softmaxCrossEntropyLoss();
        Random rnd = new Random(cfg.seed() ^ 0x5DEECE66DL);
        List<Double> epochLoss = new ArrayList<>();
        long step = 0;
        double earlier = 0;
        try (NesterovSgd sgd = new NesterovSgd(params, cfg.momentum(), cfg.weightDecay())) {
            if (resumed != null) {
                sgd.restore(resumed.momentum());
                rnd = resumed.rnd();
                epochLoss.addAll(resumed.epochLoss());
                step = resumed.step();
                earlier = resumed.seconds();
                progress.message(String.format("teacher %s resumes after epoch %d/%d", cfg.model(),
                        epochLoss.size(), cfg.epochs()));
            }
            for (int epoch = epochLoss.size(); epoch < cfg.epochs(); epoch++) {
                int[] order = permutation(data.count(), rnd);
                double sum = 0;
                for (int b = 0; b < batches; b++) {
                    int from = b * cfg.batch();
                    int to = Math.min(data.count(), from + cfg.batch());
                    try (NDManager scope = manager.newSubManager()) {
                        ImageSet batch = data.select(Arrays.copyOfRange(order, from, to));
                        NDArray x = cfg.augment() ? flipped(batch, rnd, scope) : batch.batch(scope, 0, batch.count());
                        NDArray y = batch.labelBatch(scope, 0, batch.count());
                        double value;
                        try (Autograd g = Autograd.record()) {
                            NDArray l = loss.evaluate(new NDList(y), new NDList(net.logits(x, true)));
                            value = l.getFloat();
                            if (!Double.isFinite(value)) {
                                throw new IllegalStateException("teacher training diverged at epoch "
                                        + (epoch + 1) + ", batch " + (b + 1) + ": loss " + value);
                            }
                            g.backward(l);
                        }
                        sgd.step(schedule.lr(step++));
                        sum += value;
                    }
                }
                epochLoss.add(sum / batches);
                if (checkpoint != null) {
                    Checkpoint.write(checkpoint, net, sgd, rnd, step, epochLoss,
                            earlier + (System.nanoTime() - start) / 1e9);
                }
                progress.message(String.format("teacher %s epoch %d/%d loss %.4f", cfg.model(), epoch + 1,
                        cfg.epochs(), sum / batches));
            }
        }
        return new Trained(net, epochLoss, earlier + (System.nanoTime() - start) / 1e9);
    }

    /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
    public static int[] permutation(int n, Random rnd) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** The batch with each image mirrored left-right with probability 1/2. */
    static NDArray flipped(ImageSet batch, Random rnd, NDManager manager) {
        float[] d = batch.data().clone();
        int h = batch.height();
        int w = batch.width();
        int plane = h * w;
        for (int i = 0; i < batch.count(); i++) {
            if (rnd.nextBoolean()) {
                for (int c = 0; c < batch.channels(); c++) {
                    int base = (i * batch.channels() + c) * plane;
                    for (int r = 0; r < h; r++) {
                        int row = base + r * w;
                        for (int k = 0; k < w / 2; k++) {
                            float t = d[row + k];
                            d[row + k] = d[row + w - 1 - k];
                            d[row + w - 1 - k] = t;
                        }
                    }
                }
            }
        }
        return manager.create(d, new ai.djl.ndarray.types.Shape(batch.count(), batch.channels(), h, w));
    }
}
