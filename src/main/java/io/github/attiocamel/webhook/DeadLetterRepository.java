package io.github.attiocamel.webhook;

import io.github.attiocamel.store.StoreException;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The dead-letter table: what could not be processed after the configured attempts, with the error. Writes join a
 * Spring-managed transaction on the same DataSource when one is active (the inbox marks its row done in the same
 * commit), so a dead letter and the end of its retries are never half-written.
 */
final class DeadLetterRepository {

    private static final String COLUMNS = "id, source, payload, error, attio_status, attio_code, created_at, "
            + "replayed_at, replay_count";

    private static final RowMapper<DeadLetter> ROW = (rs, i) -> new DeadLetter(rs.getLong("id"), rs.getString("source"),
            rs.getString("payload"), rs.getString("error"), (Integer) rs.getObject("attio_status", Integer.class),
            rs.getString("attio_code"), instant(rs.getObject("created_at", OffsetDateTime.class)),
            instant(rs.getObject("replayed_at", OffsetDateTime.class)), rs.getInt("replay_count"));

    private final JdbcTemplate jdbc;

    public DeadLetterRepository(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
    }

    /** A new letter, or (a failed replay: the letter has an id) the same letter with its latest error. */
    public void record(DeadLetter letter, Instant at) {
        if (letter.id() == 0) {
            insert(letter, at);
            return;
        }
        try {
            jdbc.update("UPDATE dead_letter SET error = ?, attio_status = ?, attio_code = ? WHERE id = ?",
                    truncate(letter.error()), letter.attioStatus(), letter.attioCode(), letter.id());
        } catch (DataAccessException e) {
            throw new StoreException("cannot update dead letter " + letter.id(), e);
        }
    }

    /** Locks the letter's row until the caller's transaction ends (replays of one letter queue behind each other). */
    void lock(long id) {
        jdbc.query("SELECT id FROM dead_letter WHERE id = ? FOR UPDATE", rs -> { }, id);
    }

    public void insert(DeadLetter letter, Instant at) {
        try {
            jdbc.update("INSERT INTO dead_letter (source, payload, error, attio_status, attio_code, created_at) "
                            + "VALUES (?,?,?,?,?,?)", letter.source(), letter.payload(), truncate(letter.error()),
                    letter.attioStatus(), letter.attioCode(), utc(at));
        } catch (DataAccessException e) {
            throw new StoreException("cannot write a dead letter from " + letter.source(), e);
        }
    }

    /** Newest first. */
    public List<DeadLetter> page(int limit, int offset) {
        try {
            return jdbc.query("SELECT " + COLUMNS + " FROM dead_letter ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                    ROW, limit, offset);
        } catch (DataAccessException e) {
            throw new StoreException("cannot list dead letters", e);
        }
    }

    public long count() {
        try {
            Long n = jdbc.queryForObject("SELECT COUNT(*) FROM dead_letter", Long.class);
            return n == null ? 0 : n;
        } catch (DataAccessException e) {
            throw new StoreException("cannot count dead letters", e);
        }
    }

    public Optional<DeadLetter> find(long id) {
        try {
            return jdbc.query("SELECT " + COLUMNS + " FROM dead_letter WHERE id = ?", ROW, id).stream().findFirst();
        } catch (DataAccessException e) {
            throw new StoreException("cannot read dead letter " + id, e);
        }
    }

    /** Stamps a replay; joins the caller's transaction (the re-injection commits with it). */
    void markReplayed(long id, Instant at) {
        jdbc.update("UPDATE dead_letter SET replayed_at = ?, replay_count = replay_count + 1 WHERE id = ?", utc(at), id);
    }

    static String truncate(String error) {
        if (error == null) {
            return "(no message)";
        }
        return error.length() <= 4000 ? error : error.substring(0, 3997) + "...";
    }

    static OffsetDateTime utc(Instant at) {
        return at == null ? null : OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }

    static Instant instant(OffsetDateTime at) {
        return at == null ? null : at.toInstant();
    }
}
