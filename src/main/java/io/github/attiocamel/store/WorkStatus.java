package io.github.attiocamel.store;

import java.time.Duration;
import java.time.Instant;

/**
 * One piece of long-running work as the tracker stores it ({@code work_item}): the fields every status view shares.
 * {@code done} counts the units worked through out of {@code total}; {@code holder} and {@code heartbeatAt} say which
 * process works on it and when it last showed life; {@code heldAt} and {@code doneAtHold} are when that process took
 * it and how far it was then.
 */
public record WorkStatus(
        String workId,
        String kind,
        String state,
        long total,
        long done,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        String error,
        String holder,
        Instant heartbeatAt,
        Instant heldAt,
        long doneAtHold,
        int resumes) {

    public static final String QUEUED = "QUEUED";
    public static final String RUNNING = "RUNNING";
    public static final String COMPLETED = "COMPLETED";
    public static final String FAILED = "FAILED";

    /** QUEUED or RUNNING: someone should be working on it. */
    public boolean active() {
        return QUEUED.equals(state) || RUNNING.equals(state);
    }

    /**
     * Units per second since the current holder began on it (until it finished); 0 before it started or while nothing
     * was done. Counting from the hold, not from the start, keeps a resumed run's rate its own.
     */
    public double rate(Instant now) {
        if (startedAt == null) {
            return 0;
        }
        long units = done - doneAtHold;
        if (units <= 0) {
            return 0;
        }
        Instant from = heldAt != null && heldAt.isAfter(startedAt) ? heldAt : startedAt;
        Instant end = finishedAt != null ? finishedAt : now;
        double seconds = Math.max(0.001, Duration.between(from, end).toMillis() / 1000.0);
        return units / seconds;
    }

    /** Seconds left at the current rate; null while unknown, 0 once finished. */
    public Long etaSeconds(Instant now) {
        if (finishedAt != null) {
            return 0L;
        }
        double rate = rate(now);
        return rate <= 0 ? null : (long) Math.ceil(Math.max(0, total - done) / rate);
    }
}
