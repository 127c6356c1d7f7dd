package io.github.attiocamel.sync;

import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.BundleProcess;
import io.github.attiocamel.testing.SimulatorExtension;
import io.github.attiocamel.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Acceptance (issue 14, item 4): three bundles (JVMs of their own) on one PostgreSQL store, with a cron firing every
 * 5 s. Each firing is handled by exactly one of them: one claim per target per firing (the line each claim logs,
 * "started by schedule" or "schedule trigger joins it", in all three logs together), one sync run per firing and one
 * full read of each target per run. With a scheduler per instance (Quartz's RAM store) every instance fires each
 * time, and the runs joining each other only hide that all three started the work.
 */
class ScheduleAcrossInstancesTest {

    private static final int CRON_SECONDS = 5;
    private static final Pattern CLAIM = Pattern.compile("^(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d)\\S* .*"
            + "\\[attio-full-sync] (\\S+) (?:run \\S+ started by schedule|already running as \\S+: schedule trigger joins it)");

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

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
            // three firings with all three instances up, each run finished (so each firing starts a run of its own)
            LocalDateTime allUp = LocalDateTime.now(ZoneOffset.UTC);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(completedSince(db, allUp)).as("completed schedule runs per target since all were up")
                            .containsOnlyKeys("records:companies", "entries:sales")
                            .allSatisfy((target, runs) -> assertThat(runs).isGreaterThanOrEqualTo(3)));
            for (BundleProcess bundle : all) {
                bundle.kill();
            }

            Map<String, TreeMap<Long, Integer>> claims = new HashMap<>();
            for (BundleProcess bundle : all) {
                for (String line : Files.readAllLines(bundle.log())) {
                    Matcher m = CLAIM.matcher(line);
                    if (m.find()) {
                        long slot = LocalDateTime.parse(m.group(1)).toEpochSecond(ZoneOffset.UTC) / CRON_SECONDS;
                        claims.computeIfAbsent(m.group(2), k -> new TreeMap<>()).merge(slot, 1, Integer::sum);
                    }
                }
            }
            Map<String, Integer> runs = runsByTarget(db);
            assertThat(claims).containsOnlyKeys("records:companies", "entries:sales");
            claims.forEach((target, perFiring) -> {
                assertThat(perFiring.size()).as("firings seen for %s", target).isGreaterThanOrEqualTo(3);
                assertThat(perFiring.values()).as("claims of %s per firing, across the three instances", target)
                        .containsOnly(1);
                assertThat(runs.get(target)).as("runs of %s: one per firing", target).isEqualTo(perFiring.size());
            });
            assertThat(fullReads(sim, "/v2/objects/companies/records/query")).as("full reads of companies")
                    .isEqualTo(runs.get("records:companies"));
            assertThat(fullReads(sim, "/v2/lists/sales/entries/query")).as("full reads of sales")
                    .isEqualTo(runs.get("entries:sales"));
        }
    }

    private static BundleProcess scheduled(AttioSimulator sim, TestPostgres db) {
        return BundleProcess.against(sim.baseUrl(), sim.apiKey()).env("ATTIO_STORE_JDBC_URL", db.jdbcUrl())
                .env("ATTIO_STORE_USER", db.user()).env("ATTIO_STORE_PASSWORD", "")
                .env("ATTIO_SYNC_CRON", "0/" + CRON_SECONDS + " * * * * ?")
                .env("ATTIO_SYNC_OBJECTS", "companies").env("ATTIO_SYNC_LISTS", "sales");
    }

    /** Requests that began a full read: the first page (offset 0) of the target's query. */
    private static long fullReads(AttioSimulator sim, String path) {
        return sim.requests().stream().filter(r -> r.path().equals(path) && r.bodyLong("offset", -1) == 0).count();
    }

    private static Map<String, Integer> completedSince(TestPostgres db, LocalDateTime since) throws Exception {
        return count(db, "SELECT LOWER(r.target_kind) || ':' || r.target, COUNT(*) FROM sync_run r JOIN work_item w ON "
                + "w.work_id = r.run_id WHERE r.trigger_source = 'schedule' AND w.state = 'COMPLETED' AND "
                + "w.created_at > TIMESTAMP WITH TIME ZONE '" + since + "Z' GROUP BY 1");
    }

    private static Map<String, Integer> runsByTarget(TestPostgres db) throws Exception {
        return count(db, "SELECT LOWER(target_kind) || ':' || target, COUNT(*) FROM sync_run WHERE trigger_source = "
                + "'schedule' GROUP BY 1");
    }

    private static Map<String, Integer> count(TestPostgres db, String sql) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), "");
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getInt(2));
            }
        }
        return counts;
    }
}
