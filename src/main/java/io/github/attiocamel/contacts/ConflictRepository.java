package io.github.attiocamel.contacts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.store.StoreException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** The conflict queue (table {@code contact_conflict}): at most one open conflict per person attribute. */
final class ConflictRepository {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS = "id, record_id, email, attribute, policy, local_value, local_updated_at, "
            + "attio_value, attio_active_from, job_id, row_no, detected_at, resolved_at, resolution";

    private final DataSource dataSource;

    ConflictRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Queues the conflict, or refreshes the open one of that attribute (a replayed contact); answers its id. */
    long queue(ContactConflict c) {
        try (Connection con = dataSource.getConnection()) {
            try (PreparedStatement ps = con.prepareStatement("UPDATE contact_conflict SET email = ?, policy = ?, "
                    + "local_value = ?, local_updated_at = ?, attio_value = ?, attio_active_from = ?, job_id = ?, "
                    + "row_no = ?, detected_at = ? WHERE id = (SELECT MIN(id) FROM contact_conflict WHERE record_id = ? "
                    + "AND attribute = ? AND resolved_at IS NULL)")) {
                int i = bind(ps, 1, c);
                ps.setString(i++, c.recordId());
                ps.setString(i, c.attribute());
                if (ps.executeUpdate() == 1) {
                    return openId(con, c.recordId(), c.attribute());
                }
            }
            try (PreparedStatement ps = con.prepareStatement("INSERT INTO contact_conflict (email, policy, local_value, "
                    + "local_updated_at, attio_value, attio_active_from, job_id, row_no, detected_at, object_slug, "
                    + "record_id, attribute) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'people', ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                int i = bind(ps, 1, c);
                ps.setString(i++, c.recordId());
                ps.setString(i, c.attribute());
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    return keys.getLong(1);
                }
            }
        } catch (SQLException e) {
            throw new StoreException("cannot queue the conflict on " + c.recordId() + "." + c.attribute(), e);
        }
    }

    Optional<ContactConflict> find(long id) {
        List<ContactConflict> found = select("WHERE id = ?", List.of(id), 1, 0);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** Open conflicts, oldest first; recordId and jobId narrow them when not null. */
    List<ContactConflict> open(String recordId, String jobId, int limit, int offset) {
        List<Object> args = new ArrayList<>();
        return select(openWhere(recordId, jobId, args) + " ORDER BY id", args, limit, offset);
    }

    long countOpen(String recordId, String jobId) {
        List<Object> args = new ArrayList<>();
        try (Connection con = dataSource.getConnection();
             PreparedStatement ps = con.prepareStatement("SELECT COUNT(*) FROM contact_conflict "
                     + openWhere(recordId, jobId, args))) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot count conflicts", e);
        }
    }

    /** Closes an open conflict; false when it was resolved already (by another request meanwhile). */
    boolean resolve(long id, String resolution, Instant at) {
        try (Connection con = dataSource.getConnection();
             PreparedStatement ps = con.prepareStatement("UPDATE contact_conflict SET resolved_at = ?, resolution = ? "
                     + "WHERE id = ? AND resolved_at IS NULL")) {
            ps.setTimestamp(1, Timestamp.from(at));
            ps.setString(2, resolution);
            ps.setLong(3, id);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException("cannot resolve conflict " + id, e);
        }
    }

    private static String openWhere(String recordId, String jobId, List<Object> args) {
        StringBuilder where = new StringBuilder("WHERE resolved_at IS NULL");
        if (recordId != null) {
            where.append(" AND record_id = ?");
            args.add(recordId);
        }
        if (jobId != null) {
            where.append(" AND job_id = ?");
            args.add(jobId);
        }
        return where.toString();
    }

    private List<ContactConflict> select(String where, List<Object> args, int limit, int offset) {
        try (Connection con = dataSource.getConnection();
             PreparedStatement ps = con.prepareStatement("SELECT " + COLUMNS + " FROM contact_conflict " + where
                     + " OFFSET ? ROWS FETCH NEXT ? ROWS ONLY")) {
            int i = 1;
            for (Object arg : args) {
                ps.setObject(i++, arg);
            }
            ps.setInt(i++, offset);
            ps.setInt(i, limit);
            List<ContactConflict> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("cannot read conflicts", e);
        }
    }

    private static int bind(PreparedStatement ps, int i, ContactConflict c) throws SQLException {
        ps.setString(i++, c.email());
        ps.setString(i++, c.policy().name());
        ps.setString(i++, c.localValue().toString());
        if (c.localUpdatedAt() == null) {
            ps.setNull(i++, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setTimestamp(i++, Timestamp.from(c.localUpdatedAt()));
        }
        ps.setString(i++, c.attioValue().toString());
        ps.setTimestamp(i++, Timestamp.from(c.attioActiveFrom()));
        ps.setString(i++, c.jobId());
        if (c.rowNo() == null) {
            ps.setNull(i++, Types.INTEGER);
        } else {
            ps.setInt(i++, c.rowNo());
        }
        ps.setTimestamp(i++, Timestamp.from(c.detectedAt()));
        return i;
    }

    private static long openId(Connection con, String recordId, String attribute) throws SQLException {
        try (PreparedStatement ps = con.prepareStatement("SELECT MIN(id) FROM contact_conflict WHERE record_id = ? "
                + "AND attribute = ? AND resolved_at IS NULL")) {
            ps.setString(1, recordId);
            ps.setString(2, attribute);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static ContactConflict row(ResultSet rs) throws SQLException {
        int row = rs.getInt("row_no");
        Integer rowNo = rs.wasNull() ? null : row;
        return new ContactConflict(rs.getLong("id"), rs.getString("record_id"), rs.getString("email"),
                rs.getString("attribute"), ConflictPolicy.valueOf(rs.getString("policy")), json(rs.getString("local_value")),
                instant(rs.getTimestamp("local_updated_at")), json(rs.getString("attio_value")),
                instant(rs.getTimestamp("attio_active_from")), rs.getString("job_id"), rowNo,
                instant(rs.getTimestamp("detected_at")), instant(rs.getTimestamp("resolved_at")),
                rs.getString("resolution"));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("contact_conflict holds no JSON: " + text, e);
        }
    }
}
