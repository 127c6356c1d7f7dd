package io.github.attiocamel.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.github.attiocamel.gateway.AttioException;
import io.github.attiocamel.gateway.AttioGateway;
import io.github.attiocamel.mirror.ChangeFilter;
import io.github.attiocamel.mirror.ChangeMessage;
import io.github.attiocamel.mirror.MirrorKind;
import io.github.attiocamel.mirror.MirrorRepository;
import io.github.attiocamel.mirror.MirrorRow;
import io.github.attiocamel.mirror.MirrorRows;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reconciles full-sync pages with the mirror by hash ({@link ValuesHash}, the one definition of "changed" shared
 * with the webhook flow): new -> created, different (or a tombstone come back) -> updated, same -> unchanged (no
 * write beyond the run stamp, no change message). A classified page is committed in one JDBC transaction (batched
 * statements) together with its change messages in the outbox: a crash before the commit redoes the page on resume,
 * one after it finds the page written and its messages on their way. A row the run did not see is only a deletion
 * candidate until Attio confirms it gone ({@link #confirm}). An update that touches none of the attributes an
 * {@code attio.changes.attributes.*} filter asks for is written but not published.
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

    /** A run's deletion candidates, found at the pass's instant {@code at}; {@code held} when too many to trust. */
    public record Candidates(SyncRun run, Instant at, List<String> ids, boolean held) {
        public int size() {
            return ids.size();
        }
    }

    /** What confirming candidates did: the change messages it wrote, the rows tombstoned, and those Attio gave no answer on. */
    public record Confirmation(SyncRun run, List<Map<String, Object>> changes, long confirmed, long unconfirmed) {}

    private static final Logger LOG = LoggerFactory.getLogger("attio.sync");

    private final MirrorRepository mirror;
    private final SyncRunRepository runs;
    private final Supplier<AttioGateway> gateway;
    private final SyncMetrics metrics;
    private final ChangeFilter filter;
    private final double holdShare;
    private final Clock clock;

    public ReconciliationService(MirrorRepository mirror, SyncRunRepository runs, Supplier<AttioGateway> gateway,
                                 SyncMetrics metrics, ChangeFilter filter, double holdShare, Clock clock) {
        this.mirror = mirror;
        this.runs = runs;
        this.gateway = gateway;
        this.metrics = metrics;
        this.filter = filter;
        this.holdShare = holdShare;
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
        Map<String, String> previous = previousValues(run, rows.values(), known);
        for (MirrorRow row : rows.values()) {
            String hash = known.get(row.id());
            if (hash == null) {
                created.add(row);
                changes.add(change(run.kind(), "created", row, row.syncedAt()));
            } else if (hash.equals(row.valuesHash())) {
                unchanged.add(row.id());
            } else {
                updated.add(row);
                // a tombstone come back to life has no previous values here, so it is published whatever the filter
                String before = previous.get(row.id());
                if (before == null
                        || filter.publishesUpdate(run.target(), before, ChangeFilter.read(row.valuesJson()))) {
                    changes.add(change(run.kind(), "updated", row, row.syncedAt()));
                }
            }
        }
        return new PageResult(run, page.index(), page.records().size(), created, updated, unchanged, changes);
    }

    /** The stored values of the live rows that changed, read only when an attribute filter covers the target. */
    private Map<String, String> previousValues(SyncRun run, Collection<MirrorRow> rows, Map<String, String> known) {
        if (!filter.filters(run.target())) {
            return Map.of();
        }
        List<String> changed = rows.stream().filter(row -> {
            String hash = known.get(row.id());
            return hash != null && !hash.startsWith("deleted:") && !hash.equals(row.valuesHash());
        }).map(MirrorRow::id).toList();
        return mirror.valuesOf(run.kind(), run.target(), changed);
    }

    /** Writes the page with its change messages and counts it done. */
    public void commit(PageResult page) {
        SyncRun run = page.run();
        mirror.writeSyncPage(run.kind(), run.target(), run.runId(), page.created(), page.updated(), page.unchangedIds(),
                page.changes());
        boolean counted = runs.pageDone(run.runId(), page.pageIndex(), page.records(), page.created().size(),
                page.updated().size(), page.unchangedIds().size(), clock.instant());
        if (counted) {
            metrics.page(SyncRun.activeKey(run.kind(), run.target()), page.created().size(), page.updated().size(),
                    page.unchangedIds().size());
        }
    }

    /**
     * The deletion candidates once every page is done: the live rows the run never saw, kept with the run. They are
     * held when more than {@code holdShare} of the mirror, as an Attio-side mistake or a token that lost its scope
     * would look: nothing is deleted until an operator confirms them.
     */
    public Candidates candidates(SyncRun run) {
        Instant at = runs.beginDeletion(run.runId(), clock.instant());
        List<String> ids = mirror.unseen(run.kind(), run.target(), run.runId());
        long live = mirror.count(run.kind(), run.target(), false);
        runs.saveCandidates(run.runId(), ids);
        return new Candidates(run, at, ids, ids.size() > holdShare * live);
    }

    /** The candidates a held run kept, for confirmation on an operator's word. */
    public Candidates heldCandidates(SyncRun run) {
        return new Candidates(run, run.deletionAt(), runs.candidates(run.runId()), false);
    }

    /**
     * Asks Attio about each candidate before anything is deleted: gone (404) -> tombstoned, in one transaction;
     * still there (a row that shifted past the run's pages) -> refreshed like a page row; no answer -> left live and
     * counted unconfirmed, for the next run to look at again. Tombstones and their change messages commit together;
     * a pass resumed after that finds its tombstones again by the pass's instant, to count them.
     */
    public Confirmation confirm(Candidates candidates) {
        SyncRun run = candidates.run();
        AttioGateway g = gateway.get();
        List<Map<String, Object>> changes = new ArrayList<>();
        List<String> gone = new ArrayList<>();
        long unconfirmed = 0;
        for (String id : candidates.ids()) {
            Optional<JsonNode> item;
            try {
                item = fetch(g, run, id);
            } catch (AttioException e) {
                unconfirmed++;
                LOG.warn("[attio-full-sync] {} run {}: {} kept, Attio did not say whether it is gone: {}",
                        run.activeKey(), run.runId(), id, e.getMessage());
                continue;
            }
            if (item.isEmpty()) {
                gone.add(id);
                continue;
            }
            MirrorRow row = MirrorRows.of(run.kind(), run.target(), item.get(), clock.instant(), SOURCE);
            Map<String, Object> refreshed = change(run.kind(), "updated", row, row.syncedAt());
            // a live candidate was live in the mirror: the filter compares with what the mirror holds for it
            String before = filter.filters(run.target())
                    ? mirror.valuesOf(run.kind(), run.target(), List.of(id)).get(id) : null;
            boolean published = before == null
                    || filter.publishesUpdate(run.target(), before, ChangeFilter.read(row.valuesJson()));
            if (mirror.upsert(row, outcome -> outcome == MirrorRepository.Outcome.UNCHANGED || !published ? List.of()
                    : List.of(refreshed)) != MirrorRepository.Outcome.UNCHANGED && published) {
                changes.add(refreshed);
            }
        }
        List<String> tombstoned = mirror.tombstoneLive(run.kind(), run.target(), gone, candidates.at(), SOURCE,
                id -> ChangeMessage.of(SOURCE, type(run.kind(), "deleted"), run.target(), id, null, candidates.at()));
        Set<String> deleted = new LinkedHashSet<>(tombstoned);
        if (run.deletionAt() != null) {
            // only a run adopted after its pass had begun can have tombstones of its own from before; the lookup
            // reads every row of the container (no index serves it), so a first pass skips it
            deleted.addAll(mirror.deletedByPass(run.kind(), run.target(), run.runId(), candidates.at(), SOURCE));
        }
        for (String id : tombstoned) {
            changes.add(ChangeMessage.of(SOURCE, type(run.kind(), "deleted"), run.target(), id, null,
                    candidates.at()));
        }
        return new Confirmation(run, changes, deleted.size(), unconfirmed);
    }

    private static Optional<JsonNode> fetch(AttioGateway g, SyncRun run, String id) {
        if (run.kind() == MirrorKind.RECORDS) {
            // a cached copy says nothing about whether the record still exists
            g.invalidateRecord(run.target(), id);
            return g.getRecord(run.target(), id);
        }
        return g.getEntry(run.target(), id);
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
