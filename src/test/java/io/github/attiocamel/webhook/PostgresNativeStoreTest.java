package io.github.attiocamel.webhook;

import io.github.attiocamel.mirror.MirrorKind;
import io.github.attiocamel.mirror.MirrorRepository;
import io.github.attiocamel.mirror.MirrorRow;
import io.github.attiocamel.mirror.ValuesHash;
import io.github.attiocamel.store.WorkRepository;
import io.github.attiocamel.store.WorkTracker;
import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store used as PostgreSQL: mirror values are jsonb (V60), a webhook inbox claim and a work adoption pass over
 * rows another transaction holds locked instead of waiting for them, and the mirror's upsert is one statement.
 */
@BothStores
@EnabledIf(value = "io.github.attiocamel.testing.TestStores#postgresql",
        disabledReason = "PostgreSQL only: runs in the PostgreSQL half (Surefire execution postgresql)")
class PostgresNativeStoreTest {

    private TestStores.Store db;

    @BeforeEach
    void openStore() throws SQLException {
        db = TestStores.open("native", 4);
    }

    @AfterEach
    void closeStore() throws SQLException {
        db.close();
    }

    @Test
    void mirrorValuesAreJsonbThatPostgresqlCanQuery() throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT table_name, data_type FROM information_schema.columns WHERE "
                     + "column_name = 'values_json' ORDER BY table_name")) {
            List<String> types = new ArrayList<>();
            while (rs.next()) {
                types.add(rs.getString(1) + ":" + rs.getString(2));
            }
            assertThat(types).containsExactly("mirror_entry:jsonb", "mirror_record:jsonb");
        }

        MirrorRepository mirror = new MirrorRepository(db.dataSource());
        String values = "{\"name\":[{\"full_name\":\"Ada Lovelace\"}],\"job_title\":[{\"value\":\"CTO\"}]}";
        assertThat(mirror.upsert(person("p1", values))).isEqualTo(MirrorRepository.Outcome.CREATED);
        assertThat(mirror.upsert(person("p1", values))).isEqualTo(MirrorRepository.Outcome.UNCHANGED);
        assertThat(mirror.upsert(person("p1", "{\"name\":[{\"full_name\":\"Ada King\"}]}")))
                .isEqualTo(MirrorRepository.Outcome.UPDATED);
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT values_json -> 'name' -> 0 ->> 'full_name' FROM mirror_record "
                     + "WHERE record_id = 'p1'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("Ada King");
        }
    }

    @Test
    void aClaimPassesOverRowsAnotherTransactionHoldsLockedAndTakesThemOnceFree() throws Exception {
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        WebhookInboxRepository inbox = new WebhookInboxRepository(db.dataSource(),
                new DeadLetterRepository(db.dataSource()), "holder-a");
        new WorkTracker(new WorkRepository(db.dataSource(), "holder-a"), Duration.ofSeconds(10), Clock.systemUTC())
                .showPresence();
        for (String key : List.of("a", "b", "c")) {
            inbox.accept(key, "{\"key\":\"" + key + "\"}", null, t0.minusSeconds(5), null);
        }

        try (Connection other = DriverManager.getConnection(db.database().jdbcUrl(), db.database().user(), "")) {
            other.setAutoCommit(false);
            try (Statement s = other.createStatement()) {
                s.execute("SELECT id FROM webhook_inbox WHERE idempotency_key = 'a' FOR UPDATE");
            }
            // a claim that waited for the lock would never return while "other" holds it
            List<InboxRow> first = CompletableFuture.supplyAsync(() -> inbox.claim(10, t0, t0, t0.minusSeconds(60)))
                    .get(10, TimeUnit.SECONDS);
            assertThat(first).extracting(InboxRow::idempotencyKey).containsExactly("b", "c");
            assertThat(first).extracting(InboxRow::attempts).containsOnly(1);
            other.rollback();
        }
        assertThat(inbox.claim(10, t0, t0, t0.minusSeconds(60))).extracting(InboxRow::idempotencyKey)
                .containsExactly("a");
        assertThat(inbox.countByState()).isEqualTo(Map.of("processing", 3L));
    }

    @Test
    void anAdoptionPassesOverWorkWhoseRowAnotherTransactionHoldsLocked() throws Exception {
        WorkRepository dead = new WorkRepository(db.dataSource(), "dead");
        Instant longAgo = Instant.now().minus(Duration.ofMinutes(10));
        dead.inTransaction("create work", c -> {
            dead.create(c, "w1", "test-work", 10, longAgo);
            return null;
        });
        WorkRepository adopter = new WorkRepository(db.dataSource(), "adopter");
        Instant now = Instant.now();

        try (Connection other = DriverManager.getConnection(db.database().jdbcUrl(), db.database().user(), "")) {
            other.setAutoCommit(false);
            try (PreparedStatement ps = other.prepareStatement("SELECT 1 FROM work_item WHERE work_id = 'w1' FOR UPDATE")) {
                ps.executeQuery().close();
            }
            boolean adopted = CompletableFuture.supplyAsync(() -> adopter.adopt("w1", 0, now.minusSeconds(10), now))
                    .get(10, TimeUnit.SECONDS);
            assertThat(adopted).as("locked by another transaction: passed over, not waited for").isFalse();
            other.rollback();
        }
        assertThat(adopter.adopt("w1", 0, now.minusSeconds(10), now)).isTrue();
        assertThat(adopter.find("w1")).get().extracting(w -> w.holder()).isEqualTo("adopter");
    }

    private static MirrorRow person(String id, String valuesJson) {
        return new MirrorRow(MirrorKind.RECORDS, "people", id, "ws", "obj", null, null, valuesJson,
                ValuesHash.of(valuesJson), null, "2026-01-01T00:00:00.000000000Z", Instant.now(), "webhook", false, null);
    }
}
