package io.github.attiocamel.service;

/** An event that can never be processed as it is (ids missing, an object or list Attio does not know): not retried. */
public class UnprocessableEventException extends RuntimeException {
    public UnprocessableEventException(String message) {
        super(message);
    }
}
