package io.github.attiocamel.contacts;

import io.github.attiocamel.store.StoreDialect;
import io.github.attiocamel.store.StoreException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Which notes the contact flow already created (table {@code contact_note}), so a replayed contact does not add its
 * note twice. A key is claimed by inserting it; the primary key makes concurrent claims of one key race-free.
 */
final class ContactNoteRepository {

    /** Outcome of a claim: either we own the key and must create the note, or it exists (noteId may be in flight). */
    public record Claim(boolean claimed, String existingNoteId) {
    }

    private final DataSource dataSource;
    private final StoreDialect dialect;

    public ContactNoteRepository(DataSource dataSource) {
        this.dataSource = dataSource;
        this.dialect = StoreDialect.of(dataSource);
    }

    public Claim claim(String noteKey, String parentObject, String parentRecordId) {
        try (Connection c = dataSource.getConnection()) {
            // PostgreSQL: a key claimed before inserts nothing (0 rows) rather than failing
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO contact_note (note_key, parent_object, "
                    + "parent_record_id, created_at) VALUES (?, ?, ?, ?)"
                    + (dialect.postgresql() ? " ON CONFLICT (note_key) DO NOTHING" : ""))) {
                ps.setString(1, noteKey);
                ps.setString(2, parentObject);
                ps.setString(3, parentRecordId);
                ps.setTimestamp(4, Timestamp.from(Instant.now()));
                if (ps.executeUpdate() == 1) {
                    return new Claim(true, null);
                }
                Optional<String> existing = noteId(c, noteKey);
                // null: released by its claimer since our insert, so it is free again
                return existing != null ? new Claim(false, existing.orElse(null))
                        : claim(noteKey, parentObject, parentRecordId);
            } catch (SQLException duplicate) {
                Optional<String> existing = noteId(c, noteKey);
                if (existing == null) {
                    throw duplicate;
                }
                return new Claim(false, existing.orElse(null));
            }
        } catch (SQLException e) {
            throw new StoreException("cannot claim note key " + noteKey, e);
        }
    }

    public void complete(String noteKey, String noteId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE contact_note SET note_id = ? WHERE note_key = ?")) {
            ps.setString(1, noteId);
            ps.setString(2, noteKey);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("cannot complete note key " + noteKey, e);
        }
    }

    /** Gives a claim back when the note could not be created, so a retry creates it. */
    public void release(String noteKey) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM contact_note WHERE note_key = ? AND note_id IS NULL")) {
            ps.setString(1, noteKey);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("cannot release note key " + noteKey, e);
        }
    }

    /** null when the key is absent; empty when present but the note is still being created. */
    private static Optional<String> noteId(Connection c, String noteKey) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT note_id FROM contact_note WHERE note_key = ?")) {
            ps.setString(1, noteKey);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : null;
            }
        }
    }
}
