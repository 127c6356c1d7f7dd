package io.github.attiocamel.webhook;

import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What was answered 200 is processed after a stop, exactly once: 500 deliveries accepted, the bundle stopped while
 * most are still in the inbox, started again on the same data directory.
 */
class WebhookInboxDurabilityTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    @Test
    void fiveHundredAcceptedEventsSurviveAStopAndAreProcessedOnceEach() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        int before = sim.data().count("people");
        sim.data().seedPeople(500);
        List<String> ids = sim.data().recordIds("people").subList(before, before + 500);
        // slow Attio down (50 reads/s) so the stop finds most deliveries still waiting
        sim.setRateLimits(50, 25);

        try (RunningBundle bundle = RunningBundle.against(sim.baseUrl(), sim.apiKey())
                .property("attio.rate.reads-per-second", "50")
                .property("attio.webhook.batch-size", "20")
                .start()) {
            String url = bundle.httpUrl() + "/webhooks/attio";
            ExecutorService senders = Executors.newFixedThreadPool(8);
            try {
                List<Future<Integer>> statuses = new ArrayList<>();
                for (String id : ids) {
                    String envelope = sim.recordEvent("record.created", "people", id);
                    statuses.add(senders.submit(() -> sim.deliver(url, RunningBundle.WEBHOOK_SECRET, envelope,
                            UUID.randomUUID().toString())));
                }
                for (Future<Integer> status : statuses) {
                    assertThat(status.get()).isEqualTo(200);
                }
            } finally {
                senders.shutdownNow();
            }
            bundle.stop();
            // reading the files while stopped would need the store; count after restart instead, before draining ends
            bundle.start();
            Map<String, Long> atRestart = states(bundle);
            System.out.println("[durability] inbox at restart: " + atRestart);
            assertThat(atRestart.getOrDefault("received", 0L) + atRestart.getOrDefault("processing", 0L))
                    .as("deliveries still unprocessed when the bundle stopped").isGreaterThan(0);

            await().atMost(Duration.ofSeconds(60)).until(() -> states(bundle).keySet().equals(java.util.Set.of("done")));
            assertThat(states(bundle)).containsEntry("done", 500L);
        }
        Map<String, Long> getsPerRecord = sim.requests().stream()
                .filter(r -> "GET".equals(r.method()) && r.path().startsWith("/v2/objects/people/records/"))
                .collect(Collectors.groupingBy(r -> r.path().substring(r.path().lastIndexOf('/') + 1), Collectors.counting()));
        assertThat(ids).allSatisfy(id -> assertThat(getsPerRecord.get(id)).as("GETs of " + id).isEqualTo(1L));
    }

    private static Map<String, Long> states(RunningBundle bundle) throws Exception {
        DataSource ds = bundle.camelContext().getRegistry().lookupByNameAndType("dataSource", DataSource.class);
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT state, COUNT(*) FROM webhook_inbox GROUP BY state")) {
            Map<String, Long> counts = new java.util.TreeMap<>();
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getLong(2));
            }
            return counts;
        }
    }

}
