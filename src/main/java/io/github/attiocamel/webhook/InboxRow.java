package io.github.attiocamel.webhook;

import java.time.Instant;

/**
 * One claimed webhook delivery: the body as received (or, after a partial failure, only the events still to do),
 * when it arrived and how many times it has been claimed, this claim included; {@code deadLetterId} names the dead
 * letter it replays (0 for a delivery from Attio); {@code traceparent} the trace its processing continues (null: none).
 */
public record InboxRow(long id, String idempotencyKey, Instant receivedAt, String body, int attempts,
                       long deadLetterId, String traceparent) {
}
