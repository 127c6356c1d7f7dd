package io.github.attiocamel.mirror;

import io.github.attiocamel.store.AttioStore;
import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.TestStores;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** V88 on a store whose outbox holds messages (V1..V87): the unsent one is still relayed with its text. */
@BothStores
class OutboxMessageMigrationTest {

    @Test
    void messagesWrittenBeforeTheSplitKeepTheirTextAndOrder() throws SQLException {
        try (TestStores.Database db = TestStores.freshDatabase("outbox_migration")) {
            String url = db.jdbcUrl();
            String vendor = url.startsWith("jdbc:postgresql") ? "postgresql" : "h2";
            Flyway.configure().dataSource(url, db.user(), "")
                    .locations("classpath:db/migration", "classpath:db/vendor/" + vendor).target("87").load().migrate();
            try (Connection c = DriverManager.getConnection(url, db.user(), ""); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO change_outbox (change_id, change_key, source, event_type, object, message, "
                        + "created_at, published_at) VALUES ('c1', 'r1', 'webhook', 'record.updated', 'people', "
                        + "'{\"change_id\":\"c1\"}', TIMESTAMP WITH TIME ZONE '2026-11-01 10:00:00+00', "
                        + "TIMESTAMP WITH TIME ZONE '2026-11-01 10:00:01+00')");
                s.executeUpdate("INSERT INTO change_outbox (change_id, change_key, source, event_type, object, message, "
                        + "created_at) VALUES ('c2', 'r2', 'full-sync', 'record.created', 'people', "
                        + "'{\"change_id\":\"c2\"}', TIMESTAMP WITH TIME ZONE '2026-11-01 10:00:02+00')");
            }

            try (AttioStore store = new AttioStore(url, db.user(), "", 2)) {
                ChangeOutbox outbox = new ChangeOutbox(store.dataSource(), Clock.systemUTC());
                try (Connection c = store.dataSource().getConnection()) {
                    assertThat(outbox.pending(c, 10)).singleElement().satisfies(p -> {
                        assertThat(p.changeId()).isEqualTo("c2");
                        assertThat(p.message()).isEqualTo("{\"change_id\":\"c2\"}");
                    });
                }
                assertThat(outbox.purgeBefore(Instant.parse("2026-11-02T00:00:00Z"))).isEqualTo(1);
                try (Connection c = store.dataSource().getConnection(); Statement s = c.createStatement();
                     var rs = s.executeQuery("SELECT seq FROM change_outbox_message")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.next()).as("c1's text went with its row").isFalse();
                }
            }
        }
    }
}
