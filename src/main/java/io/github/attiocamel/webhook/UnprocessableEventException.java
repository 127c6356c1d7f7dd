package io.github.attiocamel.webhook;

/**
 * An event that can never be processed as it is (ids missing, an object or list Attio does not know, a type no
 * handler takes): dead-lettered at once, not retried. Public because the router's YAML throws it.
 */
public class UnprocessableEventException extends RuntimeException {
    public UnprocessableEventException(String message) {
        super(message);
    }
}
