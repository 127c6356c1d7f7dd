package io.github.attiocamel.mirror;

import io.github.attiocamel.store.StoreDialect;
import io.github.attiocamel.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Takes the outbox's oldest unpublished messages for the relay route (routes/attio-change-feed.camel.yaml), which
 * sends them one by one in seq order, and marks those it sent published. One relay sends at a time across every
 * instance on a shared PostgreSQL store: a transaction-level advisory lock, held for the batch and freed with its
 * transaction, by PostgreSQL the moment the holder's connection dies (a {@code kill -9} included). A send that fails stops the batch, so nothing overtakes
 * it; the next batch waits a back-off that doubles from {@code retryInitialDelay} to {@code retryMaxDelay}.
 * Delivery is at least once: a crash between a send and its mark re-sends that message under the same id.
 */
public final class ChangeRelay {

    /** The advisory lock's key: "attio-change-relay" in no other use. */
    private static final long LOCK_KEY = 0x61747469_6f636866L;
    private static final Logger LOG = LoggerFactory.getLogger("attio.changes");

    /** The messages one poll took (empty when another instance relays or the back-off runs), and those it sent. */
    public static final class Batch {
        private final Connection connection;
        private final List<Message> messages = new ArrayList<>();
        private final List<ChangeOutbox.Pending> sent = new ArrayList<>();

        private Batch(Connection connection) {
            this.connection = connection;
        }

        public List<Message> getMessages() {
            return messages;
        }
    }

    /** One message of a batch: what the route sends, and the batch it reports back to. */
    public record Message(Batch batch, ChangeOutbox.Pending change) {
        public String getChangeId() {
            return change.changeId();
        }

        public String getKey() {
            return change.key();
        }

        public String getSource() {
            return change.source();
        }

        public String getEventType() {
            return change.eventType();
        }

        public String getObject() {
            return change.object();
        }

        public String getJson() {
            return change.message();
        }

        /** The trace of the flow that made the change (null: none), which the send continues. */
        public String getTraceparent() {
            return change.traceparent();
        }
    }

    private final DataSource dataSource;
    private final ChangeOutbox outbox;
    private final boolean shared;
    private final int batchSize;
    private final Duration retryInitialDelay;
    private final Duration retryMaxDelay;
    private final Clock clock;
    private Duration delay = Duration.ZERO;
    private Instant nextAttempt = Instant.MIN;
    private Batch inFlight;

    public ChangeRelay(DataSource dataSource, ChangeOutbox outbox, int batchSize, Duration retryInitialDelay,
                       Duration retryMaxDelay, Clock clock) {
        this.dataSource = dataSource;
        this.outbox = outbox;
        this.shared = StoreDialect.of(dataSource).postgresql();
        this.batchSize = batchSize;
        this.retryInitialDelay = retryInitialDelay;
        this.retryMaxDelay = retryMaxDelay;
        this.clock = clock;
    }

    /** The next batch; the caller hands it to {@link #finish} whatever happens (the route's doFinally). */
    public synchronized Batch take() {
        // one batch at a time per instance too: rows of a batch not yet finished must not be taken twice
        if (inFlight != null || clock.instant().isBefore(nextAttempt)) {
            return new Batch(null);
        }
        Connection c = null;
        try {
            c = dataSource.getConnection();
            c.setAutoCommit(false);
            if (shared && !lock(c)) {
                c.rollback();
                c.close();
                return new Batch(null);
            }
            Batch batch = new Batch(c);
            for (ChangeOutbox.Pending p : outbox.pending(c, batchSize)) {
                batch.messages.add(new Message(batch, p));
            }
            inFlight = batch;
            return batch;
        } catch (SQLException e) {
            rollbackAndClose(c);
            throw new StoreException("cannot read the change outbox", e);
        }
    }

    /** Whether to take another batch at once: none taken yet this poll, or the last came full and went out whole. */
    public boolean again(Batch last) {
        return last == null || last.connection != null && last.messages.size() == batchSize
                && last.sent.size() == last.messages.size();
    }

    /** The endpoint took this message. */
    public void sent(Message message) {
        message.batch().sent.add(message.change());
    }

    /** Marks what was sent published, frees the lock (the commit), and starts (or resets) the back-off. */
    public synchronized void finish(Batch batch) {
        if (batch.connection == null) {
            return;
        }
        inFlight = null;
        try {
            outbox.markPublished(batch.connection, batch.sent);
            batch.connection.commit();
            if (batch.sent.size() < batch.messages.size()) {
                delay = delay.isZero() ? retryInitialDelay : min(delay.multipliedBy(2), retryMaxDelay);
                nextAttempt = clock.instant().plus(delay);
                LOG.debug("[attio-changes] change {} not sent, {} wait, next try in {} ms",
                        batch.messages.get(batch.sent.size()).getChangeId(),
                        batch.messages.size() - batch.sent.size(), delay.toMillis());
            } else {
                delay = Duration.ZERO;
                nextAttempt = Instant.MIN;
            }
            batch.connection.close();
        } catch (SQLException e) {
            rollbackAndClose(batch.connection);
            throw new StoreException("cannot mark change messages published", e);
        }
    }

    private static boolean lock(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
            ps.setLong(1, LOCK_KEY);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void rollbackAndClose(Connection c) {
        if (c != null) {
            try (c) {
                c.rollback();
            } catch (SQLException e) {
                LOG.debug("closing the relay's connection failed", e);
            }
        }
    }
}
