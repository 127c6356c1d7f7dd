package io.github.attiocamel.api;

/** What an /api request names does not exist (a job, a sync run, a mirrored record, a dead letter): answered 404. */
public class NotFoundException extends RuntimeException {

    public NotFoundException(String message) {
        super(message);
    }
}
