package io.github.attiocamel.gateway;

import io.github.attiocamel.testing.BothStores;
import org.junit.jupiter.api.condition.EnabledIf;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.sandbox.FaultRule;
import io.github.attiocamel.sandbox.RecordedRequest;
import io.github.attiocamel.testing.BundleProcess;
import io.github.attiocamel.testing.SimulatorExtension;
import io.github.attiocamel.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Retry-After seen by one process holds them all: bundle A's write is answered 429 with a Retry-After three seconds
 * ahead; bundle B (another JVM on the same PostgreSQL store) is asked for a write right after, and must send nothing
 * in the write lane before Attio's date, while A's own retry waits for it too. Both contacts are then written.
 */
@BothStores
@EnabledIf(value = "io.github.attiocamel.testing.TestStores#postgresql",
        disabledReason = "PostgreSQL only: runs in the PostgreSQL half (Surefire execution postgresql)")
class WorkspaceHoldTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    @Test
    void aRetryAfterSeenByOneProcessHoldsTheWriteLaneOfTheOthers() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        try (TestPostgres db = TestPostgres.freshDatabase("hold");
             BundleProcess a = shared(BundleProcess.against(sim.baseUrl(), sim.apiKey()), db).start();
             BundleProcess b = shared(BundleProcess.against(sim.baseUrl(), sim.apiKey()), db).start()) {
            sim.clearRequests();
            sim.faults().add(FaultRule.when(r -> r.kind() == RecordedRequest.Kind.WRITE).retryAfter(Duration.ofSeconds(3))
                    .times(1));

            CompletableFuture<HttpResponse<String>> fromA = CompletableFuture.supplyAsync(() -> post(a, "held-a@gmail.com"));
            await().atMost(Duration.ofSeconds(20)).until(() -> sim.count(RecordedRequest.Kind.WRITE, 429) == 1);
            RecordedRequest refused = writes(sim).get(0);
            assertThat(refused.status()).isEqualTo(429);
            // the simulator's date: the arrival plus three seconds, rounded up to the second (never earlier)
            Instant until = Instant.ofEpochSecond((refused.arrival().plusSeconds(3).toEpochMilli() + 999) / 1000);
            await().atMost(Duration.ofSeconds(2)).until(() -> holdRecorded(db));

            Instant askedB = Instant.now();
            HttpResponse<String> fromB = post(b, "held-b@gmail.com");

            assertThat(askedB).as("B was asked well before the hold ends").isBefore(until.minusSeconds(1));
            assertThat(fromB.statusCode()).as(fromB.body()).isEqualTo(200);
            assertThat(fromA.join().statusCode()).as(fromA.join().body()).isEqualTo(200);
            List<RecordedRequest> writes = writes(sim);
            assertThat(writes).as("A's refused write, A's retry, B's write").hasSize(3);
            for (RecordedRequest write : writes.subList(1, writes.size())) {
                assertThat(write.arrival()).as("a write after the 429: %s", write.body()).isAfterOrEqualTo(until);
                assertThat(write.status()).isEqualTo(200);
            }
            assertThat(writes.stream().filter(w -> w.body().contains("held-b@gmail.com")).count()).isEqualTo(1);
        }
    }

    private static List<RecordedRequest> writes(AttioSimulator sim) {
        return sim.requests().stream().filter(r -> r.kind() == RecordedRequest.Kind.WRITE)
                .sorted(java.util.Comparator.comparing(RecordedRequest::arrival)).toList();
    }

    private static HttpResponse<String> post(BundleProcess bundle, String email) {
        try {
            return bundle.apiPost("/api/contacts", "{\"email\": \"" + email + "\", \"first_name\": \"Held\"}");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean holdRecorded(TestPostgres db) throws Exception {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM attio_rate_hold WHERE lane = 'write'")) {
            return rs.next() && rs.getInt(1) == 1;
        }
    }

    private static BundleProcess shared(BundleProcess bundle, TestPostgres db) {
        // -Dattio.test.budget-scope=process shows what a process that keeps its holds to itself does (it fails)
        return bundle.sharing(db).env("ATTIO_BUDGET_SCOPE", System.getProperty("attio.test.budget-scope"));
    }
}
