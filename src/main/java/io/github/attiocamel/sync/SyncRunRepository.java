package io.github.attiocamel.sync;

import io.github.attiocamel.mirror.MirrorKind;
import io.github.attiocamel.store.StoreException;

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
 * Persistent state of full-sync runs ({@code sync_run}, V1 + V30). The database, not the JVM, decides that a target
 * has at most one active run ({@code active_key} is UNIQUE while a run is active), so two triggers at once, or two
 * processes on one PostgreSQL, still produce one run.
 */
final class SyncRunRepository {

    /** The answer to a trigger: the run that will mirror the target, and whether this trigger started it. */
    public record Claim(String runId, boolean started) {}

    private static final String COLUMNS = "run_id, target_kind, target, state, started_at, finished_at, heartbeat_at, "
            + "pages, records, created, updated, unchanged, deleted, error, page_size, expected_records, "
            + "trigger_source, resumes, deletion_at";

    private final DataSource dataSource;

    public SyncRunRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Starts a run of the target, or answers the run already active for it (the second trigger joins it). */
    public Claim claim(MirrorKind kind, String target, int pageSize, long expectedRecords, String trigger, Instant now) {
        String key = SyncRun.activeKey(kind, target);
        for (int attempt = 0; attempt < 5; attempt++) {
            String runId = UUID.randomUUID().toString();
            String sql = "INSERT INTO sync_run (run_id, target_kind, target, state, started_at, heartbeat_at, page_size, "
                    + "expected_records, trigger_source, active_key) VALUES (?,?,?,?,?,?,?,?,?,?)";
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, runId);
                ps.setString(2, kind.name());
                ps.setString(3, target);
                ps.setString(4, SyncRun.RUNNING);
                ps.setTimestamp(5, ts(now));
                ps.setTimestamp(6, ts(now));
                ps.setInt(7, pageSize);
                ps.setLong(8, expectedRecords);
                ps.setString(9, trigger);
                ps.setString(10, key);
                ps.executeUpdate();
                return new Claim(runId, true);
            } catch (SQLException e) {
                if (!isDuplicateKey(e)) {
                    throw new StoreException("cannot start a sync run of " + key, e);
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
        try (Connection c = dataSource.getConnection();
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
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM sync_run WHERE run_id = ?")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read sync run " + runId, e);
        }
    }

    /**
     * Counts page {@code pageIndex} as done. Guarded on {@code pages = pageIndex}: a page redone after a crash (its
     * mirror write committed, this update not) is counted once, and pages are only ever counted in offset order.
     */
    public boolean pageDone(String runId, int pageIndex, int records, int created, int updated, int unchanged,
                            Instant now) {
        String sql = "UPDATE sync_run SET pages = pages + 1, records = records + ?, created = created + ?, "
                + "updated = updated + ?, unchanged = unchanged + ?, heartbeat_at = ? WHERE run_id = ? AND pages = ? "
                + "AND state = ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, records);
            ps.setInt(2, created);
            ps.setInt(3, updated);
            ps.setInt(4, unchanged);
            ps.setTimestamp(5, ts(now));
            ps.setString(6, runId);
            ps.setInt(7, pageIndex);
            ps.setString(8, SyncRun.RUNNING);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException("cannot record page " + pageIndex + " of sync run " + runId, e);
        }
    }

    /** Marks the start of the deletion pass (kept to the millisecond so the same instant can be found again). */
    public Instant beginDeletion(String runId, Instant now) {
        Instant at = now.truncatedTo(ChronoUnit.MILLIS);
        update("UPDATE sync_run SET deletion_at = COALESCE(deletion_at, ?), heartbeat_at = ? WHERE run_id = ?",
                runId, ts(at), ts(now), runId);
        return find(runId).map(SyncRun::deletionAt).orElse(at);
    }

    public void complete(String runId, long deleted, Instant now) {
        update("UPDATE sync_run SET state = ?, deleted = ?, finished_at = ?, heartbeat_at = ?, active_key = NULL "
                + "WHERE run_id = ? AND state = ?", runId, SyncRun.COMPLETED, deleted, ts(now), ts(now), runId,
                SyncRun.RUNNING);
    }

    public void fail(String runId, String error, Instant now) {
        String trimmed = error == null ? null : error.substring(0, Math.min(error.length(), 4000));
        update("UPDATE sync_run SET state = ?, error = ?, finished_at = ?, heartbeat_at = ?, active_key = NULL "
                + "WHERE run_id = ? AND state = ?", runId, SyncRun.FAILED, trimmed, ts(now), ts(now), runId,
                SyncRun.RUNNING);
    }

    public void heartbeat(String runId, Instant now) {
        update("UPDATE sync_run SET heartbeat_at = ? WHERE run_id = ?", runId, ts(now), runId);
    }

    /** Active runs nobody has shown a sign of life for since {@code staleBefore}: their process died. */
    public List<SyncRun> orphans(Instant staleBefore) {
        String sql = "SELECT " + COLUMNS + " FROM sync_run WHERE state = ? AND heartbeat_at <= ? ORDER BY started_at";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, SyncRun.RUNNING);
            ps.setTimestamp(2, ts(staleBefore));
            List<SyncRun> runs = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    runs.add(read(rs));
                }
            }
            return runs;
        } catch (SQLException e) {
            throw new StoreException("cannot list orphaned sync runs", e);
        }
    }

    /** Takes over an orphaned run; compare-and-set on {@code resumes}, so exactly one process wins. */
    public boolean adopt(SyncRun orphan, Instant now) {
        String sql = "UPDATE sync_run SET resumes = resumes + 1, heartbeat_at = ? WHERE run_id = ? AND resumes = ? "
                + "AND state = ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setTimestamp(1, ts(now));
            ps.setString(2, orphan.runId());
            ps.setInt(3, orphan.resumes());
            ps.setString(4, SyncRun.RUNNING);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException("cannot adopt sync run " + orphan.runId(), e);
        }
    }

    private void update(String sql, String runId, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("cannot update sync run " + runId, e);
        }
    }

    private static SyncRun read(ResultSet rs) throws SQLException {
        return new SyncRun(rs.getString("run_id"), MirrorKind.valueOf(rs.getString("target_kind")),
                rs.getString("target"), rs.getString("state"), instant(rs, "started_at"), instant(rs, "finished_at"),
                instant(rs, "heartbeat_at"), rs.getInt("pages"), rs.getLong("records"), rs.getLong("created"),
                rs.getLong("updated"), rs.getLong("unchanged"), rs.getLong("deleted"), rs.getString("error"),
                rs.getInt("page_size"), rs.getLong("expected_records"), rs.getString("trigger_source"),
                rs.getInt("resumes"), instant(rs, "deletion_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static Timestamp ts(Instant instant) {
        return Timestamp.from(instant);
    }

    private static boolean isDuplicateKey(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("23");
    }
}
