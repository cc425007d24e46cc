package io.dfq.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.dfq.results.LeaderboardRow;
import io.dfq.results.ResultStore;
import io.dfq.results.TrialQuery;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A minimal read-only web view of the results: the leaderboard as an HTML table ({@code /}) and as
 * JSON ({@code /api/leaderboard}). The JDK's own HTTP server keeps the module free of web
 * dependencies; every value is HTML-escaped and only the store's read methods are called. Bound
 * to the given address (loopback by default).
 */
public final class DashboardServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ResultStore store;

    private DashboardServer(HttpServer server, ResultStore store) {
        this.server = server;
        this.store = store;
    }

    /** Starts serving {@code store} on {@code bind:port} (port 0 = any free port). */
    public static DashboardServer start(ResultStore store, String bind, int port) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(bind, port), 0);
        DashboardServer d = new DashboardServer(http, store);
        http.createContext("/api/leaderboard", ex -> d.respond(ex, "application/json", d::leaderboardJson));
        http.createContext("/", ex -> d.respond(ex, "text/html; charset=utf-8", d::leaderboardHtml));
        http.setExecutor(Executors.newFixedThreadPool(2));
        http.start();
        return d;
    }

    /** The port actually bound. */
    public int port() {
        return server.getAddress().getPort();
    }

    private void respond(HttpExchange ex, String type, Body body) throws IOException {
        int status = 200;
        String text;
        if (!"GET".equals(ex.getRequestMethod())) {
            status = 405;
            text = "method not allowed";
        } else {
            try {
                text = body.render();
            } catch (RuntimeException e) {
                status = 500;
                text = "error: " + e.getClass().getSimpleName();
            }
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", status == 200 ? type : "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @FunctionalInterface
    private interface Body {
        String render();
    }

    private List<LeaderboardRow> rows() {
        return store.leaderboard(TrialQuery.all());
    }

    private String leaderboardHtml() {
        StringBuilder sb = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\">"
                + "<title>dfq leaderboard</title></head><body><h1>Leaderboard</h1><table border=\"1\">"
                + "<tr><th>model</th><th>generator</th><th>quantizer</th><th>W/A</th><th>protocol</th>"
                + "<th>variant</th><th>n</th><th>top1</th><th>drop</th><th>agreement</th><th>size</th></tr>");
        for (LeaderboardRow r : rows()) {
            sb.append("<tr>").append(td(r.model())).append(td(r.generator())).append(td(r.quantizer()))
                    .append(td("W" + r.wbits() + "A" + r.abits())).append(td(r.protocol())).append(td(r.variant()))
                    .append(td(Integer.toString(r.n()))).append(td(stat(r.top1()))).append(td(stat(r.drop())))
                    .append(td(stat(r.agreement()))).append(td(stat(r.sizeBytes()))).append("</tr>");
        }
        return sb.append("</table></body></html>").toString();
    }

    private String leaderboardJson() {
        try {
            return JSON.writeValueAsString(rows());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String stat(LeaderboardRow.Stat s) {
        if (s.mean() == null) {
            return "";
        }
        return s.std() == null ? String.format("%.2f", s.mean()) : String.format("%.2f ± %.2f", s.mean(), s.std());
    }

    private static String td(String text) {
        return "<td>" + escape(text) + "</td>";
    }

    /** HTML-escapes text (null as empty). */
    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }
}
