package io.github.attiocamel.sync;

import com.fasterxml.jackson.databind.util.RawValue;
import io.github.attiocamel.mirror.ChangeMessage;
import io.github.attiocamel.mirror.MirrorKind;
import io.github.attiocamel.mirror.MirrorRepository;
import io.github.attiocamel.mirror.MirrorRow;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reconciles full-sync pages with the mirror by hash ({@link ValuesHash}, the one definition of "changed" shared
 * with the webhook flow): new -> created, different (or a tombstone come back) -> updated, same -> unchanged (no
 * write beyond the run stamp, no change message). A page is classified first, its change messages are published,
 * and only then is it committed (one JDBC transaction, batched statements): a crash in between redoes the page on
 * resume and publishes its changes again, so the change feed is at least once, never lossy.
 */
public final class ReconciliationService {

    public static final String SOURCE = "full-sync";

    /** One classified page: what to write, and the change messages it causes. */
    public record PageResult(SyncRun run, int pageIndex, int records, List<MirrorRow> created, List<MirrorRow> updated,
                             Set<String> unchangedIds, List<Map<String, Object>> changes) {
        // Identity, not a record's deep equality: Camel's bean cache hashes the body when a route reads
        // ${body.changes}, and deep-hashing 500 rows with their values is a real share of a sync (docs/PERFORMANCE.md).
        @Override
        public boolean equals(Object other) {
            return this == other;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }

    private final MirrorRepository mirror;
    private final SyncRunRepository runs;
    private final SyncMetrics metrics;
    private final Clock clock;

    public ReconciliationService(MirrorRepository mirror, SyncRunRepository runs, SyncMetrics metrics, Clock clock) {
        this.mirror = mirror;
        this.runs = runs;
        this.metrics = metrics;
        this.clock = clock;
    }

    public PageResult classify(SyncRun run, ParallelPager.Page<MirrorRow> page) {
        // keyed by id: offset paging can repeat a row inside one page when Attio's data moves under us
        Map<String, MirrorRow> rows = new LinkedHashMap<>();
        for (MirrorRow row : page.records()) {
            rows.put(row.id(), row);
        }
        Map<String, String> known = mirror.hashes(run.kind(), run.target(), rows.keySet());
        List<MirrorRow> created = new ArrayList<>();
        List<MirrorRow> updated = new ArrayList<>();
        Set<String> unchanged = new LinkedHashSet<>();
        List<Map<String, Object>> changes = new ArrayList<>();
        for (MirrorRow row : rows.values()) {
            String hash = known.get(row.id());
            if (hash == null) {
                created.add(row);
                changes.add(change(run.kind(), "created", row, row.syncedAt()));
            } else if (hash.equals(row.valuesHash())) {
                unchanged.add(row.id());
            } else {
                updated.add(row);
                changes.add(change(run.kind(), "updated", row, row.syncedAt()));
            }
        }
        return new PageResult(run, page.index(), page.records().size(), created, updated, unchanged, changes);
    }

    /** Writes the page and counts it done (after its change messages went out). */
    public void commit(PageResult page) {
        SyncRun run = page.run();
        mirror.writeSyncPage(run.kind(), run.target(), run.runId(), page.created(), page.updated(), page.unchangedIds());
        boolean counted = runs.pageDone(run.runId(), page.pageIndex(), page.records(), page.created().size(),
                page.updated().size(), page.unchangedIds().size(), clock.instant());
        if (counted) {
            metrics.page(SyncRun.activeKey(run.kind(), run.target()), page.created().size(), page.updated().size(),
                    page.unchangedIds().size());
        }
    }

    /**
     * The deletion pass, once every page is done: one transaction tombstones every live row the run never saw. A
     * run resumed after the pass committed finds the same rows again by the pass's instant, so their change messages
     * are published at least once and no second, different pass ever runs.
     */
    public List<Map<String, Object>> deletionPass(SyncRun run) {
        Instant at = runs.beginDeletion(run.runId(), clock.instant());
        Set<String> ids = new LinkedHashSet<>(mirror.deleteUnseen(run.kind(), run.target(), run.runId(), at, SOURCE));
        if (run.deletionAt() != null) {
            // only a run adopted after its pass had begun can have tombstones of its own to publish again; the
            // lookup reads every row of the container (no index serves it), so a first pass skips it
            ids.addAll(mirror.deletedByPass(run.kind(), run.target(), run.runId(), at, SOURCE));
        }
        List<Map<String, Object>> changes = new ArrayList<>(ids.size());
        for (String id : ids) {
            changes.add(ChangeMessage.of(SOURCE, type(run.kind(), "deleted"), run.target(), id, null, at));
        }
        return changes;
    }

    /** The row's values go out as the canonical text already in hand; the change feed's marshal copies it as is. */
    private static Map<String, Object> change(MirrorKind kind, String what, MirrorRow row, Instant at) {
        return ChangeMessage.of(SOURCE, type(kind, what), row.container(), row.id(), new RawValue(row.valuesJson()),
                at);
    }

    private static String type(MirrorKind kind, String what) {
        return (kind == MirrorKind.RECORDS ? "record." : "list-entry.") + what;
    }
}
