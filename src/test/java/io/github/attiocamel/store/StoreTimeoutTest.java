package io.github.attiocamel.store;

import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
class StoreTimeoutTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    private static final String URL = "jdbc:postgresql://127.0.0.1:5432/open_port";

    @BeforeAll
    static void freshSchema() throws Exception {
        try (Connection c = DriverManager.getConnection(URL, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS public CASCADE");
            s.execute("CREATE SCHEMA public");
        }
    }

    @Test
    void aLockedStoreAnswersADelivery503WithinTheQueryTimeout() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        sim.data().seedPeople(1);
        String personId = sim.data().recordIds("people").get(0);
        try (RunningBundle bundle = RunningBundle.against(sim.baseUrl(), sim.apiKey())
                .property("attio.store.jdbc-url", URL).property("attio.store.user", "postgres")
                .property("attio.store.query-timeout", "PT2S").start()) {
            String url = bundle.httpUrl() + "/webhooks/attio";
            try (Connection pause = DriverManager.getConnection(URL, "postgres", "");
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
