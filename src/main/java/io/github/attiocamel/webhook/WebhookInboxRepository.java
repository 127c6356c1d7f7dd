package io.github.attiocamel.webhook;

import io.github.attiocamel.store.StoreDialect;
import io.github.attiocamel.store.StoreException;
import io.github.attiocamel.store.WorkRepository;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

import static io.github.attiocamel.webhook.DeadLetterRepository.instant;
import static io.github.attiocamel.webhook.DeadLetterRepository.utc;

/**
 * The durable webhook inbox and its idempotency keys.
 *
 * <p>Keys live in {@code camel_messageprocessed} through camel-sql's {@link JdbcMessageIdRepository} (processor name
 * {@value #PROCESSOR_NAME}), so the table keeps Camel's layout and an estate can point its own idempotent consumers at
 * it. Accepting a delivery adds the key and inserts the inbox row in ONE transaction: a crash between the two can
 * neither lose a delivery we answered 200 for nor remember a key whose delivery was never stored (Attio's retry of
 * it would then be dropped as a duplicate). The primary key on (processorName, messageId) settles two concurrent
 * deliveries of one key.
 *
 * <p>Row states: {@code received} (waiting, possibly with a back-off in {@code next_attempt_at}), {@code processing}
 * (claimed at {@code claimed_at} by the process {@code claimed_by}), {@code done}. A claim lasts while its claimer is
 * alive by the work tracker's rule ({@link WorkRepository#holderAlive}); only the claimer finishes or reschedules it.
 */
final class WebhookInboxRepository {

    public static final String PROCESSOR_NAME = "attio-webhook";
    private static final String CLAIMER_ALIVE = WorkRepository.holderAlive("webhook_inbox.claimed_by");
    /** The rows a claim may take: waiting ones ready and past their back-off, or held by a claimer that died. */
    private static final String CLAIMABLE = "(state = 'received' AND received_at <= ? AND (next_attempt_at IS NULL OR "
            + "next_attempt_at <= ?)) OR (state = 'processing' AND NOT " + CLAIMER_ALIVE + ")";

    private final TransactionTemplate tx;
    private final JdbcTemplate jdbc;
    private final JdbcMessageIdRepository keys;
    private final DeadLetterRepository deadLetters;
    private final String holder;
    private final StoreDialect dialect;

    public WebhookInboxRepository(DataSource dataSource, DeadLetterRepository deadLetters, String holder) {
        this.holder = holder;
        this.dialect = StoreDialect.of(dataSource);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.jdbc = new JdbcTemplate(dataSource);
        this.keys = new InsertFirstRepository(dataSource, tx);
        // Flyway owns the schema (V1); the repository must not try to create its own table.
        this.keys.setCreateTableIfNotExists(false);
        if (dialect.postgresql()) {
            // a key seen before inserts nothing instead of failing, so the intake's transaction is not aborted
            this.keys.setInsertString("INSERT INTO CAMEL_MESSAGEPROCESSED (processorName, messageId, createdAt) "
                    + "VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
        }
        this.keys.start();
        this.deadLetters = deadLetters;
    }

    /**
     * Remembers the key and stores the delivery atomically; false for a duplicate: the key was already seen, or the
     * same body ({@code bodyHash}, null: not checked) is still waiting or being processed under another key (then
     * this key is remembered, so its own retries are duplicates too). {@code traceparent} (null: none) is the trace
     * the row's processing continues.
     */
    public boolean accept(String idempotencyKey, String body, String bodyHash, Instant receivedAt, String traceparent) {
        try {
            Boolean stored = tx.execute(status -> {
                if (!keys.add(idempotencyKey)) {
                    status.setRollbackOnly();
                    return false;
                }
                if (bodyHash != null && !jdbc.queryForList("SELECT id FROM webhook_inbox WHERE body_hash = ? AND "
                        + "state IN ('received', 'processing') FETCH FIRST 1 ROWS ONLY", Long.class, bodyHash).isEmpty()) {
                    return false;
                }
                jdbc.update("INSERT INTO webhook_inbox (idempotency_key, received_at, body, state, attempts, body_hash, "
                        + "traceparent) VALUES (?, ?, ?, 'received', 0, ?, ?)", idempotencyKey, utc(receivedAt), body,
                        bodyHash, traceparent);
                return true;
            });
            return Boolean.TRUE.equals(stored);
        } catch (DataIntegrityViolationException e) {
            // the same key committed by a concurrent delivery between our check and our insert
            return false;
        } catch (DataAccessException e) {
            throw new StoreException("cannot store a webhook delivery", e);
        }
    }

    /** True when the key is remembered (within the retention). */
    public boolean seen(String idempotencyKey) {
        return keys.contains(idempotencyKey);
    }

    /**
     * Claims up to {@code limit} rows for this process in arrival order: waiting rows received before
     * {@code readyBefore} whose back-off is over, and rows whose claimer has shown no life since
     * {@code claimersStaleBefore} (it died). Each claim counts as an attempt. A row another consumer claimed in
     * between is skipped.
     */
    public List<InboxRow> claim(int limit, Instant now, Instant readyBefore, Instant claimersStaleBefore) {
        if (dialect.postgresql()) {
            return claimSkippingLocked(limit, now, readyBefore, claimersStaleBefore);
        }
        try {
            List<InboxRow> candidates = jdbc.query("SELECT id, idempotency_key, received_at, body, attempts, "
                            + "dead_letter_id, traceparent FROM webhook_inbox WHERE " + CLAIMABLE + " ORDER BY id LIMIT ?",
                    (rs, i) -> new InboxRow(rs.getLong(1), rs.getString(2), instant(rs.getObject(3, OffsetDateTime.class)),
                            rs.getString(4), rs.getInt(5) + 1, rs.getLong(6), rs.getString(7)),
                    utc(readyBefore), utc(now), WorkRepository.ts(claimersStaleBefore), limit);
            if (candidates.isEmpty()) {
                return candidates;
            }
            List<Object[]> args = new ArrayList<>(candidates.size());
            for (InboxRow row : candidates) {
                args.add(new Object[] {utc(now), holder, row.id(), WorkRepository.ts(claimersStaleBefore)});
            }
            int[] counts = jdbc.batchUpdate("UPDATE webhook_inbox SET state = 'processing', claimed_at = ?, "
                    + "claimed_by = ?, attempts = attempts + 1 WHERE id = ? AND (state = 'received' OR "
                    + "(state = 'processing' AND NOT " + CLAIMER_ALIVE + "))", args);
            List<InboxRow> claimed = new ArrayList<>(candidates.size());
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] != 0) {
                    claimed.add(candidates.get(i));
                }
            }
            return claimed;
        } catch (DataAccessException e) {
            throw new StoreException("cannot claim webhook deliveries", e);
        }
    }

    /**
     * PostgreSQL: one statement that locks the first claimable rows, passing over those another process's claim is
     * locking right now ({@code SKIP LOCKED}: it takes them, this one takes the next), and claims them.
     */
    private List<InboxRow> claimSkippingLocked(int limit, Instant now, Instant readyBefore,
                                               Instant claimersStaleBefore) {
        try {
            List<InboxRow> claimed = new ArrayList<>(jdbc.query("UPDATE webhook_inbox SET state = 'processing', "
                            + "claimed_at = ?, claimed_by = ?, attempts = attempts + 1 WHERE id IN (SELECT id FROM "
                            + "webhook_inbox WHERE " + CLAIMABLE + " ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED) "
                            + "RETURNING id, idempotency_key, received_at, body, attempts, dead_letter_id, traceparent",
                    (rs, i) -> new InboxRow(rs.getLong(1), rs.getString(2), instant(rs.getObject(3, OffsetDateTime.class)),
                            rs.getString(4), rs.getInt(5), rs.getLong(6), rs.getString(7)),
                    utc(now), holder, utc(readyBefore), utc(now), WorkRepository.ts(claimersStaleBefore), limit));
            claimed.sort(java.util.Comparator.comparingLong(InboxRow::id));
            return claimed;
        } catch (DataAccessException e) {
            throw new StoreException("cannot claim webhook deliveries", e);
        }
    }

    /** Releases every claim (start-up of the single instance that owns the store): stopped work is redone. */
    public int releaseClaims() {
        try {
            return jdbc.update("UPDATE webhook_inbox SET state = 'received', claimed_at = NULL, claimed_by = NULL "
                    + "WHERE state = 'processing'");
        } catch (DataAccessException e) {
            throw new StoreException("cannot release webhook inbox claims", e);
        }
    }

    /** Gives back every claim of this process (none of them is being worked on); answers how many. */
    public int releaseClaimsOf() {
        try {
            return jdbc.update("UPDATE webhook_inbox SET state = 'received', claimed_at = NULL, claimed_by = NULL "
                    + "WHERE state = 'processing' AND claimed_by = ?", holder);
        } catch (DataAccessException e) {
            throw new StoreException("cannot release this process's webhook inbox claims", e);
        }
    }

    /**
     * The row is finished; the given events (if any) become dead letters in the same commit. False (nothing written)
     * when this process no longer holds the claim: it was taken over while this one showed no life.
     */
    public boolean finish(long id, List<DeadLetter> dead, String lastError, Instant now) {
        return write("finish", id, () -> {
            dead.forEach(d -> deadLetters.record(d, now));
            return jdbc.update("UPDATE webhook_inbox SET state = 'done', processed_at = ?, claimed_at = NULL, "
                    + "claimed_by = NULL, last_error = ? WHERE id = ? AND state = 'processing' AND claimed_by = ?",
                    utc(now), lastError == null ? null : DeadLetterRepository.truncate(lastError), id, holder);
        });
    }

    /**
     * The row goes back to waiting with only the events still to do as its body, until {@code nextAttemptAt}; the
     * given events become dead letters in the same commit. A claim that was not a real attempt (Attio unavailable)
     * is given back ({@code countAttempt} false). False (nothing written) when the claim is no longer this process's.
     */
    public boolean retryLater(long id, String remainingBody, String error, Instant nextAttemptAt, boolean countAttempt,
                              List<DeadLetter> dead, Instant now) {
        return write("reschedule", id, () -> {
            dead.forEach(d -> deadLetters.record(d, now));
            return jdbc.update("UPDATE webhook_inbox SET state = 'received', body = ?, last_error = ?, "
                    + "next_attempt_at = ?, claimed_at = NULL, claimed_by = NULL, attempts = attempts - ? "
                    + "WHERE id = ? AND state = 'processing' AND claimed_by = ?", remainingBody,
                    DeadLetterRepository.truncate(error), utc(nextAttemptAt), countAttempt ? 0 : 1, id, holder);
        });
    }

    /**
     * Re-injects a dead letter as a new delivery (its own key: it must not be taken for a duplicate) pointing back at
     * the letter; false, nothing written, while an earlier replay of it is still waiting or being processed. The
     * letter's row is locked first, so two concurrent replays cannot both find none pending.
     */
    public boolean replay(long deadLetterId, String key, String body, Instant now, String traceparent) {
        return write("replay dead letter", deadLetterId, () -> {
            deadLetters.lock(deadLetterId);
            Integer pending = jdbc.queryForObject("SELECT COUNT(*) FROM webhook_inbox WHERE dead_letter_id = ? "
                    + "AND state IN ('received', 'processing')", Integer.class, deadLetterId);
            if (pending != null && pending > 0) {
                return 0;
            }
            jdbc.update("INSERT INTO webhook_inbox (idempotency_key, received_at, body, state, attempts, dead_letter_id, "
                    + "traceparent) VALUES (?, ?, ?, 'received', 0, ?, ?)", key, utc(now), body, deadLetterId, traceparent);
            deadLetters.markReplayed(deadLetterId, now);
            return 1;
        });
    }

    /** Forgets keys remembered before {@code keysBefore} and deletes rows finished before {@code doneBefore}. */
    public int[] purge(Instant keysBefore, Instant doneBefore) {
        try {
            // camel_messageprocessed.createdAt is a plain TIMESTAMP written by JdbcMessageIdRepository in JVM time
            int keysDeleted = jdbc.update("DELETE FROM camel_messageprocessed WHERE processorName = ? AND createdAt < ?",
                    PROCESSOR_NAME, Timestamp.from(keysBefore));
            int rowsDeleted = jdbc.update("DELETE FROM webhook_inbox WHERE state = 'done' AND processed_at < ?",
                    utc(doneBefore));
            return new int[] {keysDeleted, rowsDeleted};
        } catch (DataAccessException e) {
            throw new StoreException("cannot purge the webhook inbox", e);
        }
    }

    /** Rows per state (operations, tests). */
    public Map<String, Long> countByState() {
        try {
            Map<String, Long> counts = new LinkedHashMap<>();
            jdbc.query("SELECT state, COUNT(*) FROM webhook_inbox GROUP BY state ORDER BY state",
                    rs -> { counts.put(rs.getString(1), rs.getLong(2)); });
            return counts;
        } catch (DataAccessException e) {
            throw new StoreException("cannot count the webhook inbox", e);
        }
    }

    /**
     * Camel's repository checks with a SELECT before its INSERT; on the intake's hot path the primary key alone
     * decides, one statement instead of two. A duplicate must not fail the caller's transaction (PostgreSQL aborts a
     * transaction on an error), so the caller rolls back instead of committing.
     */
    private static final class InsertFirstRepository extends JdbcMessageIdRepository {
        InsertFirstRepository(DataSource dataSource, TransactionTemplate tx) {
            super(dataSource, tx, PROCESSOR_NAME);
        }

        @Override
        public boolean add(String key) {
            try {
                return insert(key) == 1;
            } catch (DuplicateKeyException e) {
                return false;
            }
        }
    }

    /** Runs {@code work} in one transaction, rolled back when it changed no row; true when it changed one. */
    private boolean write(String what, long id, java.util.function.IntSupplier work) {
        try {
            return Boolean.TRUE.equals(tx.execute(status -> {
                if (work.getAsInt() == 0) {
                    status.setRollbackOnly();
                    return false;
                }
                return true;
            }));
        } catch (DataAccessException e) {
            throw new StoreException("cannot " + what + " webhook inbox row " + id, e);
        }
    }
}
