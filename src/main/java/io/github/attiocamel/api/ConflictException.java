package io.github.attiocamel.api;

/** The request names something that exists but cannot take this action in its state: answered 409. */
public class ConflictException extends RuntimeException {

    public ConflictException(String message) {
        super(message);
    }
}
