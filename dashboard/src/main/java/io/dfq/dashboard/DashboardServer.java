package io.dfq.dashboard;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.dfq.results.ResultReader;
import io.dfq.results.ResultStoreException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only web dashboard over a results database: leaderboard, charts, ablation and trial
 * pages, the JSON API behind them ({@code /api/...}) and live updates of running sweeps.
 *
 * <p>The JDK's own HTTP server keeps the module free of a web framework: the routes are a dozen
 * fixed paths, and the one streaming endpoint (server-sent events) needs nothing more than a
 * chunked response. Every request passes one dispatcher that routes it, adds the security
 * headers and turns failures into a status and a reason (JSON under {@code /api/}, a page
 * otherwise), never a stack trace. The store is only reached through {@link ResultReader}, so the
 * server cannot write; it binds to the given address (loopback by default in the CLI).
 */
public final class DashboardServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);

    /** Server threads: enough for a browser's parallel requests beside the live clients. */
    private static final int THREADS = LiveFeed.MAX_CLIENTS + 8;

    private final HttpServer server;
    private final ExecutorService executor;
    private final ResultReader reader;
    private final Api api;
    private final Assets assets;
    private final LiveFeed live;

    private DashboardServer(HttpServer server, ExecutorService executor, ResultReader reader, Path artifacts,
            Duration pollInterval) {
        this.server = server;
        this.executor = executor;
        this.reader = reader;
        this.assets = new Assets(artifacts);
        this.api = new Api(reader, assets);
        this.live = new LiveFeed(reader, api, pollInterval);
    }

    /**
     * Starts serving {@code reader} on {@code bind:port} (port 0: any free port), with artifact
     * files from {@code artifacts}; the live feed polls the database every second.
     */
    public static DashboardServer start(ResultReader reader, Path artifacts, String bind, int port)
            throws IOException {
        return start(reader, artifacts, bind, port, Duration.ofSeconds(1));
    }

    /** {@link #start(ResultReader, Path, String, int)} with the live feed's poll interval. */
    public static DashboardServer start(ResultReader reader, Path artifacts, String bind, int port,
            Duration pollInterval) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(bind, port), 0);
        AtomicInteger count = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread thread = new Thread(r, "dfq-dashboard-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        DashboardServer dashboard = new DashboardServer(http, executor, reader, artifacts, pollInterval);
        http.createContext("/", dashboard::handle);
        http.setExecutor(executor);
        http.start();
        return dashboard;
    }

    /** The port actually bound. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The live feed, for an in-process sweep to report its trials' stages and progress. */
    public LiveFeed live() {
        return live;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        boolean apiCall = path.startsWith("/api/");
        Reply reply;
        try {
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET");
                throw new HttpError(405, "method " + exchange.getRequestMethod() + " not allowed; the dashboard"
                        + " only reads");
            }
            if (path.equals("/api/events")) {
                live.stream(exchange);
                return;
            }
            reply = route(path, Params.of(exchange.getRequestURI()));
        } catch (HttpError e) {
            reply = error(apiCall, e.status(), e.getMessage());
        } catch (IllegalArgumentException e) {
            reply = error(apiCall, 400, e.getMessage());
        } catch (ResultStoreException e) {
            LOG.warn("dashboard: {} failed", path, e);
            reply = error(apiCall, 503, "results database unavailable: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("dashboard: {} failed", path, e);
            reply = error(apiCall, 500, "internal error; the server log has the details");
        }
        send(exchange, reply);
    }

    private Reply route(String path, Params params) {
        switch (path) {
            case "/":
                return page(Pages.leaderboard(reader.recipes()));
            case "/charts":
                return page(Pages.charts(reader.recipes()));
            case "/ablation":
                return page(Pages.ablation(reader.recipes()));
            case "/api/leaderboard":
                return json(api.leaderboard(params));
            case "/api/trials":
                return json(api.trials(params));
            case "/api/pareto":
                return json(api.pareto(params));
            case "/api/ablation":
                return json(api.ablation(params));
            case "/api/ablation.csv":
                return Reply.download("text/csv; charset=utf-8", api.ablation(params).csv(),
                        Api.stem(params) + ".csv");
            case "/api/ablation.tex":
                return Reply.download("application/x-tex; charset=utf-8", api.ablation(params).latex(),
                        Api.stem(params) + ".tex");
            case "/api/parallel":
                return json(api.parallel(params));
            case "/api/recipes":
                return json(api.recipes());
            case "/api/progress":
                return json(api.progress());
            default:
                return routePrefixed(path);
        }
    }

    private Reply routePrefixed(String path) {
        String[] parts = path.substring(1).split("/", -1);
        if (parts.length == 2 && parts[0].equals("trial") && !parts[1].isEmpty()) {
            api.trial(parts[1]); // 404 before the page when there is no such trial
            return page(Pages.trial(parts[1]));
        }
        if (parts.length == 2 && parts[0].equals("static")) {
            return assets.file(parts[1]);
        }
        if (parts.length >= 3 && parts[0].equals("api") && parts[1].equals("trials")) {
            if (parts.length == 3) {
                return json(api.trial(parts[2]));
            }
            if (parts.length == 5 && parts[3].equals("artifacts")) {
                return api.artifact(parts[2], parts[4]);
            }
        }
        throw HttpError.notFound("no page " + path);
    }

    private static Reply page(String html) {
        return new Reply(200, Reply.HTML, html.getBytes(StandardCharsets.UTF_8),
                Map.of("Content-Security-Policy", Pages.CSP));
    }

    private static Reply json(Object value) {
        return new Reply(200, Reply.JSON, Api.write(value).getBytes(StandardCharsets.UTF_8),
                Map.of("Cache-Control", "no-store"));
    }

    private static Reply error(boolean apiCall, int status, String reason) {
        if (apiCall) {
            ObjectNode body = Api.JSON.createObjectNode().put("status", status).put("reason", reason);
            return new Reply(status, Reply.JSON, Api.write(body).getBytes(StandardCharsets.UTF_8), Map.of());
        }
        return new Reply(status, Reply.HTML, Pages.error(status, reason).getBytes(StandardCharsets.UTF_8),
                Map.of("Content-Security-Policy", Pages.CSP));
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Type", reply.type());
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Referrer-Policy", "no-referrer");
        reply.headers().forEach(headers::set);
        exchange.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(reply.body());
        }
    }

    /** Stops serving: ends the live streams, then the server and its threads. */
    @Override
    public void close() {
        live.close();
        server.stop(0);
        executor.shutdownNow();
    }
}
