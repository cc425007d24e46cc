package io.dfq.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.dfq.results.ResultReader;
import io.dfq.results.TrialQuery;
import io.dfq.results.TrialRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live updates of running sweeps as server-sent events ({@code /api/events}).
 *
 * <p>Two sources feed it. A poller reads the database every interval for rows whose {@code
 * updated_at} moved past the newest it has seen (an indexed range read), which works for a {@code
 * serve} process beside a {@code run} in another process; on a change it sends the changed trials
 * ({@code changed}) and a full progress snapshot ({@code progress}). An in-process sweep ({@code
 * run --serve}) also calls {@link #trialEvent}, which sends what the database does not hold (the
 * stage a trial is in, its progress lines) and polls at once. Every client starts with a
 * snapshot, and each snapshot is complete, so a client that missed frames (its queue full) is
 * right again at the next one. Clients are few (a bounded number), each held by one server
 * thread; a comment line after 3 s of silence finds the ones that left (a browser leaving a page
 * closes its stream, but the server only notices on its next write), so their slots free quickly.
 */
public final class LiveFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);

    /** Concurrent event-stream clients; each holds a server thread. */
    static final int MAX_CLIENTS = 8;

    /** How long a stream stays silent before a comment line checks that its client is still there. */
    private static final long KEEP_ALIVE_SECONDS = 3;

    private static final Frame END = new Frame("");
    private static final Frame KEEP_ALIVE = new Frame(": keep-alive\n\n");

    private final ResultReader reader;
    private final Api api;
    private final Set<BlockingQueue<Frame>> clients = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "dfq-dashboard-poller");
        thread.setDaemon(true);
        return thread;
    });
    private Instant seen;

    LiveFeed(ResultReader reader, Api api, Duration interval) {
        this.reader = reader;
        this.api = api;
        List<TrialRecord> newest = reader.list(TrialQuery.all().withSort("updated", TrialQuery.Direction.DESC)
                .withPage(1, 0));
        this.seen = newest.isEmpty() ? Instant.EPOCH : newest.get(0).updated();
        poller.scheduleWithFixedDelay(this::poll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A trial event of a sweep running in this process: {@code kind} ({@code started}, {@code
     * stage}, {@code progress}, {@code succeeded}, {@code failed}) and its text. The kinds that
     * change the trial's row (all but stage and progress) also poll the database at once. Returns
     * at once.
     */
    public void trialEvent(String key, String kind, String text) {
        ObjectNode data = Api.JSON.createObjectNode().put("key", key).put("kind", kind).put("text", text);
        publish("trial", data);
        if (!kind.equals("stage") && !kind.equals("progress") && !poller.isShutdown()) {
            poller.execute(this::poll);
        }
    }

    private void poll() {
        try {
            List<TrialRecord> changed = reader.list(TrialQuery.all().withUpdatedAfter(seen)
                    .withSort("updated", TrialQuery.Direction.ASC).withPage(500, 0));
            if (changed.isEmpty()) {
                return;
            }
            seen = changed.get(changed.size() - 1).updated();
            ObjectNode data = Api.JSON.createObjectNode();
            changed.forEach(t -> data.put(t.key(), t.status().name()));
            publish("changed", data);
            publish("progress", api.progress());
        } catch (RuntimeException e) {
            LOG.warn("live feed: polling the results database failed", e);
        }
    }

    private void publish(String event, JsonNode data) {
        Frame frame = frame(event, data);
        clients.forEach(queue -> queue.offer(frame));
    }

    private static Frame frame(String event, JsonNode data) {
        return new Frame("event: " + event + "\ndata: " + Api.write(data) + "\n\n");
    }

    /** Serves one event-stream client until it leaves or the feed closes. */
    void stream(HttpExchange exchange) throws IOException {
        if (clients.size() >= MAX_CLIENTS) {
            throw new HttpError(503, "too many live clients (at most " + MAX_CLIENTS + ")");
        }
        BlockingQueue<Frame> queue = new LinkedBlockingQueue<>(256);
        clients.add(queue);
        try {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                Frame frame = frame("progress", api.progress());
                while (frame != END) {
                    out.write(frame.text().getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    Frame next = queue.poll(KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
                    frame = next == null ? KEEP_ALIVE : next;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            clients.remove(queue);
        }
    }

    /** Ends every stream and stops polling. */
    @Override
    public void close() {
        poller.shutdownNow();
        clients.forEach(queue -> {
            queue.clear();
            queue.offer(END);
        });
    }

    /** One event, as sent. */
    private record Frame(String text) {}
}
