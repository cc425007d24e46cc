package io.dfq.dashboard;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A complete response: status, content type, body and extra headers.
 *
 * <p>Handlers return values instead of writing to the exchange, so that every response goes
 * through one place that adds the security headers and turns failures into error replies.
 *
 * @param status HTTP status
 * @param type the Content-Type
 * @param body the bytes to send
 * @param headers more headers (Content-Disposition, Cache-Control...)
 */
record Reply(int status, String type, byte[] body, Map<String, String> headers) {

    static final String HTML = "text/html; charset=utf-8";
    static final String JSON = "application/json";
    static final String TEXT = "text/plain; charset=utf-8";

    Reply {
        headers = Map.copyOf(headers);
    }

    /** A text body offered as a file download named {@code filename} (ASCII, no quotes). */
    static Reply download(String type, String body, String filename) {
        return new Reply(200, type, body.getBytes(StandardCharsets.UTF_8),
                Map.of("Content-Disposition", "attachment; filename=\"" + filename + "\""));
    }
}
