package io.github.attiocamel.store;

/** The embedded store failed; callers treat it as retriable infrastructure trouble, never as bad input. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
