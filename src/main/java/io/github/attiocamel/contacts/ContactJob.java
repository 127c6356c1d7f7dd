package io.github.attiocamel.contacts;

import java.time.Duration;
import java.time.Instant;

/** One batch import as stored: counters plus timing, from which rate and ETA are derived. */
record ContactJob(String jobId, String source, String state, int total, int done, int failed,
                        Instant createdAt, Instant startedAt, Instant finishedAt, String error) {

    public static final String QUEUED = "QUEUED";
    public static final String RUNNING = "RUNNING";
    public static final String COMPLETED = "COMPLETED";
    public static final String FAILED = "FAILED";

    public int processed() {
        return done + failed;
    }

    /** Rows per second since the job started (until it finished), 0 before the first row. */
    public double rate(Instant now) {
        if (startedAt == null || processed() == 0) {
            return 0;
        }
        Instant end = finishedAt != null ? finishedAt : now;
        double seconds = Math.max(0.001, Duration.between(startedAt, end).toMillis() / 1000.0);
        return processed() / seconds;
    }

    /** Seconds left at the current rate; null while unknown, 0 once finished. */
    public Long etaSeconds(Instant now) {
        if (finishedAt != null) {
            return 0L;
        }
        double rate = rate(now);
        return rate <= 0 ? null : (long) Math.ceil(Math.max(0, total - processed()) / rate);
    }
}
