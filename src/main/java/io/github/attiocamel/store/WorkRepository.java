package io.github.attiocamel.store;

import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The rows of {@code work_item} (V40) as one process, the {@code holder}, sees and writes them. Every write a holder
 * makes is guarded on still holding the work, so a process that stalled past its staleness and was taken over can
 * never overwrite what the new holder does. Flows write their specifics in the same transaction as the common part
 * ({@link #inTransaction}), so the two tables never disagree.
 */
public final class WorkRepository {

    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    private static final String ACTIVE = "state IN ('" + WorkStatus.QUEUED + "', '" + WorkStatus.RUNNING + "')";
    /** Column list of {@link #read}, for flows that join their table to this one. */
    public static final String COLUMNS = "w.work_id, w.kind, w.state, w.total, w.done, w.created_at, w.started_at, "
            + "w.finished_at, w.error, w.holder, w.heartbeat_at, w.held_at, w.done_at_hold, w.resumes";

    /** The kind of the one work item per process that only shows the process is alive ({@link #holderAlive}). */
    public static final String PRESENCE_KIND = "process";

    private final DataSource dataSource;
    private final String holder;
    private final StoreDialect dialect;

    public WorkRepository(DataSource dataSource, String holder) {
        this.dataSource = dataSource;
        this.holder = holder;
        this.dialect = StoreDialect.of(dataSource);
    }

    /** A name for this process that no other process, nor a later start of this one, shares: host, pid, random. */
    public static String newHolder() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown-host";
        }
        return host + "/" + ProcessHandle.current().pid() + "/" + UUID.randomUUID().toString().substring(0, 8);
    }

    public String holder() {
        return holder;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T inTransaction(String what, SqlWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot " + what, e);
        }
    }

    /** New work, QUEUED and held by this process from the start (so nobody else picks it up before it runs). */
    public void create(Connection c, String workId, String kind, long total, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO work_item (work_id, kind, state, total, "
                + "created_at, holder, heartbeat_at, held_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, workId);
            ps.setString(2, kind);
            ps.setString(3, WorkStatus.QUEUED);
            ps.setLong(4, total);
            ps.setTimestamp(5, ts(now));
            ps.setString(6, holder);
            ps.setTimestamp(7, ts(now));
            ps.setTimestamp(8, ts(now));
            ps.executeUpdate();
        }
    }

    /** QUEUED -> RUNNING; a resumed RUNNING work keeps its first start. False when this process does not hold it. */
    public boolean start(String workId, Instant now) {
        return update("start work " + workId, "UPDATE work_item SET state = ?, started_at = COALESCE(started_at, ?) "
                + "WHERE work_id = ? AND holder = ? AND " + ACTIVE, WorkStatus.RUNNING, ts(now), workId, holder) == 1;
    }

    /** Counts {@code units} more done. False when this process does not hold the work (nothing is counted then). */
    public boolean addDone(Connection c, String workId, long units) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE work_item SET done = done + ? WHERE work_id = ? AND "
                + "holder = ? AND " + ACTIVE)) {
            ps.setLong(1, units);
            ps.setString(2, workId);
            ps.setString(3, holder);
            return ps.executeUpdate() == 1;
        }
    }

    public boolean addDone(String workId, long units) {
        return inTransaction("count work " + workId, c -> addDone(c, workId, units));
    }

    /** COMPLETED or FAILED, for good. False when this process does not hold the work. */
    public boolean finish(Connection c, String workId, String state, String error, Instant now) throws SQLException {
        if (!WorkStatus.COMPLETED.equals(state) && !WorkStatus.FAILED.equals(state)) {
            throw new IllegalArgumentException("work finishes COMPLETED or FAILED, not " + state);
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE work_item SET state = ?, error = ?, finished_at = ?, "
                + "heartbeat_at = ? WHERE work_id = ? AND holder = ? AND " + ACTIVE)) {
            ps.setString(1, state);
            ps.setString(2, truncate(error, 4000));
            ps.setTimestamp(3, ts(now));
            ps.setTimestamp(4, ts(now));
            ps.setString(5, workId);
            ps.setString(6, holder);
            return ps.executeUpdate() == 1;
        }
    }

    public boolean finish(String workId, String state, String error, Instant now) {
        return inTransaction("finish work " + workId, c -> finish(c, workId, state, error, now));
    }

    /** Back to QUEUED with nothing done, to run again from its beginning; false when this process does not hold it. */
    public boolean restart(Connection c, String workId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE work_item SET state = ?, done = 0, done_at_hold = 0, "
                + "started_at = NULL, finished_at = NULL, error = NULL WHERE work_id = ? AND holder = ? AND "
                + ACTIVE)) {
            ps.setString(1, WorkStatus.QUEUED);
            ps.setString(2, workId);
            ps.setString(3, holder);
            return ps.executeUpdate() == 1;
        }
    }

    /** True when this process holds the work and it is still active. */
    public boolean holds(Connection c, String workId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM work_item WHERE work_id = ? AND holder = ? AND "
                + ACTIVE)) {
            ps.setString(1, workId);
            ps.setString(2, holder);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    public Optional<WorkStatus> find(String workId) {
        List<WorkStatus> found = query("SELECT " + COLUMNS + " FROM work_item w WHERE w.work_id = ?", workId);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /**
     * Active work of these kinds that nobody holds any more: released by a clean stop, or whose holder has shown no
     * life since {@code staleBefore}. Oldest first.
     */
    public List<WorkStatus> stale(Collection<String> kinds, Instant staleBefore) {
        if (kinds.isEmpty()) {
            return List.of();
        }
        String sql = "SELECT " + COLUMNS + " FROM work_item w WHERE w." + ACTIVE + " AND (w.holder IS NULL OR "
                + "w.heartbeat_at <= ?) AND w.kind IN (" + placeholders(kinds.size()) + ") ORDER BY w.created_at";
        List<Object> params = new ArrayList<>();
        params.add(ts(staleBefore));
        params.addAll(kinds);
        return query(sql, params.toArray());
    }

    /**
     * Takes over work nobody holds: a compare-and-set on the {@code resumes} count the caller saw and on the work still
     * being unheld or stale at {@code staleBefore}, so a holder that renewed its heartbeat in the meantime keeps its
     * work, and of two processes adopting the same work exactly one succeeds. On PostgreSQL a row another transaction
     * is writing (its holder's heartbeat, another adopter) is passed over at once ({@code SKIP LOCKED}) rather than
     * waited for: either way this process would not get it.
     */
    public boolean adopt(String workId, int seenResumes, Instant staleBefore, Instant now) {
        String adoptable = "work_id = ? AND resumes = ? AND " + ACTIVE + " AND (holder IS NULL OR heartbeat_at <= ?)";
        return update("adopt work " + workId, "UPDATE work_item SET holder = ?, heartbeat_at = ?, held_at = ?, "
                        + "done_at_hold = done, resumes = resumes + 1 WHERE " + (dialect.postgresql()
                        ? "work_id IN (SELECT work_id FROM work_item WHERE " + adoptable + " FOR UPDATE SKIP LOCKED)"
                        : adoptable),
                holder, ts(now), ts(now), workId, seenResumes, staleBefore == null ? null : ts(staleBefore)) == 1;
    }

    /** Renews the heartbeat of the given work and answers the ids this process still holds (others were taken over). */
    public Set<String> renew(Collection<String> workIds, Instant now) {
        if (workIds.isEmpty()) {
            return Set.of();
        }
        List<Object> params = new ArrayList<>(List.of(ts(now), holder));
        params.addAll(workIds);
        int renewed = update("renew heartbeats", "UPDATE work_item SET heartbeat_at = ? WHERE holder = ? AND " + ACTIVE
                + " AND work_id IN (" + placeholders(workIds.size()) + ")", params.toArray());
        if (renewed == workIds.size()) {
            return new LinkedHashSet<>(workIds);
        }
        List<Object> select = new ArrayList<>(List.of(holder));
        select.addAll(workIds);
        Set<String> held = new LinkedHashSet<>();
        for (WorkStatus w : query("SELECT " + COLUMNS + " FROM work_item w WHERE w.holder = ? AND w." + ACTIVE
                + " AND w.work_id IN (" + placeholders(workIds.size()) + ")", select.toArray())) {
            held.add(w.workId());
        }
        return Collections.unmodifiableSet(held);
    }

    /** Lets go of all active work this process holds, so that the next process to look adopts it at once. */
    public int release() {
        return update("release work", "UPDATE work_item SET holder = NULL WHERE holder = ? AND " + ACTIVE, holder);
    }

    /**
     * An SQL condition, true when the process named in {@code holderColumn} is alive: its presence row is held by it
     * and was renewed after the one {@code ?} parameter (the staleness limit). Claims of a flow's own (an inbox row)
     * are taken over when this is false, exactly as work items are.
     */
    public static String holderAlive(String holderColumn) {
        return "EXISTS (SELECT 1 FROM work_item p WHERE p.kind = '" + PRESENCE_KIND + "' AND p.holder = "
                + holderColumn + " AND p." + ACTIVE + " AND p.heartbeat_at > ?)";
    }

    /** Presence rows of processes that stopped (released) or died (stale): nothing can ever renew them. */
    public int deleteDeadPresence(Instant staleBefore) {
        return update("delete the presence of stopped processes", "DELETE FROM work_item WHERE kind = ? AND "
                + "(holder IS NULL OR heartbeat_at <= ?)", PRESENCE_KIND, ts(staleBefore));
    }

    /** A row of {@link #COLUMNS}, for flows that join their table to work_item (aliased {@code w}). */
    public static WorkStatus read(ResultSet rs) throws SQLException {
        return new WorkStatus(rs.getString("work_id"), rs.getString("kind"), rs.getString("state"), rs.getLong("total"),
                rs.getLong("done"), instant(rs, "created_at"), instant(rs, "started_at"), instant(rs, "finished_at"),
                rs.getString("error"), rs.getString("holder"), instant(rs, "heartbeat_at"), instant(rs, "held_at"),
                rs.getLong("done_at_hold"), rs.getInt("resumes"));
    }

    private List<WorkStatus> query(String sql, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            List<WorkStatus> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(read(rs));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new StoreException("cannot read work", e);
        }
    }

    private int update(String what, String sql, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("cannot " + what, e);
        }
    }

    private static void bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            if (params[i] == null) {
                ps.setNull(i + 1, java.sql.Types.TIMESTAMP);
            } else {
                ps.setObject(i + 1, params[i]);
            }
        }
    }

    private static String placeholders(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    public static Timestamp ts(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
