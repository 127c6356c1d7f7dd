package io.github.attiocamel.sync;

import io.github.attiocamel.mirror.MirrorKind;
import io.github.attiocamel.store.StoreException;
import io.github.attiocamel.store.WorkLostException;
import io.github.attiocamel.store.WorkRepository;
import io.github.attiocamel.store.WorkStatus;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Persistent state of full-sync runs: the tracked part in {@code work_item} (kind {@value #KIND}) and the sync's own
 * in {@code sync_run} (V1, V30, V40), written together in one transaction. The database, not the JVM, decides that a
 * target has at most one active run ({@code active_key} is UNIQUE while a run is active), so two triggers at once, or
 * two processes on one PostgreSQL, still produce one run.
 */
final class SyncRunRepository {

    static final String KIND = "sync-run";

    /** The answer to a trigger: the run that will mirror the target, and whether this trigger started it. */
    public record Claim(String runId, boolean started) {}

    private static final String SELECT = "SELECT " + WorkRepository.COLUMNS + ", s.target_kind, s.target, s.pages, "
            + "s.created, s.updated, s.unchanged, s.deleted, s.page_size, s.trigger_source, s.deletion_at, "
            + "s.candidates, s.confirmed, s.unconfirmed, s.held FROM sync_run s JOIN work_item w ON w.work_id = s.run_id ";

    private final WorkRepository work;

    /** Runs as this process (the holder of {@code work}) sees and writes them. */
    SyncRunRepository(WorkRepository work) {
        this.work = work;
    }

    /** A repository under a holder name of its own, as another process would have (tools and tests). */
    SyncRunRepository(DataSource dataSource) {
        this(new WorkRepository(dataSource, WorkRepository.newHolder()));
    }

    /** Starts a run of the target (queued, held by this process), or answers the run already active for it. */
    public Claim claim(MirrorKind kind, String target, int pageSize, long expectedRecords, String trigger,
                       Instant now) {
        String key = SyncRun.activeKey(kind, target);
        for (int attempt = 0; attempt < 5; attempt++) {
            String runId = UUID.randomUUID().toString();
            try {
                work.inTransaction("start a sync run of " + key, c -> {
                    work.create(c, runId, KIND, expectedRecords, now);
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO sync_run (run_id, target_kind, target, "
                            + "page_size, trigger_source, active_key) VALUES (?, ?, ?, ?, ?, ?)")) {
                        ps.setString(1, runId);
                        ps.setString(2, kind.name());
                        ps.setString(3, target);
                        ps.setInt(4, pageSize);
                        ps.setString(5, trigger);
                        ps.setString(6, key);
                        ps.executeUpdate();
                    }
                    return null;
                });
                return new Claim(runId, true);
            } catch (StoreException e) {
                if (!(e.getCause() instanceof SQLException sql) || !isDuplicateKey(sql)) {
                    throw e;
                }
            }
            Optional<String> active = activeRunId(key);
            if (active.isPresent()) {
                return new Claim(active.get(), false);
            }
            // the active run finished between our INSERT and SELECT: try again
        }
        throw new StoreException("cannot start a sync run of " + key + ": the target keeps changing hands", null);
    }

    private Optional<String> activeRunId(String key) {
        try (Connection c = work.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT run_id FROM sync_run WHERE active_key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read the active sync run of " + key, e);
        }
    }

    public Optional<SyncRun> find(String runId) {
        List<SyncRun> found = query(SELECT + "WHERE s.run_id = ?", runId);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** QUEUED -> RUNNING when the run gets one of the concurrent-run slots; false when this process lost it. */
    public boolean start(String runId, Instant now) {
        return work.start(runId, now);
    }

    /**
     * Counts page {@code pageIndex} as done. Guarded on {@code pages = pageIndex}: a page redone after a crash (its
     * mirror write committed, this update not) is counted once, and pages are only ever counted in offset order.
     * Counted only while this process holds the run.
     */
    public boolean pageDone(String runId, int pageIndex, int records, int created, int updated, int unchanged,
                            Instant now) {
        return work.inTransaction("record page " + pageIndex + " of sync run " + runId, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE sync_run SET pages = pages + 1, created = created + ?, "
                    + "updated = updated + ?, unchanged = unchanged + ? WHERE run_id = ? AND pages = ?")) {
                ps.setInt(1, created);
                ps.setInt(2, updated);
                ps.setInt(3, unchanged);
                ps.setString(4, runId);
                ps.setInt(5, pageIndex);
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            if (!work.addDone(c, runId, records)) {
                c.rollback();
                return false;
            }
            return true;
        });
    }

    /**
     * Marks the start of the deletion pass (kept to the millisecond so the same instant can be found again). Only the
     * holder may begin it: a process that lost the run must not delete anything.
     */
    public Instant beginDeletion(String runId, Instant now) {
        Instant at = now.truncatedTo(ChronoUnit.MILLIS);
        boolean held = work.inTransaction("begin the deletion pass of sync run " + runId, c -> {
            if (!work.holds(c, runId)) {
                return false;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE sync_run SET deletion_at = COALESCE(deletion_at, ?) WHERE run_id = ?")) {
                ps.setTimestamp(1, Timestamp.from(at));
                ps.setString(2, runId);
                ps.executeUpdate();
            }
            return true;
        });
        if (!held) {
            throw new WorkLostException(runId);
        }
        return find(runId).map(SyncRun::deletionAt).orElse(at);
    }

    /**
     * Keeps the run's deletion candidates (replacing those of an earlier, interrupted pass), so a held run can still
     * confirm them later. Only the holder may.
     */
    public void saveCandidates(String runId, List<String> ids) {
        boolean held = work.inTransaction("keep the deletion candidates of sync run " + runId, c -> {
            if (!work.holds(c, runId)) {
                return false;
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM sync_candidate WHERE run_id = ?")) {
                ps.setString(1, runId);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO sync_candidate (run_id, item_id) VALUES (?, ?)")) {
                for (String id : ids) {
                    ps.setString(1, runId);
                    ps.setString(2, id);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE sync_run SET candidates = ? WHERE run_id = ?")) {
                ps.setLong(1, ids.size());
                ps.setString(2, runId);
                ps.executeUpdate();
            }
            return true;
        });
        if (!held) {
            throw new WorkLostException(runId);
        }
    }

    /** The deletion candidates the run kept. */
    public List<String> candidates(String runId) {
        try (Connection c = work.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT item_id FROM sync_candidate WHERE run_id = ?")) {
            ps.setString(1, runId);
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        } catch (SQLException e) {
            throw new StoreException("cannot read the deletion candidates of sync run " + runId, e);
        }
    }

    /** Completed with its confirmed deletions; the target is free again. False when this process no longer holds it. */
    public boolean complete(String runId, long confirmed, long unconfirmed, Instant now) {
        return finish(runId, WorkStatus.COMPLETED, null, confirmed, unconfirmed, 0, now);
    }

    /** Completed with its deletions held for an operator; the target is free again, the candidates are kept. */
    public boolean hold(String runId, long held, Instant now) {
        return finish(runId, WorkStatus.COMPLETED, null, 0, 0, held, now);
    }

    /** Failed (nothing deleted); the target is free again. False when this process no longer holds it. */
    public boolean fail(String runId, String error, Instant now) {
        return finish(runId, WorkStatus.FAILED, error, 0, 0, 0, now);
    }

    private boolean finish(String runId, String state, String error, long confirmed, long unconfirmed, long held,
                           Instant now) {
        return work.inTransaction("finish sync run " + runId, c -> {
            if (!work.finish(c, runId, state, error, now)) {
                return false;
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE sync_run SET deleted = ?, confirmed = ?, "
                    + "unconfirmed = ?, held = ?, active_key = NULL WHERE run_id = ?")) {
                ps.setLong(1, confirmed);
                ps.setLong(2, confirmed);
                ps.setLong(3, unconfirmed);
                ps.setLong(4, held);
                ps.setString(5, runId);
                ps.executeUpdate();
            }
            if (held == 0) {
                dropCandidates(c, runId);
            }
            return true;
        });
    }

    /**
     * Takes the run's held deletions for confirmation: true for exactly one caller, so two confirmations at once
     * cannot both act on them.
     */
    public boolean releaseHold(String runId) {
        return work.inTransaction("release the held deletions of sync run " + runId, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE sync_run SET held = 0 WHERE run_id = ? AND held > 0")) {
                ps.setString(1, runId);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Records the outcome of confirming a held run's candidates and drops them. */
    public void heldConfirmed(String runId, long confirmed, long unconfirmed) {
        work.inTransaction("record the confirmed deletions of sync run " + runId, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE sync_run SET deleted = ?, confirmed = ?, "
                    + "unconfirmed = ? WHERE run_id = ?")) {
                ps.setLong(1, confirmed);
                ps.setLong(2, confirmed);
                ps.setLong(3, unconfirmed);
                ps.setString(4, runId);
                ps.executeUpdate();
            }
            dropCandidates(c, runId);
            return null;
        });
    }

    private static void dropCandidates(Connection c, String runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM sync_candidate WHERE run_id = ?")) {
            ps.setString(1, runId);
            ps.executeUpdate();
        }
    }

    /** Active runs nobody holds since {@code staleBefore}: the tracker's stale work, seen as sync runs. */
    public List<SyncRun> orphans(Instant staleBefore) {
        List<SyncRun> runs = new ArrayList<>();
        for (WorkStatus w : work.stale(List.of(KIND), staleBefore)) {
            find(w.workId()).ifPresent(runs::add);
        }
        return runs;
    }

    /** Takes over an orphaned run by the tracker's compare-and-set, so exactly one process wins. */
    public boolean adopt(SyncRun orphan, Instant now) {
        return work.adopt(orphan.runId(), orphan.resumes(), orphan.heartbeatAt(), now);
    }

    private List<SyncRun> query(String sql, Object... params) {
        try (Connection c = work.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            List<SyncRun> runs = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    runs.add(read(rs));
                }
            }
            return runs;
        } catch (SQLException e) {
            throw new StoreException("cannot read sync runs", e);
        }
    }

    private static SyncRun read(ResultSet rs) throws SQLException {
        Timestamp deletionAt = rs.getTimestamp("deletion_at");
        return new SyncRun(WorkRepository.read(rs), MirrorKind.valueOf(rs.getString("target_kind")),
                rs.getString("target"), rs.getInt("pages"), rs.getLong("created"), rs.getLong("updated"),
                rs.getLong("unchanged"), rs.getLong("deleted"), rs.getInt("page_size"), rs.getString("trigger_source"),
                deletionAt == null ? null : deletionAt.toInstant(), rs.getLong("candidates"), rs.getLong("confirmed"),
                rs.getLong("unconfirmed"), rs.getLong("held"));
    }

    private static boolean isDuplicateKey(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("23");
    }
}
