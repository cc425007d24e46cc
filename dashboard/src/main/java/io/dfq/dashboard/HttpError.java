package io.dfq.dashboard;

/**
 * A request the dashboard refuses, with the status and the reason the client sees.
 *
 * <p>Handlers throw it from any depth; the server turns it into a JSON error for {@code /api/}
 * and an HTML page otherwise. The reason is written for the client (it never carries a stack
 * trace or an exception's class).
 */
final class HttpError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;

    HttpError(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }

    static HttpError notFound(String reason) {
        return new HttpError(404, reason);
    }

    static HttpError badRequest(String reason) {
        return new HttpError(400, reason);
    }
}
