package io.github.attiocamel.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.sandbox.RecordedRequest;
import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.BundleProcess;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import io.github.attiocamel.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two bundles (JVMs of their own) share one PostgreSQL store. Bundle A claims a burst of deliveries and works through
 * them slowly (Attio answers in 1.5 s); bundle B starts meanwhile and must leave A's claims alone while A is alive,
 * then take them over within seconds of A's {@code kill -9} (attio.work.stale-after 4 s here), not after a long lease.
 */
@BothStores
@EnabledIf(value = "io.github.attiocamel.testing.TestStores#postgresql",
        disabledReason = "PostgreSQL only: runs in the PostgreSQL half (Surefire execution postgresql)")
class WebhookTakeoverTest {

    private static final int DELIVERIES = 30;
    private static final Duration STALE_AFTER = Duration.ofSeconds(4);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    @Test
    void aLiveHoldersClaimsStayItsOwnAndADeadOnesAreTakenOverWithinTheBound() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        int before = sim.data().count("people");
        sim.data().seedPeople(DELIVERIES);
        List<String> ids = sim.data().recordIds("people").subList(before, before + DELIVERIES);
        Set<String> paths = ids.stream().map(id -> "/v2/objects/people/records/" + id).collect(Collectors.toSet());

        try (TestPostgres db = TestPostgres.freshDatabase("takeover");
             BundleProcess a = shared(BundleProcess.against(sim.baseUrl(), sim.apiKey()), db);
             BundleProcess b = shared(BundleProcess.against(sim.baseUrl(), sim.apiKey()), db)) {
            a.start();
            // slow enough that A still holds claims however long B takes to start on a busy host (30 x 1.5 s)
            sim.setLatency(Duration.ofMillis(1500));
            for (String id : ids) {
                assertThat(sim.deliver(a.httpUrl() + "/webhooks/attio", RunningBundle.WEBHOOK_SECRET,
                        sim.recordEvent("record.created", "people", id), UUID.randomUUID().toString())).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> !fetches(sim, paths).isEmpty());

            b.start();
            // B is up while A is still working through its claims: B must not fetch what A holds
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(duplicates(sim, paths)).as("records fetched twice").isEmpty());
            assertThat(fetches(sim, paths)).as("A still had claims to work on when B was up").hasSizeLessThan(DELIVERIES);
            sim.setLatency(Duration.ofMillis(300));

            a.kill();
            Instant killed = Instant.now();
            await().atMost(STALE_AFTER.plusSeconds(20)).pollInterval(Duration.ofMillis(250))
                    .until(() -> fetches(sim, paths).stream().map(RecordedRequest::path).distinct().count() == DELIVERIES);
            Duration tookOver = Duration.between(killed, fetches(sim, paths).stream().map(RecordedRequest::arrival)
                    .filter(t -> t.isAfter(killed)).min(Instant::compareTo).orElseThrow());
            assertThat(tookOver).as("first fetch after the kill").isLessThan(STALE_AFTER.plusSeconds(5));
            // the one fetch A had in flight when it died may be repeated by B, nothing else
            assertThat(duplicates(sim, paths)).as("records fetched twice").hasSizeLessThanOrEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> mirrored(b) == DELIVERIES);
        } finally {
            sim.setLatency(null);
        }
    }

    private static BundleProcess shared(BundleProcess bundle, TestPostgres db) {
        return bundle.sharing(db).quickTakeover(STALE_AFTER);
    }

    private static List<RecordedRequest> fetches(AttioSimulator sim, Set<String> paths) {
        return sim.requests().stream().filter(r -> "GET".equals(r.method()) && paths.contains(r.path())).toList();
    }

    private static Map<String, Long> duplicates(AttioSimulator sim, Set<String> paths) {
        return fetches(sim, paths).stream().collect(Collectors.groupingBy(RecordedRequest::path, Collectors.counting()))
                .entrySet().stream().filter(e -> e.getValue() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    private static long mirrored(BundleProcess bundle) throws Exception {
        String page = bundle.apiGet("/api/mirror/people?limit=1");
        return page == null ? -1 : JSON.readTree(page).path("total").asLong();
    }
}
