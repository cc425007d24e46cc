package io.dfq.orchestrator.cli;

import io.dfq.actors.SweepEvent;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/**
 * Renders sweep events as a progress line (trials done / running / failed / cached and an ETA from
 * the mean time of the trials finished so far), with one line per finished trial and per progress
 * message (teacher epochs, synthesis batches). On a terminal the status line is redrawn in place.
 * Called on an actor thread: only prints.
 */
final class ProgressBar {

    private final int total;
    private final int cached;
    private final PrintStream out;
    private final boolean terminal = System.console() != null;
    private final long start = System.nanoTime();
    private final Map<String, String> running = new HashMap<>();
    private int done;
    private int failed;

    ProgressBar(int total, int cached, PrintStream out) {
        this.total = total;
        this.cached = cached;
        this.out = out;
    }

    synchronized void onEvent(SweepEvent event) {
        if (event instanceof SweepEvent.TrialStarted s) {
            running.put(s.key(), "start");
        } else if (event instanceof SweepEvent.TrialStage s) {
            running.put(s.key(), s.stage());
        } else if (event instanceof SweepEvent.TrialProgress p) {
            line(p.key().substring(0, 12) + " " + p.text());
        } else if (event instanceof SweepEvent.TrialSucceeded s) {
            running.remove(s.key());
            done++;
            line("done " + s.key().substring(0, 12) + String.format(" top1 %.2f", s.outcome().metrics().get("top1")));
        } else if (event instanceof SweepEvent.TrialFailed f) {
            running.remove(f.key());
            if (!f.willRetry()) {
                failed++;
            }
            line((f.willRetry() ? "retry " : "FAILED ") + f.key().substring(0, 12) + ": " + f.error());
        } else if (event instanceof SweepEvent.SweepAborted a) {
            line("aborted: " + a.reason());
        }
        if (terminal && out != null) {
            out.print("\r" + status() + "   ");
            out.flush();
        }
    }

    private void line(String text) {
        if (out == null) {
            return;
        }
        if (terminal) {
            out.print("\r\033[K");
        }
        out.println(status() + " | " + text);
    }

    private String status() {
        int finished = done + failed;
        int remaining = total - cached - finished;
        double elapsed = (System.nanoTime() - start) / 1e9;
        String eta = finished == 0 ? "?" : format(elapsed / finished * remaining);
        int width = 24;
        int filled = total == 0 ? width : (int) ((double) (cached + finished) / total * width);
        String stages = running.isEmpty() ? "" : " " + running.values();
        return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + (cached + finished) + "/" + total
                + " done " + done + ", running " + running.size() + ", failed " + failed + ", cached " + cached
                + ", ETA " + eta + stages;
    }

    private static String format(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60) : String.format("%dm%02ds", s / 60, s % 60);
    }

    synchronized void finish() {
        if (terminal && out != null) {
            out.println();
        }
    }
}
