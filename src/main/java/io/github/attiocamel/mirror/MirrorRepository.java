package io.github.attiocamel.mirror;

import io.github.attiocamel.store.StoreDialect;
import io.github.attiocamel.store.StoreException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * The local mirror of Attio records and list entries. Shared by the webhook handlers (one row at a time) and the
 * full sync (pages at a time, JDBC batches, then one transactional deletion pass). Every write reports whether the
 * row really changed, which is what decides whether a change message is published; a write given change messages
 * appends them to the {@link ChangeOutbox} in its own transaction, so the mirror and the change feed never disagree.
 */
public final class MirrorRepository {

    /** What a write did to the mirror. Only CREATED, UPDATED and DELETED/MERGED are changes worth publishing. */
    public enum Outcome { CREATED, UPDATED, UNCHANGED }

    private static final String COLUMNS = "workspace_id, %s, parent_object, parent_record_id, values_json, values_hash, "
            + "web_url, created_at, synced_at, source, deleted, merged_into, last_seen_key, last_seen_run, %s, %s";

    private final DataSource dataSource;
    private final StoreDialect dialect;
    private final ChangeOutbox outbox;

    public MirrorRepository(DataSource dataSource) {
        this(dataSource, new ChangeOutbox(dataSource, Clock.systemUTC()));
    }

    public MirrorRepository(DataSource dataSource, ChangeOutbox outbox) {
        this.dataSource = dataSource;
        this.dialect = StoreDialect.of(dataSource);
        this.outbox = outbox;
    }

    public Optional<MirrorRow> find(MirrorKind kind, String container, String id) {
        String sql = "SELECT " + columns(kind) + " FROM " + kind.table + " WHERE " + kind.containerColumn + " = ? AND "
                + kind.idColumn + " = ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, container);
            ps.setString(2, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(kind, rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read mirror row " + container + ":" + id, e);
        }
    }

    /** Rows of one object or list in a stable order (id), tombstones included. */
    public List<MirrorRow> page(MirrorKind kind, String container, int limit, int offset) {
        String sql = "SELECT " + columns(kind) + " FROM " + kind.table + " WHERE " + kind.containerColumn
                + " = ? ORDER BY " + kind.idColumn + " LIMIT ? OFFSET ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, container);
            ps.setInt(2, limit);
            ps.setInt(3, offset);
            List<MirrorRow> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(read(kind, rs));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new StoreException("cannot page mirror of " + container, e);
        }
    }

    /** Rows of one object or list; live rows only unless {@code includeDeleted}. */
    public long count(MirrorKind kind, String container, boolean includeDeleted) {
        String sql = "SELECT COUNT(*) FROM " + kind.table + " WHERE " + kind.containerColumn + " = ?"
                + (includeDeleted ? "" : " AND deleted = FALSE");
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, container);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot count mirror of " + container, e);
        }
    }

    /**
     * Inserts or updates one row, comparing hashes under a row lock so two concurrent writers of one record agree on
     * the outcome. A tombstone that comes back to life counts as UPDATED.
     */
    public Outcome upsert(MirrorRow row) {
        return upsert(row, outcome -> List.of());
    }

    /** The same, appending the change messages {@code changesOf} gives for the outcome in the same transaction. */
    public Outcome upsert(MirrorRow row, Function<Outcome, List<Map<String, Object>>> changesOf) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Outcome outcome = dialect.postgresql() ? upsertOnConflict(c, row) : upsertLocked(c, row);
                outbox.append(c, changesOf.apply(outcome));
                c.commit();
                return outcome;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                if (e instanceof SQLException sql && isDuplicateKey(sql)) {
                    // Another writer inserted the same row between our SELECT and INSERT: the row exists now.
                    return upsert(row, changesOf);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot upsert mirror row " + row.container() + ":" + row.id(), e);
        }
    }

    /**
     * PostgreSQL: one statement that inserts, or updates only a row whose hash differs or that is a tombstone; the
     * row it returns says which ({@code xmax} is 0 for a row this statement inserted), none means unchanged.
     */
    private Outcome upsertOnConflict(Connection c, MirrorRow row) throws SQLException {
        String sql = upsertSql(row.kind()) + " WHERE t.values_hash <> EXCLUDED.values_hash OR t.deleted "
                + "RETURNING (t.xmax = 0)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, row, null);
            try (ResultSet rs = ps.executeQuery()) {
                return !rs.next() ? Outcome.UNCHANGED : rs.getBoolean(1) ? Outcome.CREATED : Outcome.UPDATED;
            }
        }
    }

    private Outcome upsertLocked(Connection c, MirrorRow row) throws SQLException {
        MirrorKind kind = row.kind();
        String select = "SELECT values_hash, deleted FROM " + kind.table + " WHERE " + kind.containerColumn + " = ? AND "
                + kind.idColumn + " = ? FOR UPDATE";
        try (PreparedStatement ps = c.prepareStatement(select)) {
            ps.setString(1, row.container());
            ps.setString(2, row.id());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    insert(c, List.of(row), null);
                    return Outcome.CREATED;
                }
                if (rs.getString(1).equals(row.valuesHash()) && !rs.getBoolean(2)) {
                    return Outcome.UNCHANGED;
                }
            }
        }
        update(c, List.of(row), null);
        return Outcome.UPDATED;
    }

    /** Marks a row deleted; true when it was live before (a real change). Unknown rows get a tombstone. */
    public boolean markDeleted(MirrorKind kind, String container, String id, Instant at, String source) {
        return markDeleted(kind, container, id, at, source, null);
    }

    /** The same, appending {@code change} (when not null) in the same transaction if the row was live. */
    public boolean markDeleted(MirrorKind kind, String container, String id, Instant at, String source,
                               Map<String, Object> change) {
        return tombstone(kind, container, id, null, at, source, change);
    }

    /** Marks a record merged into its survivor (kept as a tombstone that remembers the mapping). */
    public boolean markMerged(String object, String duplicateId, String survivorId, Instant at, String source) {
        return markMerged(object, duplicateId, survivorId, at, source, null);
    }

    /** The same, appending {@code change} (when not null) in the same transaction if this is news. */
    public boolean markMerged(String object, String duplicateId, String survivorId, Instant at, String source,
                              Map<String, Object> change) {
        return tombstone(MirrorKind.RECORDS, object, duplicateId, survivorId, at, source, change);
    }

    private boolean tombstone(MirrorKind kind, String container, String id, String mergedInto, Instant at, String source,
                              Map<String, Object> change) {
        String update = "UPDATE " + kind.table + " SET deleted = TRUE, merged_into = ?, synced_at = ?, source = ? WHERE "
                + kind.containerColumn + " = ? AND " + kind.idColumn + " = ? AND (deleted = FALSE OR "
                + (mergedInto == null ? "merged_into IS NOT NULL" : "merged_into IS NULL OR merged_into <> ?") + ")";
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                boolean news = tombstone(c, update, kind, container, id, mergedInto, at, source);
                if (news && change != null) {
                    outbox.append(c, List.of(change));
                }
                c.commit();
                return news;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                if (e instanceof SQLException sql && isDuplicateKey(sql)) {
                    // another writer inserted the row this one found missing: look again
                    return tombstone(kind, container, id, mergedInto, at, source, change);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot mark mirror row " + container + ":" + id + " deleted", e);
        }
    }

    private boolean tombstone(Connection c, String update, MirrorKind kind, String container, String id,
                              String mergedInto, Instant at, String source) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(update)) {
            ps.setString(1, mergedInto);
            ps.setTimestamp(2, Timestamp.from(at));
            ps.setString(3, source);
            ps.setString(4, container);
            ps.setString(5, id);
            if (mergedInto != null) {
                ps.setString(6, mergedInto);
            }
            if (ps.executeUpdate() > 0) {
                return true;
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + kind.table + " WHERE "
                + kind.containerColumn + " = ? AND " + kind.idColumn + " = ?")) {
            ps.setString(1, container);
            ps.setString(2, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return false;
                }
            }
        }
        MirrorRow unknown = new MirrorRow(kind, container, id, null, null, null, null, "{}", ValuesHash.of("{}"),
                null, null, at, source, true, mergedInto);
        insert(c, List.of(unknown), null);
        return true;
    }

    // ---- batch operations for the full sync -----------------------------------------------------------------

    /** Current hash per id (tombstones included, as {@code "deleted:" + hash}) for one page of ids. */
    public Map<String, String> hashes(MirrorKind kind, String container, Collection<String> ids) {
        return byIds(kind, container, ids, "values_hash, deleted",
                rs -> (rs.getBoolean(4) ? "deleted:" : "") + rs.getString(3), "hashes");
    }

    /**
     * The stored values (canonical JSON) per id for one page of ids, tombstones included: what an attribute filter
     * compares a sync's updated rows with.
     */
    public Map<String, String> valuesOf(MirrorKind kind, String container, Collection<String> ids) {
        return byIds(kind, container, ids, "values_json", rs -> rs.getString(3), "values");
    }

    private interface Column {
        String read(ResultSet rs) throws SQLException;
    }

    /** One value per id of a page of ids, read from {@code columns} (from the third column on). */
    private Map<String, String> byIds(MirrorKind kind, String container, Collection<String> ids, String columns,
                                      Column value, String what) {
        Map<String, String> found = new HashMap<>();
        if (ids.isEmpty()) {
            return found;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(byIdsSql(kind, columns, ids.size(), dialect.postgresql()))) {
            if (dialect.postgresql()) {
                ps.setArray(1, c.createArrayOf("varchar", ids.toArray()));
            } else {
                int i = 1;
                for (String id : ids) {
                    ps.setString(i++, id);
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (container.equals(rs.getString(2))) {
                        found.put(rs.getString(1), value.read(rs));
                    }
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StoreException("cannot read mirror " + what + " of " + container, e);
        }
    }

    /**
     * The look-up of {@link #byIds}: id, container, then {@code columns}, by id only (index mirror_*_id, V31), the
     * container checked by the caller: with "container = ? AND ..." H2 picks the primary key on the container and
     * scans the whole object for every page, and PostgreSQL without statistics an index on the container. On
     * PostgreSQL one probe per id (unnest of an array; OFFSET 0 keeps the planner from turning the probes back into
     * a join): an IN list's plan follows the statistics, and a mirror growing under a first sync has none yet, so the
     * planner estimated most of the table per page and scanned all of it, 86% of the server's samples in a first
     * load of 100,000 people (docs/PERFORMANCE.md).
     */
    static String byIdsSql(MirrorKind kind, String columns, int ids, boolean postgresql) {
        if (postgresql) {
            return "SELECT t.* FROM unnest(?::varchar[]) AS ids(id) CROSS JOIN LATERAL (SELECT " + kind.idColumn + ", "
                    + kind.containerColumn + ", " + columns + " FROM " + kind.table + " WHERE " + kind.idColumn
                    + " = ids.id OFFSET 0) t";
        }
        return "SELECT " + kind.idColumn + ", " + kind.containerColumn + ", " + columns + " FROM " + kind.table
                + " WHERE " + kind.idColumn + " IN (" + "?,".repeat(ids - 1) + "?)";
    }

    /**
     * Writes one page of a sync run in one transaction: new rows inserted and changed rows updated, both stamped with
     * the run, and unchanged ones marked seen by it (V33); stamps and marks are what the deletion pass relies on.
     */
    public void writeSyncPage(MirrorKind kind, String container, String runId, List<MirrorRow> created,
                              List<MirrorRow> updated, Collection<String> unchangedIds) {
        writeSyncPage(kind, container, runId, created, updated, unchangedIds, List.of());
    }

    /** The same, appending the page's change messages to the outbox in the page's transaction. */
    public void writeSyncPage(MirrorKind kind, String container, String runId, List<MirrorRow> created,
                              List<MirrorRow> updated, Collection<String> unchangedIds,
                              List<Map<String, Object>> changes) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (dialect.postgresql()) {
                    // one batched upsert: a row a webhook inserted since the page was classified is updated, not a
                    // duplicate key that fails the page
                    upsertBatch(c, created, updated, runId);
                } else {
                    insert(c, created, runId);
                    update(c, updated, runId);
                }
                markSeen(c, runId, unchangedIds);
                outbox.append(c, changes);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot write sync page of " + container, e);
        }
    }

    /**
     * The live rows of the container a run never saw: its deletion candidates. A row missed because Attio's rows
     * shifted under the run's pages is among them too, so the caller confirms each before it tombstones any.
     */
    public List<String> unseen(MirrorKind kind, String container, String runId) {
        // "never stamped by a keyed run, or stamped by another run" as three exact ranges of index (container,
        // last_seen_key), V32: anything else makes H2 read rows of the container from disk. Rows stamped before V32
        // have only last_seen_run, so the first range still spares those this very run stamped. Rows the run found
        // unchanged keep their old stamp and are spared by their mark (V33).
        long key = seenKey(runId);
        String[] unseen = {"last_seen_key IS NULL AND (last_seen_run IS NULL OR last_seen_run <> ?)",
                "last_seen_key <= ?", "last_seen_key >= ?"};
        Object[] bound = {runId, key - 1, key + 1};
        String notMarked = " AND NOT EXISTS (SELECT 1 FROM sync_seen WHERE sync_seen.item_id = " + kind.table + "."
                + kind.idColumn + " AND sync_seen.run_key = ?)";
        try (Connection c = dataSource.getConnection()) {
            List<String> ids = new ArrayList<>();
            for (int r = 0; r < unseen.length; r++) {
                try (PreparedStatement ps = c.prepareStatement("SELECT " + kind.idColumn + " FROM " + kind.table
                        + " WHERE " + kind.containerColumn + " = ? AND " + unseen[r] + " AND deleted = FALSE"
                        + notMarked)) {
                    ps.setString(1, container);
                    ps.setObject(2, bound[r]);
                    ps.setLong(3, key);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getString(1));
                        }
                    }
                }
            }
            return ids;
        } catch (SQLException e) {
            throw new StoreException("cannot read the deletion candidates of " + container, e);
        }
    }

    /**
     * Tombstones these rows, those still live, in one transaction (a crash leaves either all or none), stamped
     * {@code at} so {@link #deletedByPass} finds them again. Returns the ids it tombstoned.
     */
    public List<String> tombstoneLive(MirrorKind kind, String container, Collection<String> ids, Instant at,
                                      String source) {
        return tombstoneLive(kind, container, ids, at, source, id -> null);
    }

    /** The same, appending the change message {@code changeOf} gives for each row it tombstones. */
    public List<String> tombstoneLive(MirrorKind kind, String container, Collection<String> ids, Instant at,
                                      String source, Function<String, Map<String, Object>> changeOf) {
        String update = "UPDATE " + kind.table + " SET deleted = TRUE, synced_at = ?, source = ? WHERE "
                + kind.containerColumn + " = ? AND " + kind.idColumn + " = ? AND deleted = FALSE";
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(update)) {
                List<String> tombstoned = new ArrayList<>();
                for (String id : ids) {
                    ps.setTimestamp(1, Timestamp.from(at));
                    ps.setString(2, source);
                    ps.setString(3, container);
                    ps.setString(4, id);
                    if (ps.executeUpdate() > 0) {
                        tombstoned.add(id);
                    }
                }
                List<Map<String, Object>> changes = new ArrayList<>();
                for (String id : tombstoned) {
                    Map<String, Object> change = changeOf.apply(id);
                    if (change != null) {
                        changes.add(change);
                    }
                }
                outbox.append(c, changes);
                c.commit();
                return tombstoned;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot tombstone rows of " + container, e);
        }
    }

    /**
     * The ids a deletion pass of {@code runId} at {@code at} tombstoned: lets a run that crashed right after the
     * pass committed publish its deletions again (at least once) without running a second, different pass.
     */
    public List<String> deletedByPass(MirrorKind kind, String container, String runId, Instant at, String source) {
        String sql = "SELECT " + kind.idColumn + " FROM " + kind.table + " WHERE " + kind.containerColumn
                + " = ? AND deleted = TRUE AND merged_into IS NULL AND source = ? AND synced_at = ? "
                + "AND (last_seen_run IS NULL OR last_seen_run <> ?)";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, container);
            ps.setString(2, source);
            ps.setTimestamp(3, Timestamp.from(at));
            ps.setString(4, runId);
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        } catch (SQLException e) {
            throw new StoreException("cannot read the deletion pass of " + container, e);
        }
    }

    // ---- SQL helpers ------------------------------------------------------------------------------------------

    private static String columns(MirrorKind kind) {
        return String.format(COLUMNS, kind.containerIdColumn, kind.containerColumn, kind.idColumn);
    }

    /** The 16 parameters of {@link #COLUMNS}, the values one as the dialect stores them. */
    private String values() {
        return "?,?,?,?," + dialect.jsonParameter() + ",?,?,?,?,?,?,?,?,?,?,?";
    }

    /**
     * PostgreSQL's upsert of a whole row (alias {@code t}): every column from the new row, the run's stamp only when
     * the write carries one.
     */
    private String upsertSql(MirrorKind kind) {
        StringBuilder set = new StringBuilder();
        for (String column : columns(kind).split(", ")) {
            if (column.equals(kind.containerColumn) || column.equals(kind.idColumn)) {
                continue;
            }
            set.append(set.isEmpty() ? "" : ", ").append(column).append(" = ")
                    .append(column.startsWith("last_seen_") ? "COALESCE(EXCLUDED." + column + ", t." + column + ")"
                            : "EXCLUDED." + column);
        }
        return "INSERT INTO " + kind.table + " AS t (" + columns(kind) + ") VALUES (" + values() + ") ON CONFLICT ("
                + kind.containerColumn + ", " + kind.idColumn + ") DO UPDATE SET " + set;
    }

    private void upsertBatch(Connection c, List<MirrorRow> created, List<MirrorRow> updated, String runId)
            throws SQLException {
        if (created.isEmpty() && updated.isEmpty()) {
            return;
        }
        MirrorKind kind = (created.isEmpty() ? updated : created).get(0).kind();
        try (PreparedStatement ps = c.prepareStatement(upsertSql(kind))) {
            for (List<MirrorRow> rows : List.of(created, updated)) {
                for (MirrorRow row : rows) {
                    bind(ps, row, runId);
                    ps.addBatch();
                }
            }
            ps.executeBatch();
        }
    }

    private void insert(Connection c, List<MirrorRow> rows, String runId) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        MirrorKind kind = rows.get(0).kind();
        String sql = "INSERT INTO " + kind.table + " (" + columns(kind) + ") VALUES (" + values() + ")";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (MirrorRow row : rows) {
                bind(ps, row, runId);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private void update(Connection c, List<MirrorRow> rows, String runId) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        MirrorKind kind = rows.get(0).kind();
        String sql = "UPDATE " + kind.table + " SET workspace_id = ?, " + kind.containerIdColumn + " = ?, "
                + "parent_object = ?, parent_record_id = ?, values_json = " + dialect.jsonParameter()
                + ", values_hash = ?, web_url = ?, "
                + "created_at = ?, synced_at = ?, source = ?, deleted = ?, merged_into = ?, "
                + "last_seen_key = COALESCE(?, last_seen_key), last_seen_run = COALESCE(?, last_seen_run) WHERE "
                + kind.containerColumn + " = ? AND "
                + kind.idColumn + " = ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (MirrorRow row : rows) {
                bind(ps, row, runId);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Marks rows the run found unchanged as seen (V33): a narrow row each instead of rewriting the mirror row. An id
     * can come twice in one run when Attio's data moves under offset paging, hence the guard.
     */
    private void markSeen(Connection c, String runId, Collection<String> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        String sql = dialect.postgresql()
                ? "INSERT INTO sync_seen (item_id, run_key) VALUES (?, ?) ON CONFLICT DO NOTHING"
                : "INSERT INTO sync_seen (item_id, run_key) SELECT CAST(? AS VARCHAR(64)), CAST(? AS BIGINT) "
                + "WHERE NOT EXISTS (SELECT 1 FROM sync_seen WHERE item_id = ? AND run_key = ?)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            long key = seenKey(runId);
            for (String id : ids) {
                ps.setString(1, id);
                ps.setLong(2, key);
                if (!dialect.postgresql()) {
                    ps.setString(3, id);
                    ps.setLong(4, key);
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Drops a finished run's marks; only after the run is completed or failed, never before its deletion pass. */
    public void forgetSeen(String runId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM sync_seen WHERE run_key = ?")) {
            ps.setLong(1, seenKey(runId));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("cannot drop the seen marks of sync run " + runId, e);
        }
    }

    /** Binds the 16 columns in {@link #COLUMNS} order (container and id last, as the UPDATE's WHERE needs). */
    private static void bind(PreparedStatement ps, MirrorRow row, String runId) throws SQLException {
        ps.setString(1, row.workspaceId());
        ps.setString(2, row.containerId());
        ps.setString(3, row.parentObject());
        ps.setString(4, row.parentRecordId());
        ps.setString(5, row.valuesJson());
        ps.setString(6, row.valuesHash());
        ps.setString(7, row.webUrl());
        ps.setString(8, row.createdAt());
        ps.setTimestamp(9, Timestamp.from(row.syncedAt()));
        ps.setString(10, row.source());
        ps.setBoolean(11, row.deleted());
        ps.setString(12, row.mergedInto());
        if (runId == null) {
            ps.setNull(13, Types.BIGINT);
        } else {
            ps.setLong(13, seenKey(runId));
        }
        ps.setString(14, runId);
        ps.setString(15, row.container());
        ps.setString(16, row.id());
    }

    /**
     * The number a run stamps on the rows it saw (last_seen_key): 62 bits of SHA-256 of the run id, plus one, so
     * "key - 1" and "key + 1" never overflow. Two runs of one target sharing a key would take 2^31 runs to become
     * likely.
     */
    static long seenKey(String runId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(runId.getBytes(StandardCharsets.UTF_8));
            return (ByteBuffer.wrap(digest).getLong() >>> 2) + 1;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    private static MirrorRow read(MirrorKind kind, ResultSet rs) throws SQLException {
        Timestamp synced = rs.getTimestamp("synced_at");
        return new MirrorRow(kind, rs.getString(kind.containerColumn), rs.getString(kind.idColumn),
                rs.getString("workspace_id"), rs.getString(kind.containerIdColumn), rs.getString("parent_object"),
                rs.getString("parent_record_id"), rs.getString("values_json"), rs.getString("values_hash"),
                rs.getString("web_url"), rs.getString("created_at"), synced == null ? null : synced.toInstant(),
                rs.getString("source"), rs.getBoolean("deleted"), rs.getString("merged_into"));
    }

    private static boolean isDuplicateKey(SQLException e) {
        // SQLState class 23 = integrity constraint violation (H2 23505, PostgreSQL 23505).
        return e.getSQLState() != null && e.getSQLState().startsWith("23");
    }
}
