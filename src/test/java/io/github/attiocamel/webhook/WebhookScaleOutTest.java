package io.github.attiocamel.webhook;

import io.github.attiocamel.testing.BothStores;
import org.junit.jupiter.api.condition.EnabledIf;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.sandbox.RecordedRequest;
import io.github.attiocamel.testing.BundleProcess;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.github.attiocamel.webhook.SharedStoreInstances.deliver;
import static io.github.attiocamel.webhook.SharedStoreInstances.distinctPaths;
import static io.github.attiocamel.webhook.SharedStoreInstances.fetchedTwice;
import static io.github.attiocamel.webhook.SharedStoreInstances.fetches;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three bundles (JVMs of their own, default settings, attio.work.stale-after PT10S) share one fresh PostgreSQL
 * database while Attio answers in 50-200 ms per call: deliveries spread over all three are each fetched once, and
 * what one of them accepted and claimed before a {@code kill -9} is finished by the other two within 30 s.
 */
@BothStores
@EnabledIf(value = "io.github.attiocamel.testing.TestStores#postgresql",
        disabledReason = "PostgreSQL only: runs in the PostgreSQL half (Surefire execution postgresql)")
class WebhookScaleOutTest {

    private static final Duration LATENCY_MIN = Duration.ofMillis(50);
    private static final Duration LATENCY_MAX = Duration.ofMillis(200);
    private static final Duration TAKEOVER_BOUND = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    @AfterEach
    void noLatency() {
        ATTIO.simulator().setLatency(null);
    }

    @Test
    void sixHundredDeliveriesSpreadOverThreeInstancesAreEachFetchedOnceAndAllMirrored() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        List<String> ids = seed(sim, 600);
        try (SharedStoreInstances three = SharedStoreInstances.start(sim, "scale_out", 3)) {
            sim.setLatency(LATENCY_MIN, LATENCY_MAX);
            assertThat(deliver(sim, three.all(), ids)).hasSize(600).containsOnly(200);

            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                    .until(() -> three.inboxStates().equals(Map.of("done", 600L)));
            List<RecordedRequest> fetches = fetches(sim, ids);
            Map<String, Long> twice = fetchedTwice(fetches);
            assertThat(twice.size()).as("records fetched more than once, e.g. %s", first(twice, 5)).isZero();
            assertThat(distinctPaths(fetches)).isEqualTo(600);
            assertThat(three.inboxAttempts()).as("claims per delivery").isEqualTo(Map.of(1, 600L));
            assertThat(three.mirrored(ids)).isEqualTo(600);
            assertThat(three.deadLetters()).isZero();
            // each instance serves the shared mirror: the records posted to the others included
            for (int r = 0; r < 3; r++) {
                for (int m = 0; m < 10; m++) {
                    String id = ids.get(3 * 19 * m + (r + 1) % 3); // posted to the next instance, not to r
                    String row = three.get(r).apiGet("/api/mirror/people/" + id);
                    assertThat(row).as("record %s through instance %d", id, r).isNotNull();
                    assertThat(JSON.readTree(row).toString()).contains(id);
                }
            }
        }
    }

    @Test
    void whatAKilledInstanceAcceptedIsFinishedByTheOthersWithin30SecondsAndNothingTwice() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        List<String> ids = seed(sim, 200);
        try (SharedStoreInstances three = SharedStoreInstances.start(sim, "kill_one_of_three", 3)) {
            sim.setLatency(LATENCY_MIN, LATENCY_MAX);
            BundleProcess a = three.get(0);
            assertThat(deliver(sim, List.of(a), ids)).hasSize(200).containsOnly(200);
            a.kill();
            Instant killed = Instant.now();
            Set<Long> heldByA = three.claimedBy(a.pid());

            await().atMost(TAKEOVER_BOUND).pollInterval(Duration.ofMillis(250))
                    .until(() -> three.inboxStates().equals(Map.of("done", 200L)));
            Duration finished = Duration.between(killed, Instant.now());
            List<RecordedRequest> fetches = fetches(sim, ids);
            System.out.printf("[scale-out] A held %d of 200 claims when killed; B and C finished all 200 %d ms after "
                    + "the kill; records fetched twice: %s%n", heldByA.size(), finished.toMillis(), fetchedTwice(fetches));

            assertThat(heldByA).as("claims A held when it died (what the others must take over)").isNotEmpty();
            assertThat(distinctPaths(fetches)).isEqualTo(200);
            // A's consumer works one delivery at a time: the one fetch it had in flight when it died was never
            // committed, so B or C fetch that record again; nothing else may be fetched twice
            Map<String, Long> twice = fetchedTwice(fetches);
            assertThat(twice.size()).as("records fetched more than once, e.g. %s", first(twice, 5)).isLessThanOrEqualTo(1);
            assertThat(twice.values()).allSatisfy(n -> assertThat(n).isEqualTo(2));
            for (String path : twice.keySet()) {
                assertThat(fetches.stream().filter(r -> r.path().equals(path)).findFirst().orElseThrow().arrival())
                        .as("first fetch of the record fetched twice: A's, before the kill").isBefore(killed);
            }
            // A's claims were taken over once each, every other delivery was claimed once
            assertThat(three.attemptsOf(heldByA).values()).hasSize(heldByA.size()).containsOnly(2);
            Map<Integer, Long> expected = heldByA.size() == 200 ? Map.of(2, 200L)
                    : Map.of(1, 200L - heldByA.size(), 2, (long) heldByA.size());
            assertThat(three.inboxAttempts()).as("claims per delivery").isEqualTo(expected);
            assertThat(three.mirrored(ids)).isEqualTo(200);
            assertThat(three.deadLetters()).isZero();
        }
    }

    static Map<String, Long> first(Map<String, Long> fetchCounts, int n) {
        return fetchCounts.entrySet().stream().limit(n).collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    static List<String> seed(AttioSimulator sim, int count) {
        int before = sim.data().count("people");
        sim.data().seedPeople(count);
        return List.copyOf(sim.data().recordIds("people").subList(before, before + count));
    }
}
