package io.github.attiocamel.contacts;

import io.github.attiocamel.testing.BothStores;
import org.junit.jupiter.api.condition.EnabledIf;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.sandbox.RecordedRequest;
import io.github.attiocamel.testing.BundleProcess;
import io.github.attiocamel.testing.SimulatorExtension;
import io.github.attiocamel.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Acceptance (issue 14, item 5): a contact batch on instance A (a JVM of its own) is finished by instance B, sharing
 * the PostgreSQL store, within seconds of A's {@code kill -9} (attio.work.stale-after 4 s here), although the upload
 * was spooled on A's disk: B continues with the rows not finished, so each row A finished is written to Attio once,
 * only the rows A had in flight are sent again, every person has one note, and all rows end done.
 */
@BothStores
@EnabledIf(value = "io.github.attiocamel.testing.TestStores#postgresql",
        disabledReason = "PostgreSQL only: runs in the PostgreSQL half (Surefire execution postgresql)")
class ContactsBatchTakeoverTest {

    private static final Duration STALE_AFTER = Duration.ofSeconds(4);
    private static final int ROWS = 80;
    /** Rows in flight at once (attio.contacts.batch.concurrency): the most A can have left unfinished. */
    private static final int IN_FLIGHT = 8;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    @Test
    void aBatchOnAKilledInstanceIsFinishedByAnotherWithEachFinishedRowWrittenOnce() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        int people = sim.data().count("people");
        int notes = sim.data().noteCount();
        try (TestPostgres db = TestPostgres.freshDatabase("batchtakeover");
             BundleProcess a = shared(BundleProcess.against(sim.baseUrl(), sim.apiKey()), db);
             BundleProcess b = shared(BundleProcess.against(sim.baseUrl(), sim.apiKey()), db)) {
            a.start();
            b.start();
            sim.clearRequests();
            sim.setLatency(Duration.ofMillis(300));
            HttpResponse<String> accepted = a.apiPost("/api/contacts:batch", batch());
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            String jobId = JSON.readTree(accepted.body()).path("job_id").asText();
            await().atMost(Duration.ofSeconds(60)).until(() -> finishedRows(db, jobId).size() >= 15);

            a.kill();
            Instant killed = Instant.now();
            Set<Integer> finishedByA = finishedRows(db, jobId);
            assertThat(finishedByA).as("A was killed mid-batch").hasSizeLessThan(ROWS);
            sim.setLatency(Duration.ofMillis(50));

            JsonNode[] job = new JsonNode[1];
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
                String body = b.apiGet("/api/jobs/" + jobId);
                job[0] = body == null ? null : JSON.readTree(body);
                return job[0] != null && "COMPLETED".equals(job[0].path("state").asText());
            });
            assertThat(job[0].path("done").asInt()).isEqualTo(ROWS);
            assertThat(job[0].path("failed").asInt()).isZero();

            List<RecordedRequest> asserts = sim.requests().stream().filter(r -> "PUT".equals(r.method())
                    && r.path().equals("/v2/objects/people/records")).toList();
            Instant firstAfterKill = asserts.stream().map(RecordedRequest::arrival).filter(t -> t.isAfter(killed))
                    .min(Instant::compareTo).orElseThrow();
            assertThat(Duration.between(killed, firstAfterKill)).as("B's first row after the kill")
                    .isLessThan(STALE_AFTER.plusSeconds(6));
            Map<Integer, Long> assertsPerRow = new java.util.HashMap<>();
            for (int row = 1; row <= ROWS; row++) {
                String email = "\"" + email(row) + "\"";
                assertsPerRow.put(row, asserts.stream().filter(r -> r.body().contains(email)).count());
            }
            assertThat(assertsPerRow.values()).as("every row asserted its person").doesNotContain(0L);
            for (int row : finishedByA) {
                assertThat(assertsPerRow.get(row)).as("row %d, finished by A: written once", row).isEqualTo(1L);
            }
            Set<Integer> repeated = assertsPerRow.entrySet().stream().filter(e -> e.getValue() > 1)
                    .map(Map.Entry::getKey).collect(Collectors.toSet());
            assertThat(repeated).as("rows sent again: only those A had in flight").hasSizeLessThanOrEqualTo(IN_FLIGHT);
            assertThat(sim.data().count("people")).as("one person per row").isEqualTo(people + ROWS);
            assertThat(sim.data().noteCount()).as("one note per row").isEqualTo(notes + ROWS);
        } finally {
            sim.setLatency(null);
        }
    }

    private static BundleProcess shared(BundleProcess bundle, TestPostgres db) {
        return bundle.sharing(db).quickTakeover(STALE_AFTER)
                .env("ATTIO_SYNC_SCHEDULE_ENABLED", "false")
                .env("ATTIO_CONTACTS_BATCH_CONCURRENCY", String.valueOf(IN_FLIGHT));
    }

    private static String email(int row) {
        return "takeover-" + row + "@gmail.com";
    }

    private static String batch() {
        StringBuilder b = new StringBuilder();
        for (int row = 1; row <= ROWS; row++) {
            b.append("{\"email\":\"").append(email(row)).append("\",\"first_name\":\"Row\",\"last_name\":\"")
                    .append(row).append("\",\"note\":{\"title\":\"Imported\",\"content\":\"row ").append(row)
                    .append("\"}}\n");
        }
        return b.toString();
    }

    private static Set<Integer> finishedRows(TestPostgres db, String jobId) throws Exception {
        Set<Integer> rows = new HashSet<>();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), "");
             PreparedStatement ps = c.prepareStatement("SELECT row_no FROM contact_job_row WHERE job_id = ?")) {
            ps.setString(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getInt(1));
                }
            }
        }
        return rows;
    }
}
