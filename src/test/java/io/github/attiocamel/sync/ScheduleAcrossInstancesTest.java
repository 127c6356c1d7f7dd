package io.github.attiocamel.sync;

import io.github.attiocamel.testing.BothStores;
import org.junit.jupiter.api.condition.EnabledIf;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.BundleProcess;
import io.github.attiocamel.testing.SimulatorExtension;
import io.github.attiocamel.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Acceptance (issue 14, item 4): three bundles (JVMs of their own) on one PostgreSQL store, with a cron firing every
 * 5 s. Each firing is handled by exactly one of them: the schedule route's exchanges of all three together (their
 * metrics) are as many as the runs the firings made, one per target each, and each run read its target once from
 * offset 0. With a scheduler per instance (Quartz's RAM store) every instance fires each time, and the runs joining
 * each other only hide that all three started the work.
 */
@BothStores
@EnabledIf(value = "io.github.attiocamel.testing.TestStores#postgresql",
        disabledReason = "PostgreSQL only: runs in the PostgreSQL half (Surefire execution postgresql)")
class ScheduleAcrossInstancesTest {

    private static final long CRON_MILLIS = 5000;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    /** What the three instances and the store say at one moment between two firings. */
    private record Snapshot(long firings, Map<String, Integer> runs, long fullReadsOfCompanies, long fullReadsOfSales) {}

    @Test
    void eachFiringOfTheCronRunsOnExactlyOneOfThreeInstances() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        sim.clearRequests();
        try (TestPostgres db = TestPostgres.freshDatabase("schedule");
             BundleProcess a = scheduled(sim, db);
             BundleProcess b = scheduled(sim, db);
             BundleProcess c = scheduled(sim, db)) {
            List<BundleProcess> all = List.of(a, b, c);
            for (BundleProcess bundle : all) {
                bundle.start();
            }
            Instant allUp = Instant.now();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(runs(db, "AND w.state = 'COMPLETED' AND w.created_at > ?", allUp))
                            .as("completed schedule runs per target since all three were up")
                            .containsOnlyKeys("records:companies", "entries:sales")
                            .allSatisfy((target, runs) -> assertThat(runs).isGreaterThanOrEqualTo(3)));

            // read between two firings, once every run is finished: nothing can change while it is taken
            Snapshot[] taken = new Snapshot[1];
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                long phase = System.currentTimeMillis() % CRON_MILLIS;
                if (phase < 1500 || phase > 3000 || !runs(db, "AND w.state IN ('QUEUED', 'RUNNING')", null).isEmpty()) {
                    return false;
                }
                long firings = 0;
                for (BundleProcess bundle : all) {
                    firings += scheduleExchanges(bundle);
                }
                taken[0] = new Snapshot(firings, runs(db, "", null),
                        fullReads(sim, "/v2/objects/companies/records/query"),
                        fullReads(sim, "/v2/lists/sales/entries/query"));
                return System.currentTimeMillis() % CRON_MILLIS > phase;
            });

            Snapshot at = taken[0];
            assertThat(at.runs().get("records:companies")).as("runs of companies").isGreaterThanOrEqualTo(3);
            assertThat(at.firings()).as("schedule exchanges of the three instances: one per firing, each firing "
                    + "one run per target").isEqualTo(at.runs().get("records:companies").longValue())
                    .isEqualTo(at.runs().get("entries:sales").longValue());
            assertThat(at.fullReadsOfCompanies()).as("full reads of companies: one per run")
                    .isEqualTo(at.runs().get("records:companies").longValue());
            assertThat(at.fullReadsOfSales()).as("full reads of sales: one per run")
                    .isEqualTo(at.runs().get("entries:sales").longValue());
        }
    }

    private static BundleProcess scheduled(AttioSimulator sim, TestPostgres db) {
        return BundleProcess.against(sim.baseUrl(), sim.apiKey()).sharing(db)
                .env("ATTIO_SYNC_CRON", "0/" + CRON_MILLIS / 1000 + " * * * * ?")
                .env("ATTIO_SYNC_OBJECTS", "companies").env("ATTIO_SYNC_LISTS", "sales");
    }

    /** Requests that began a full read: the first page (offset 0) of the target's query. */
    private static long fullReads(AttioSimulator sim, String path) {
        return sim.requests().stream().filter(r -> r.path().equals(path) && r.bodyLong("offset", -1) == 0).count();
    }

    /** The bundle's exchanges of route attio-full-sync-schedule so far: the firings it handled. */
    private static long scheduleExchanges(BundleProcess bundle) throws Exception {
        String text = HTTP.send(HttpRequest.newBuilder(URI.create(bundle.managementUrl() + "/observe/metrics"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        List<String> lines = text.lines().filter(l -> l.startsWith("camel_exchanges_total{")
                && l.contains("routeId=\"attio-full-sync-schedule\"")).toList();
        assertThat(lines).as("the schedule route's exchange counter").hasSize(1);
        return Math.round(Double.parseDouble(lines.get(0).substring(lines.get(0).lastIndexOf(' ') + 1)));
    }

    /** Schedule runs per target ({@code records:companies}), of those matching the extra condition. */
    private static Map<String, Integer> runs(TestPostgres db, String condition, Instant createdAfter)
            throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), "");
             PreparedStatement ps = c.prepareStatement("SELECT LOWER(r.target_kind) || ':' || r.target, COUNT(*) "
                     + "FROM sync_run r JOIN work_item w ON w.work_id = r.run_id WHERE r.trigger_source = 'schedule' "
                     + condition + " GROUP BY 1")) {
            if (createdAfter != null) {
                ps.setTimestamp(1, Timestamp.from(createdAfter));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        return counts;
    }
}
