package io.github.attiocamel.sync;

import io.github.attiocamel.mirror.MirrorKind;
import io.github.attiocamel.store.WorkStatus;

import java.time.Instant;

/**
 * One full-sync run of one object ({@link MirrorKind#RECORDS}) or list ({@link MirrorKind#ENTRIES}): its tracked part
 * ({@code work_item}: state, records done of the records expected, holder, resumes) and its own ({@code sync_run}).
 * {@code pages} counts the pages done in offset order (a contiguous prefix), which is where a resumed run continues;
 * {@code deletionAt} is set once the deletion pass has begun. Of its {@code candidates} (live rows it did not see),
 * {@code confirmed} were gone from Attio and tombstoned, {@code unconfirmed} could not be checked and stay live;
 * {@code held} are waiting for an operator because they were too many to trust.
 */
record SyncRun(
        WorkStatus work,
        MirrorKind kind,
        String target,
        int pages,
        long created,
        long updated,
        long unchanged,
        long deleted,
        int pageSize,
        String triggerSource,
        Instant deletionAt,
        long candidates,
        long confirmed,
        long unconfirmed,
        long held) {

    /** The run's states as the API shows them: a queued run is already "running" to its caller. */
    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    /** Pages done, but its deletions wait for POST /api/sync/runs/{id}/deletions:confirm. */
    public static final String DELETIONS_HELD = "deletions_held";

    /** {@code records:people}, {@code entries:sales}: the key of "one active run per target". */
    public static String activeKey(MirrorKind kind, String target) {
        return kind.name().toLowerCase() + ":" + target;
    }

    public String runId() {
        return work.workId();
    }

    public String state() {
        return switch (work.state()) {
            case WorkStatus.COMPLETED -> held > 0 ? DELETIONS_HELD : COMPLETED;
            case WorkStatus.FAILED -> FAILED;
            default -> RUNNING;
        };
    }

    /** When the run was claimed: a run counts as started from its trigger, queued or not. */
    public Instant startedAt() {
        return work.createdAt();
    }

    public Instant finishedAt() {
        return work.finishedAt();
    }

    public Instant heartbeatAt() {
        return work.heartbeatAt();
    }

    public long records() {
        return work.done();
    }

    /** Live mirror rows when the run was claimed: the expected size, for the ETA and the pager's hint. */
    public long expectedRecords() {
        return work.total();
    }

    public String error() {
        return work.error();
    }

    public int resumes() {
        return work.resumes();
    }

    public String activeKey() {
        return activeKey(kind, target);
    }
}
