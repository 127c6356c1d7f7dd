package io.github.attiocamel.sync;

import io.github.attiocamel.mirror.MirrorKind;

import java.time.Instant;

/**
 * One full-sync run of one object ({@link MirrorKind#RECORDS}) or list ({@link MirrorKind#ENTRIES}) as persisted in
 * {@code sync_run}. {@code pages} counts the pages done in offset order (a contiguous prefix), which is where a
 * resumed run continues; {@code deletionAt} is set once the deletion pass has begun.
 */
record SyncRun(
        String runId,
        MirrorKind kind,
        String target,
        String state,
        Instant startedAt,
        Instant finishedAt,
        Instant heartbeatAt,
        int pages,
        long records,
        long created,
        long updated,
        long unchanged,
        long deleted,
        String error,
        int pageSize,
        long expectedRecords,
        String triggerSource,
        int resumes,
        Instant deletionAt) {

    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";

    /** {@code records:people}, {@code entries:sales}: the key of "one active run per target". */
    public static String activeKey(MirrorKind kind, String target) {
        return kind.name().toLowerCase() + ":" + target;
    }
}
