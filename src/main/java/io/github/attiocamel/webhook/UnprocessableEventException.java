package io.github.attiocamel.webhook;

/** An event that can never be processed as it is (ids missing, an object or list Attio does not know): not retried. */
class UnprocessableEventException extends RuntimeException {
    public UnprocessableEventException(String message) {
        super(message);
    }
}
