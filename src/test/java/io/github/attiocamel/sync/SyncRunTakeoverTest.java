package io.github.attiocamel.sync;

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
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Acceptance (issue 14, item 5): a sync run on instance A (a JVM of its own) is taken over by instance B, sharing the
 * PostgreSQL store, within seconds of A's {@code kill -9} (attio.work.stale-after 4 s here), and continues at its
 * first page not done: the pages A committed are not read again, the mirror ends complete, and the rows A's pages
 * marked seen are not mistaken for deletions.
 */
@BothStores
@EnabledIf(value = "io.github.attiocamel.testing.TestStores#postgresql",
        disabledReason = "PostgreSQL only: runs in the PostgreSQL half (Surefire execution postgresql)")
class SyncRunTakeoverTest {

    private static final Duration STALE_AFTER = Duration.ofSeconds(4);
    private static final int PAGE = 100;
    private static final String QUERY = "/v2/objects/people/records/query";
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    @Test
    void aRunADeadInstanceLeftIsResumedElsewhereAtItsFirstPageNotDone() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        sim.data().seedPeople(1450 - sim.data().count("people"));
        int people = sim.data().count("people");
        try (TestPostgres db = TestPostgres.freshDatabase("synctakeover");
             BundleProcess a = shared(BundleProcess.against(sim.baseUrl(), sim.apiKey()), db);
             BundleProcess b = shared(BundleProcess.against(sim.baseUrl(), sim.apiKey()), db)) {
            a.start();
            // a first run fills the mirror, so that the second one has rows to (wrongly) delete
            assertThat(awaitFinished(a, trigger(a)).path("state").asText()).isEqualTo("completed");
            b.start();

            sim.clearRequests();
            sim.setLatency(Duration.ofMillis(400));
            String runId = trigger(a);
            await().atMost(Duration.ofSeconds(60)).until(() -> pagesDone(db, runId) >= 3);
            a.kill();
            Instant killed = Instant.now();
            int donePages = pagesDone(db, runId);
            sim.setLatency(Duration.ofMillis(50));

            JsonNode run = awaitFinished(b, runId);
            assertThat(run.path("state").asText()).isEqualTo("completed");
            assertThat(run.path("resumes").asInt()).as("adopted once, by B").isEqualTo(1);
            assertThat(run.path("records").asInt()).isEqualTo(people);
            assertThat(run.path("deleted").asInt()).as("nothing deleted").isZero();

            List<RecordedRequest> reads = sim.requests().stream().filter(r -> r.path().equals(QUERY)).toList();
            Instant firstAfterKill = reads.stream().map(RecordedRequest::arrival).filter(t -> t.isAfter(killed))
                    .min(Instant::compareTo).orElseThrow();
            assertThat(Duration.between(killed, firstAfterKill)).as("B's first page after the kill")
                    .isLessThan(STALE_AFTER.plusSeconds(6));
            Map<Long, Long> perOffset = reads.stream().collect(Collectors.groupingBy(r -> r.bodyLong("offset", -1),
                    Collectors.counting()));
            for (long offset = 0; offset < (long) donePages * PAGE; offset += PAGE) {
                assertThat(perOffset.get(offset)).as("reads of committed page at offset %d", offset).isEqualTo(1L);
            }
            assertThat(reads.stream().filter(r -> r.arrival().isAfter(killed)).map(r -> r.bodyLong("offset", -1)))
                    .as("B starts at the first page not done").allMatch(offset -> offset >= (long) donePages * PAGE);
            JsonNode mirror = JSON.readTree(b.apiGet("/api/mirror/people?limit=1"));
            assertThat(mirror.path("total").asInt()).as("mirror complete").isEqualTo(people);
        } finally {
            sim.setLatency(null);
        }
    }

    private static BundleProcess shared(BundleProcess bundle, TestPostgres db) {
        return bundle.sharing(db).quickTakeover(STALE_AFTER)
                .env("ATTIO_SYNC_SCHEDULE_ENABLED", "false").env("ATTIO_SYNC_PAGE_SIZE", String.valueOf(PAGE))
                // one page in flight: what A read but did not commit is at most that page
                .env("ATTIO_SYNC_PARALLEL_PAGES", "1");
    }

    private static String trigger(BundleProcess bundle) throws Exception {
        HttpResponse<String> accepted = bundle.apiPost("/api/sync/people", "{}");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        return JSON.readTree(accepted.body()).path("run_id").asText();
    }

    private static JsonNode awaitFinished(BundleProcess bundle, String runId) {
        Function<String, JsonNode> view = id -> {
            try {
                String body = bundle.apiGet("/api/sync/runs/" + id);
                return body == null ? JSON.createObjectNode() : JSON.readTree(body);
            } catch (Exception e) {
                return JSON.createObjectNode();
            }
        };
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
            last[0] = view.apply(runId);
            String state = last[0].path("state").asText();
            return !state.isEmpty() && !"running".equals(state) && !"queued".equals(state);
        });
        return last[0];
    }

    private static int pagesDone(TestPostgres db, String runId) throws Exception {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), "");
             PreparedStatement ps = c.prepareStatement("SELECT pages FROM sync_run WHERE run_id = ?")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }
}
