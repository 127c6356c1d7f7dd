package io.github.attiocamel.webhook;

import java.time.Instant;

/**
 * Something that could not be processed, kept with its error for an operator to inspect and replay. For webhooks
 * {@code payload} is one event (JSON) and {@code source} is {@code webhook}.
 */
record DeadLetter(long id, String source, String payload, String error, Integer attioStatus, String attioCode,
                         Instant createdAt, Instant replayedAt, int replayCount) {

    /** A dead letter about to be written (no id or timestamps yet). */
    public static DeadLetter of(String source, String payload, String error, Integer attioStatus, String attioCode) {
        return new DeadLetter(0, source, payload, error, attioStatus, attioCode, null, null, 0);
    }

    /** The same letter failing again (a replay of it): written over {@code id} rather than added. */
    DeadLetter replacing(long existingId) {
        return new DeadLetter(existingId, source, payload, error, attioStatus, attioCode, null, null, 0);
    }
}
