package io.github.attiocamel.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.KafkaBroker;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kafka as the change feed's target, end to end: a real broker (testing/KafkaBroker, KRaft, in this JVM), the real
 * bundle with {@code attio.changes.uri=kafka:attio-changes?brokers=...} as the README shows it, signed webhooks over
 * HTTP after the record changed in the simulator, and the messages read back from the topic with a KafkaConsumer.
 */
@BothStores
class KafkaChangeFeedTest {

    private static final String TOPIC = "attio-changes";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    static KafkaBroker kafka;
    static RunningBundle bundle;
    KafkaConsumer<String, String> consumer;
    final List<ConsumerRecord<String, String>> received = new ArrayList<>();

    @BeforeAll
    static void startBrokerAndBundle() {
        kafka = KafkaBroker.start();
        // three partitions, so only the key keeps one record's changes together
        kafka.createTopic(TOPIC, 3);
        bundle = RunningBundle.against(ATTIO.baseUrl(), ATTIO.apiKey())
                // the README's setting as it stands: camel-kafka's defaults (idempotence, acks=all) do the rest
                .property("attio.changes.uri", "kafka:" + TOPIC + "?brokers=" + kafka.bootstrapServers())
                .start();
    }

    @AfterAll
    static void stopBundleAndBroker() {
        if (bundle != null) {
            bundle.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @BeforeEach
    void subscribe() {
        consumer = kafka.consumer(TOPIC);
    }

    @AfterEach
    void closeConsumer() {
        consumer.close();
    }

    @Test
    void changesAreKeyedByRecordIdAndEachRecordsArriveInOrderOnOnePartition() {
        List<String> ids = seed(6);
        int rounds = 5;
        for (int round = 1; round <= rounds; round++) {
            for (String id : ids) {
                updateJobTitleAndDeliver(id, "round-" + round);
            }
            // the next round only after this one is on the topic: each update is a change of its own, none coalesced
            String expected = "round-" + round;
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEachHas(ids, expected));
        }

        List<ConsumerRecord<String, String>> ours = ours(ids);
        assertKeyedByRecordId(ours);
        Map<String, List<ConsumerRecord<String, String>>> byRecord =
                ours.stream().collect(Collectors.groupingBy(ConsumerRecord::key));
        assertThat(byRecord).containsOnlyKeys(ids);
        byRecord.forEach((id, records) -> {
            assertThat(records.stream().map(ConsumerRecord::partition).distinct()).as("partitions of " + id).hasSize(1);
            assertThat(records.stream().map(r -> jobTitle(body(r))))
                    .as("changes of " + id + " in the order the consumer reads them")
                    .containsExactly("round-1", "round-2", "round-3", "round-4", "round-5");
        });
    }

    @Test
    void changesMadeWhileTheBrokerIsDownArriveOnceEachAfterItRestarts() {
        List<String> ids = seed(6);
        AttioSimulator sim = ATTIO.simulator();
        kafka.stop();
        try {
            sim.clearRequests();
            for (String id : ids) {
                updateJobTitleAndDeliver(id, "while-down");
            }
            // the bundle is at work while the broker is down: it has fetched a changed record, its message is next
            await().atMost(Duration.ofSeconds(30)).until(() -> sim.requests().stream().anyMatch(r ->
                    "GET".equals(r.method()) && ids.contains(r.path().substring(r.path().lastIndexOf('/') + 1))));
        } finally {
            kafka.restart();
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertEachHas(ids, "while-down"));
        // and it stays so for a while: a producer retry that wrote a change twice would show here
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Map<String, List<String>> titles = jobTitles(ids);
            assertThat(titles).containsOnlyKeys(ids);
            assertThat(titles.values()).allSatisfy(t -> assertThat(t).containsExactly("while-down"));
        });
        assertKeyedByRecordId(ours(ids));
    }

    @Test
    void aFullSyncsChangesAreKeyedByRecordIdToo() throws Exception {
        List<String> ids = seed(30);
        HttpResponse<String> trigger = api("POST", "/api/sync/people");
        assertThat(trigger.statusCode()).as(trigger.body()).isEqualTo(202);
        String runId = JSON.readTree(trigger.body()).path("run_id").asText();
        await().atMost(Duration.ofSeconds(60)).until(() ->
                JSON.readTree(api("GET", "/api/sync/runs/" + runId).body()).path("state").asText().equals("completed"));

        // the new records, one message each; what earlier tests mirrored is unchanged and publishes nothing
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ours(ids).stream()
                .map(r -> body(r).path("record_id").asText()).distinct()).hasSameSizeAs(ids));
        List<ConsumerRecord<String, String>> ours = ours(ids);
        assertThat(ours).hasSameSizeAs(ids)
                .allSatisfy(r -> assertThat(body(r).path("source").asText()).isEqualTo("full-sync"));
        assertKeyedByRecordId(ours);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /** Seeds fresh people in the simulator, so each test's records (and their messages) are its own. */
    private List<String> seed(int n) {
        AttioSimulator sim = ATTIO.simulator();
        int before = sim.data().count("people");
        sim.data().seedPeople(n);
        return List.copyOf(sim.data().recordIds("people").subList(before, before + n));
    }

    private void updateJobTitleAndDeliver(String recordId, String jobTitle) {
        AttioSimulator sim = ATTIO.simulator();
        try {
            sim.data().updateRecord("people", recordId, JSON.readTree("{\"job_title\":[\"" + jobTitle + "\"]}"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int status = sim.deliver(bundle.httpUrl() + "/webhooks/attio", RunningBundle.WEBHOOK_SECRET,
                sim.recordUpdatedEvent("people", recordId, "job_title"), UUID.randomUUID().toString());
        assertThat(status).isEqualTo(200);
    }

    private static void assertKeyedByRecordId(List<ConsumerRecord<String, String>> records) {
        assertThat(records.stream().map(ConsumerRecord::key)).as("message keys")
                .containsExactlyElementsOf(records.stream().map(r -> body(r).path("record_id").asText()).toList());
    }

    private void assertEachHas(List<String> ids, String jobTitle) {
        Map<String, List<String>> titles = jobTitles(ids);
        assertThat(ids).allSatisfy(id -> assertThat(titles.get(id)).as("job titles of " + id).contains(jobTitle));
    }

    private static HttpResponse<String> api(String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(bundle.httpUrl() + path))
                .header("Authorization", "Bearer " + RunningBundle.API_TOKEN)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The messages of these records read so far (reads what the topic has beyond). */
    private List<ConsumerRecord<String, String>> ours(List<String> ids) {
        received.addAll(KafkaBroker.poll(consumer));
        Set<String> wanted = Set.copyOf(ids);
        return received.stream().filter(r -> wanted.contains(body(r).path("record_id").asText())).toList();
    }

    /** Record id -> the job titles of its messages, in the order read. */
    private Map<String, List<String>> jobTitles(List<String> ids) {
        return ours(ids).stream().collect(Collectors.groupingBy(r -> body(r).path("record_id").asText(),
                Collectors.mapping(r -> jobTitle(body(r)), Collectors.toList())));
    }

    private static JsonNode body(ConsumerRecord<String, String> record) {
        try {
            return JSON.readTree(record.value());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String jobTitle(JsonNode message) {
        return message.path("values").path("job_title").path(0).path("value").asText(null);
    }
}
