package io.github.attiocamel.store;

import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import io.github.attiocamel.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A hung database gives 503 quickly, never a hang: the bundle on a real PostgreSQL whose inbox tables another
 * connection holds under an ACCESS EXCLUSIVE lock (every statement on them waits, as on a paused database) answers
 * a signed delivery 503 within the configured query timeout, so Attio retries it; once the lock goes, deliveries
 * are stored again.
 */
@BothStores
@EnabledIf(value = "io.github.attiocamel.testing.TestStores#postgresql",
        disabledReason = "PostgreSQL only: runs in the PostgreSQL half (Surefire execution postgresql)")
class StoreTimeoutTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    @Test
    void aLockedStoreAnswersADelivery503WithinTheQueryTimeout() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        sim.data().seedPeople(1);
        String personId = sim.data().recordIds("people").get(0);
        try (TestPostgres db = TestPostgres.freshDatabase("store_timeout");
             RunningBundle bundle = RunningBundle.against(sim.baseUrl(), sim.apiKey())
                .property("attio.store.jdbc-url", db.jdbcUrl()).property("attio.store.user", db.user())
                .property("attio.store.query-timeout", "PT2S").start()) {
            String url = bundle.httpUrl() + "/webhooks/attio";
            try (Connection pause = DriverManager.getConnection(db.jdbcUrl(), db.user(), "");
                 Statement s = pause.createStatement()) {
                pause.setAutoCommit(false);
                s.execute("LOCK TABLE webhook_inbox, camel_messageprocessed IN ACCESS EXCLUSIVE MODE");

                long started = System.nanoTime();
                int status = sim.deliver(url, bundle.webhookSecret(), sim.recordEvent("record.created", "people",
                        personId), "paused-1");
                Duration took = Duration.ofNanos(System.nanoTime() - started);

                assertThat(status).isEqualTo(503);
                assertThat(took).as("answered within the query timeout, not hung").isLessThan(Duration.ofSeconds(5));
                pause.rollback();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> sim.deliver(url, bundle.webhookSecret(),
                    sim.recordEvent("record.created", "people", personId), "paused-2") == 200);
        }
    }
}
