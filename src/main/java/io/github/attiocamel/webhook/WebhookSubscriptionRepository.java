package io.github.attiocamel.webhook;

import io.github.attiocamel.store.StoreException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Table {@code webhook_subscription}: the Attio webhooks the bundle made, with the secrets Attio gave for them. Changes
 * to them run one at a time across every instance on a shared PostgreSQL (a transaction-level advisory lock, freed
 * with the transaction or a dead connection) and within the JVM.
 */
final class WebhookSubscriptionRepository {

    static final String CURRENT = "current";
    static final String RETIRING = "retiring";
    static final String CREATING = "creating";

    /** The advisory lock's key: "attio-webhook-subscription" in no other use. */
    private static final long LOCK_KEY = 0x617474696f776873L;
    private static final Duration LOCK_WAIT = Duration.ofMinutes(2);
    private static final Duration LOCK_POLL = Duration.ofMillis(200);

    record Row(String webhookId, String state, String targetUrl, String secret, Instant createdAt, Instant retireAt) {}

    private final DataSource dataSource;
    private final boolean postgres;
    private final ReentrantLock local = new ReentrantLock();

    WebhookSubscriptionRepository(DataSource dataSource, boolean postgres) {
        this.dataSource = dataSource;
        this.postgres = postgres;
    }

    /** Runs {@code work} while no other instance (or thread) changes the subscription. */
    <T> T exclusively(Supplier<T> work) {
        local.lock();
        try {
            if (!postgres) {
                return work.get();
            }
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                try {
                    lock(c);
                    return work.get();
                } finally {
                    c.rollback();
                }
            } catch (SQLException e) {
                throw new StoreException("cannot lock the webhook subscription", e);
            }
        } finally {
            local.unlock();
        }
    }

    /**
     * Takes the advisory lock, asking again every {@link #LOCK_POLL} for up to {@link #LOCK_WAIT}: the holder calls Attio
     * while it holds it (a create, a back-off), longer than the store's statement timeout lets one blocking wait last.
     */
    private static void lock(Connection c) throws SQLException {
        long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
            ps.setLong(1, LOCK_KEY);
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new SQLException("another instance has held the webhook subscription lock for " + LOCK_WAIT);
                }
                try {
                    Thread.sleep(LOCK_POLL.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted while waiting for the webhook subscription lock", e);
                }
            }
        }
    }

    List<Row> all() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT webhook_id, state, target_url, secret, created_at, retire_at "
                     + "FROM webhook_subscription ORDER BY created_at");
             ResultSet rs = ps.executeQuery()) {
            List<Row> rows = new ArrayList<>();
            while (rs.next()) {
                Timestamp retire = rs.getTimestamp(6);
                rows.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getTimestamp(5).toInstant(), retire == null ? null : retire.toInstant()));
            }
            return rows;
        } catch (SQLException e) {
            throw new StoreException("cannot read the webhook subscription", e);
        }
    }

    /** The secrets deliveries may be signed with: the current webhook's and those still retiring. */
    List<String> secrets() {
        return all().stream().map(Row::secret).filter(secret -> secret != null && !secret.isEmpty()).toList();
    }

    void insert(Row row) {
        update("INSERT INTO webhook_subscription (webhook_id, state, target_url, secret, created_at, retire_at) "
                + "VALUES (?, ?, ?, ?, ?, ?)", row.webhookId(), row.state(), row.targetUrl(), row.secret(),
                Timestamp.from(row.createdAt()), row.retireAt() == null ? null : Timestamp.from(row.retireAt()));
    }

    void retire(String webhookId, Instant retireAt) {
        update("UPDATE webhook_subscription SET state = ?, retire_at = ? WHERE webhook_id = ?", RETIRING,
                Timestamp.from(retireAt), webhookId);
    }

    void delete(String webhookId) {
        update("DELETE FROM webhook_subscription WHERE webhook_id = ?", webhookId);
    }

    private void update(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("cannot change the webhook subscription", e);
        }
    }
}
