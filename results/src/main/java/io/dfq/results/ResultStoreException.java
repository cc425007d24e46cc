package io.dfq.results;

/**
 * A database failure in the results store, named by the operation and trial it hit.
 *
 * <p>Unchecked because no caller can repair a broken database connection: the writer actor
 * lets it escalate to its supervisor, and readers turn it into an error reply.
 */
public final class ResultStoreException extends RuntimeException {

    public ResultStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
