package io.github.attiocamel.mirror;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.BundleProcess;
import io.github.attiocamel.testing.KafkaBroker;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import io.github.attiocamel.testing.TestPostgres;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Nothing is lost on Kafka across a {@code kill -9} of the bundle mid-burst: the bundle runs as a JVM of its own
 * (testing/BundleProcess) on PostgreSQL with {@code ATTIO_CHANGES_URI=kafka:...}, takes a burst of signed
 * {@code record.created} deliveries, is killed (SIGKILL) while its change messages are reaching the topic, starts
 * again on the same store, and then every change it answered 200 for is on the topic, keyed by its record id.
 *
 * <p>The outbox makes it hold: a change commits with its mirror write, and the relay sends it after the restart
 * (without the outbox, a change whose mirror write committed just before the kill was lost: 5 of 200 in one run).
 */
@BothStores
@EnabledIf(value = "io.github.attiocamel.testing.TestStores#postgresql",
        disabledReason = "PostgreSQL only: runs in the PostgreSQL half (Surefire execution postgresql)")
class KafkaChangeFeedKillTest {

    private static final int CHANGES = 200;
    private static final String TOPIC = "attio-changes";
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    @Test
    void everyAcceptedChangeReachesKafkaOnceAfterAKillMidBurst() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        int before = sim.data().count("people");
        sim.data().seedPeople(CHANGES);
        List<String> ids = sim.data().recordIds("people").subList(before, before + CHANGES);
        // each fetch takes a while, so the burst is still being published when the kill comes
        sim.setLatency(Duration.ofMillis(20));

        try (KafkaBroker kafka = KafkaBroker.start();
             TestPostgres db = TestPostgres.freshDatabase("kafka_kill");
             BundleProcess bundle = BundleProcess.against(sim.baseUrl(), sim.apiKey())) {
            kafka.createTopic(TOPIC, 3);
            bundle.sharing(db).quickTakeover(Duration.ofSeconds(3)).env("ATTIO_CHANGES_URI", "kafka:" + TOPIC
                    + "?brokers=" + kafka.bootstrapServers()
                    // the producer holds each message 100 ms (batching, as a busy estate tunes it): most of the time
                    // between a committed mirror write and Kafka's ack, where a kill without an outbox loses it
                    + "&lingerMs=100").start();
            try (KafkaConsumer<String, String> consumer = kafka.consumer(TOPIC)) {
                Map<String, List<String>> messages = new HashMap<>();
                Set<String> accepted = deliverAndKillMidBurst(sim, bundle, ids, consumer, messages);
                int atKill = messages.size();
                assertThat(atKill).as("records on the topic when the kill came (mid-burst: some, not all)")
                        .isPositive().isLessThan(accepted.size());

                bundle.start();
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                    read(consumer, messages);
                    assertThat(messages.keySet()).as("records whose change reached Kafka").containsAll(accepted);
                });
                // once each after deduplication by the change's stable id (or, lacking one, by content)
                assertThat(accepted).allSatisfy(id ->
                        assertThat(Set.copyOf(messages.get(id))).as("distinct changes of " + id).hasSize(1));
            }
        }
    }

    /** Delivers one record.created per record from 8 senders; kills the bundle once 10% are on the topic. */
    private static Set<String> deliverAndKillMidBurst(AttioSimulator sim, BundleProcess bundle, List<String> ids,
                                                      KafkaConsumer<String, String> consumer,
                                                      Map<String, List<String>> messages) throws Exception {
        String url = bundle.httpUrl() + "/webhooks/attio";
        ExecutorService senders = Executors.newFixedThreadPool(8);
        Map<String, Future<Integer>> statuses = new HashMap<>();
        try {
            for (String id : ids) {
                String envelope = sim.recordEvent("record.created", "people", id);
                statuses.put(id, senders.submit(() -> sim.deliver(url, RunningBundle.WEBHOOK_SECRET, envelope,
                        UUID.randomUUID().toString())));
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
                read(consumer, messages);
                return messages.size() >= CHANGES / 10;
            });
            bundle.kill();
        } finally {
            senders.shutdown();
        }
        // only a 200 is the bundle's promise; a delivery the kill cut off is Attio's to retry
        Set<String> accepted = new HashSet<>();
        for (var status : statuses.entrySet()) {
            try {
                if (status.getValue().get() == 200) {
                    accepted.add(status.getKey());
                }
            } catch (java.util.concurrent.ExecutionException refused) {
                // connection refused or reset by the kill: not accepted
            }
        }
        read(consumer, messages);
        return accepted;
    }

    /**
     * Adds what the topic has beyond the consumer's position, checking each key: record id -> the identity of each of
     * its messages, the AttioChangeId header the outbox relay sets, or the message itself without one.
     */
    private static void read(KafkaConsumer<String, String> consumer, Map<String, List<String>> messages) {
        for (ConsumerRecord<String, String> r : KafkaBroker.poll(consumer)) {
            String recordId = recordId(r.value());
            assertThat(r.key()).as("key of the message of " + recordId).isEqualTo(recordId);
            Header changeId = r.headers().lastHeader("AttioChangeId");
            messages.computeIfAbsent(recordId, k -> new ArrayList<>())
                    .add(changeId != null ? new String(changeId.value(), StandardCharsets.UTF_8) : r.value());
        }
    }

    private static String recordId(String message) {
        try {
            return JSON.readTree(message).path("record_id").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
