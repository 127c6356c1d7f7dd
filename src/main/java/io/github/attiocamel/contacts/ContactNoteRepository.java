package io.github.attiocamel.contacts;

import io.github.attiocamel.store.StoreDialect;
import io.github.attiocamel.store.StoreException;
import io.github.attiocamel.store.WorkRepository;
import io.github.attiocamel.store.WorkTracker;

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

    /**
     * Outcome of a claim: either we own the key and must create the note ({@code mayExist}: taken over from a dead
     * claimer whose POST may have landed, so look for it first), or it exists (noteId may be in flight).
     */
    public record Claim(boolean claimed, String existingNoteId, boolean mayExist) {
    }

    private final DataSource dataSource;
    private final WorkTracker tracker;
    private final StoreDialect dialect;

    public ContactNoteRepository(DataSource dataSource, WorkTracker tracker) {
        this.dataSource = dataSource;
        this.tracker = tracker;
        this.dialect = StoreDialect.of(dataSource);
    }

    public Claim claim(String noteKey, String parentObject, String parentRecordId) {
        // the claim names this process, whose presence row says it is alive while the note is created
        tracker.showPresence();
        try (Connection c = dataSource.getConnection()) {
            // PostgreSQL: a key claimed before inserts nothing (0 rows) rather than failing
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO contact_note (note_key, parent_object, "
                    + "parent_record_id, created_at, claimed_by) VALUES (?, ?, ?, ?, ?)"
                    + (dialect.postgresql() ? " ON CONFLICT (note_key) DO NOTHING" : ""))) {
                ps.setString(1, noteKey);
                ps.setString(2, parentObject);
                ps.setString(3, parentRecordId);
                ps.setTimestamp(4, Timestamp.from(Instant.now()));
                ps.setString(5, tracker.holder());
                if (ps.executeUpdate() == 1) {
                    return new Claim(true, null, false);
                }
                return existing(c, noteKey, parentObject, parentRecordId);
            } catch (SQLException duplicate) {
                if (noteId(c, noteKey) == null) {
                    throw duplicate;
                }
                return existing(c, noteKey, parentObject, parentRecordId);
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

    /** The key was claimed before: its note, or a claim in flight (taken over if its claimer is dead). */
    private Claim existing(Connection c, String noteKey, String parentObject, String parentRecordId) throws SQLException {
        Optional<String> existing = noteId(c, noteKey);
        if (existing == null) {
            // released by its claimer since our insert, so it is free again
            return claim(noteKey, parentObject, parentRecordId);
        }
        if (existing.isEmpty() && takeOver(c, noteKey)) {
            return new Claim(true, null, true);
        }
        return new Claim(false, existing.orElse(null), false);
    }

    /** A claim still in flight whose claimer shows no life is this process's now: one compare-and-set UPDATE. */
    private boolean takeOver(Connection c, String noteKey) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE contact_note SET claimed_by = ? WHERE note_key = ? AND "
                + "note_id IS NULL AND claimed_by IS NOT NULL AND claimed_by <> ? AND NOT "
                + WorkRepository.holderAlive("contact_note.claimed_by"))) {
            ps.setString(1, tracker.holder());
            ps.setString(2, noteKey);
            ps.setString(3, tracker.holder());
            ps.setTimestamp(4, Timestamp.from(Instant.now().minus(tracker.staleAfter())));
            return ps.executeUpdate() == 1;
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
