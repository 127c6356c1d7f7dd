package io.github.attiocamel.contacts;

import io.github.attiocamel.store.WorkStatus;

import java.time.Instant;

/**
 * One batch import: its tracked part ({@code work_item}: state, rows worked through of the total, timing) and its own
 * ({@code contact_job}: where the rows came from, how many failed).
 */
record ContactJob(WorkStatus work, String source, int failed) {

    public String jobId() {
        return work.workId();
    }

    public String state() {
        return work.state();
    }

    public int total() {
        return (int) work.total();
    }

    /** Rows upserted: the rows worked through, less the failed ones. */
    public int done() {
        return (int) (work.done() - failed);
    }

    public int processed() {
        return (int) work.done();
    }

    public Instant createdAt() {
        return work.createdAt();
    }

    public Instant startedAt() {
        return work.startedAt();
    }

    public Instant finishedAt() {
        return work.finishedAt();
    }

    public String error() {
        return work.error();
    }

    /** Rows per second since the job started (until it finished), 0 before the first row. */
    public double rate(Instant now) {
        return work.rate(now);
    }

    /** Seconds left at the current rate; null while unknown, 0 once finished. */
    public Long etaSeconds(Instant now) {
        return work.etaSeconds(now);
    }
}
