package io.github.attiocamel.mirror;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.config.TraceContext;
import io.github.attiocamel.store.StoreException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The change feed's outbox (tables change_outbox, V80, and change_outbox_message, V88): change messages are appended
 * inside the transaction that changes the mirror ({@link MirrorRepository}), so a crash either keeps both or neither;
 * {@link ChangeRelay} sends them on in seq order. Each message gets its stable {@code change_id} here, once, as its first field.
 */
public final class ChangeOutbox {

    /** One message still to relay, as the relay route sends it. */
    public record Pending(long seq, String changeId, String key, String source, String eventType, String object,
                          String message, String traceparent) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource dataSource;
    private final Clock clock;

    public ChangeOutbox(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** Appends in a transaction of its own: for changes that touch no mirror row (notes, tasks, comments). */
    public void append(List<Map<String, Object>> changes) {
        if (changes.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                append(c, changes);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot append to the change outbox", e);
        }
    }

    /**
     * Appends in the caller's transaction (it commits or rolls back), with the trace of the flow that made the change
     * (its webhook's, a sync run's), which the relay's send continues.
     */
    void append(Connection c, List<Map<String, Object>> changes) throws SQLException {
        if (changes.isEmpty()) {
            return;
        }
        Timestamp now = Timestamp.from(clock.instant());
        String traceparent = TraceContext.traceparent();
        List<String> messages = new ArrayList<>(changes.size());
        List<Long> seqs = new ArrayList<>(changes.size());
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO change_outbox (change_id, change_key, source, "
                + "event_type, object, created_at, traceparent) VALUES (?, ?, ?, ?, ?, ?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            for (Map<String, Object> change : changes) {
                String id = UUID.randomUUID().toString();
                Map<String, Object> message = new LinkedHashMap<>();
                message.put("change_id", id);
                message.putAll(change);
                messages.add(json(message));
                ps.setString(1, id);
                ps.setString(2, String.valueOf(change.get("record_id")));
                ps.setString(3, String.valueOf(change.get("source")));
                ps.setString(4, String.valueOf(change.get("event_type")));
                ps.setString(5, String.valueOf(change.get("object")));
                ps.setTimestamp(6, now);
                ps.setString(7, traceparent);
                ps.addBatch();
            }
            ps.executeBatch();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                while (keys.next()) {
                    seqs.add(keys.getLong("seq"));
                }
            }
        }
        if (seqs.size() != messages.size()) {
            throw new SQLException("the outbox returned " + seqs.size() + " keys for " + messages.size() + " rows");
        }
        // the message in a table of its own, written once: marking the row published rewrites a narrow row (V88)
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO change_outbox_message (seq, message) VALUES (?, ?)")) {
            for (int i = 0; i < seqs.size(); i++) {
                ps.setLong(1, seqs.get(i));
                ps.setString(2, messages.get(i));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** The oldest {@code limit} messages not yet published, in the order they were committed per record. */
    List<Pending> pending(Connection c, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT o.seq, o.change_id, o.change_key, o.source, "
                + "o.event_type, o.object, m.message, o.traceparent FROM change_outbox o JOIN change_outbox_message m "
                + "ON m.seq = o.seq WHERE o.published_at IS NULL ORDER BY o.seq LIMIT ?")) {
            ps.setInt(1, limit);
            List<Pending> pending = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pending.add(new Pending(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8)));
                }
            }
            return pending;
        }
    }

    void markPublished(Connection c, List<Pending> sent) throws SQLException {
        if (sent.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE change_outbox SET published_at = ? WHERE seq = ?")) {
            Timestamp now = Timestamp.from(clock.instant());
            for (Pending p : sent) {
                ps.setTimestamp(1, now);
                ps.setLong(2, p.seq());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Messages not yet published, and when the oldest of them was committed (empty when none). */
    public record Backlog(long size, Optional<Instant> oldest) {}

    public Backlog backlog() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*), MIN(created_at) FROM change_outbox "
                     + "WHERE published_at IS NULL")) {
            rs.next();
            Timestamp oldest = rs.getTimestamp(2);
            return new Backlog(rs.getLong(1), Optional.ofNullable(oldest).map(Timestamp::toInstant));
        } catch (SQLException e) {
            throw new StoreException("cannot read the change outbox's backlog", e);
        }
    }

    /** Deletes messages published longer than {@code retention} ago (their texts with them, V88); returns how many. */
    public int purge(Duration retention) {
        return purgeBefore(clock.instant().minus(retention));
    }

    int purgeBefore(Instant before) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM change_outbox WHERE published_at < ?")) {
            ps.setTimestamp(1, Timestamp.from(before));
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("cannot purge the change outbox", e);
        }
    }

    private static String json(Map<String, Object> message) {
        try {
            return JSON.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("a change message that is not JSON: " + e.getOriginalMessage(), e);
        }
    }
}
