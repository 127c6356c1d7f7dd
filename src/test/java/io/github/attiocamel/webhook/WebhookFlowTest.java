package io.github.attiocamel.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.attiocamel.mirror.ValuesHash;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.sandbox.FaultRule;
import io.github.attiocamel.sandbox.RecordedRequest;
import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The webhook flow end to end: the real bundle (RunningBundle: packed YAML routes, real configuration) on real HTTP,
 * signed deliveries as the simulator sends them, the simulator as Attio behind the real gateway, embedded H2.
 * Change messages go to {@code mock:attio-changes} (attio.changes.uri).
 */
@BothStores
class WebhookFlowTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static RunningBundle bundle;

    @BeforeAll
    static void startBundle() {
        bundle = RunningBundle.against(ATTIO.baseUrl(), ATTIO.apiKey())
                .property("attio.changes.uri", "mock:attio-changes")
                .property("attio.webhook.retry-initial-delay", "PT0.2S")
                // the retry test makes the gateway fail 5 times on purpose: that must not open the breaker for the
                // other tests (the breaker itself is the gateway's tests' business)
                .property("attio.breaker.minimum-number-of-calls", "1000")
                .start();
        sim().data().seedPeople(20);
    }

    @AfterAll
    static void stopBundle() {
        bundle.close();
    }

    @BeforeEach
    void resetChanges() {
        changes().reset();
    }

    static AttioSimulator sim() {
        return ATTIO.simulator();
    }

    static MockEndpoint changes() {
        return bundle.camelContext().getEndpoint("mock:attio-changes", MockEndpoint.class);
    }

    static String webhookUrl() {
        return bundle.httpUrl() + "/webhooks/attio";
    }

    static int deliver(String envelope) {
        return sim().deliver(webhookUrl(), RunningBundle.WEBHOOK_SECRET, envelope, UUID.randomUUID().toString());
    }

    static HttpResponse<String> post(byte[] body, String contentType, String signature) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(webhookUrl()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (signature != null) {
            request.header("Attio-Signature", signature);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> api(String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(bundle.httpUrl() + path))
                .header("Authorization", "Bearer " + RunningBundle.API_TOKEN)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }


    static long inboxRows() throws Exception {
        return bundle.queryLong("SELECT COUNT(*) FROM webhook_inbox");
    }

    static long recordGets(String object, String recordId) {
        return sim().requests().stream().filter(r -> "GET".equals(r.method())
                && r.path().equals("/v2/objects/" + object + "/records/" + recordId)).count();
    }

    static List<JsonNode> changeMessages() throws Exception {
        List<JsonNode> messages = new ArrayList<>();
        for (var exchange : changes().getReceivedExchanges()) {
            // the marshalled body is a stream cache: rewind it, every assertion reads it again
            org.apache.camel.support.MessageHelper.resetStreamCache(exchange.getMessage());
            messages.add(JSON.readTree(exchange.getMessage().getBody(String.class)));
        }
        return messages;
    }

    static JsonNode mirrored(String object, String recordId) throws Exception {
        HttpResponse<String> r = api("GET", "/api/mirror/" + object + "/" + recordId);
        return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    }


    // ---- acceptance ----------------------------------------------------------------------------------------------

    @Test
    void attioTestVectorIsAcceptedAndOneFlippedByteIsRefusedWithNothingStored() throws Exception {
        byte[] vector = WebhookSignatureTest.VECTOR_BODY.getBytes(StandardCharsets.UTF_8);
        long before = inboxRows();

        byte[] flippedBody = vector.clone();
        flippedBody[20] ^= 1;
        String sig = WebhookSignatureTest.VECTOR_SIGNATURE;
        String flippedSig = sig.substring(0, 63) + (sig.charAt(63) == 'c' ? 'd' : 'c');
        assertThat(post(flippedBody, "application/json", sig).statusCode()).isEqualTo(401);
        assertThat(post(vector, "application/json", flippedSig).statusCode()).isEqualTo(401);
        assertThat(post(vector, "application/json", null).statusCode()).isEqualTo(401);
        assertThat(inboxRows()).isEqualTo(before);

        HttpResponse<String> accepted = post(vector, "application/json", sig);
        assertThat(accepted.statusCode()).isEqualTo(200);
        assertThat(accepted.body()).isEqualTo("{\"status\":\"accepted\"}");
        assertThat(accepted.headers().firstValue("Attio-Signature")).isEmpty();
        assertThat(inboxRows()).isEqualTo(before + 1);
        // the vector names an object this workspace does not have: a permanent failure, dead-lettered at once
        await().atMost(Duration.ofSeconds(10)).until(() ->
                bundle.queryLong("SELECT COUNT(*) FROM dead_letter WHERE payload LIKE ?", "%bf071e1f-6035-429d-b874-d83ea64ea13b%") == 1);
    }

    @Test
    void aSignedDeliveryOverAnHttp2UpgradeIsAcceptedAndProcessed() throws Exception {
        String recordId = sim().data().recordIds("people").get(1);
        sim().data().updateRecord("people", recordId, JSON.readTree("{\"job_title\":[\"H2C " + UUID.randomUUID() + "\"]}"));
        byte[] body = sim().recordUpdatedEvent("people", recordId, "job_title").getBytes(StandardCharsets.UTF_8);
        long fetchesBefore = recordGets("people", recordId);
        // Java's client (like many proxies) asks to upgrade a cleartext connection to HTTP/2 (h2c)
        HttpClient h2c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> answer = h2c.send(HttpRequest.newBuilder(URI.create(webhookUrl()))
                .header("Content-Type", "application/json")
                .header("Attio-Signature", AttioSimulator.sign(body, RunningBundle.WEBHOOK_SECRET))
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(answer.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        bundle.awaitInboxDrained();
        assertThat(recordGets("people", recordId)).isEqualTo(fetchesBefore + 1);
    }

    @Test
    void sameDeliveryFiveTimesIsAnswered200FiveTimesAndProcessedOnce() throws Exception {
        String recordId = sim().data().recordIds("people").get(0);
        sim().data().updateRecord("people", recordId, JSON.readTree("{\"job_title\":[\"Dedupe " + UUID.randomUUID() + "\"]}"));
        String envelope = sim().recordUpdatedEvent("people", recordId, "job_title");
        String key = UUID.randomUUID().toString();
        for (int i = 0; i < 5; i++) {
            assertThat(sim().deliver(webhookUrl(), RunningBundle.WEBHOOK_SECRET, envelope, key)).isEqualTo(200);
        }
        bundle.awaitInboxDrained();
        assertThat(bundle.queryLong("SELECT COUNT(*) FROM webhook_inbox WHERE idempotency_key = ?", key)).isEqualTo(1);
        assertThat(recordGets("people", recordId)).isEqualTo(1);
        assertThat(changeMessages()).filteredOn(m -> m.path("record_id").asText().equals(recordId)).hasSize(1);
        // same body without an Idempotency-Key: deduplicated on the body hash
        byte[] body = envelope.getBytes(StandardCharsets.UTF_8);
        String sig = AttioSimulator.sign(body, RunningBundle.WEBHOOK_SECRET);
        assertThat(post(body, "application/json", sig).body()).contains("accepted");
        assertThat(post(body, "application/json", sig).body()).contains("duplicate");
    }

    @Test
    void createdRecordIsMirroredWithinTwoSecondsAndDeletionIsMarked() throws Exception {
        ObjectNode created = sim().data().createRecord("people", JSON.readTree(
                "{\"name\":[{\"first_name\":\"Mira\",\"last_name\":\"Webhook\",\"full_name\":\"Mira Webhook\"}],"
                        + "\"email_addresses\":[\"mira." + UUID.randomUUID() + "@example.com\"]}"));
        String recordId = created.path("id").path("record_id").asText();

        assertThat(deliver(sim().recordEvent("record.created", "people", recordId))).isEqualTo(200);
        await().atMost(Duration.ofSeconds(2)).until(() -> mirrored("people", recordId) != null);
        JsonNode row = mirrored("people", recordId);
        assertThat(row.path("deleted").asBoolean()).isFalse();
        assertThat(row.path("web_url").asText()).isEqualTo(created.path("web_url").asText());
        assertThat(ValuesHash.of(row.path("values"))).isEqualTo(ValuesHash.of(created.path("values")));
        await().atMost(Duration.ofSeconds(2)).until(() -> changes().getReceivedCounter() == 1);
        assertThat(changeMessages().get(0).path("event_type").asText()).isEqualTo("record.created");
        assertThat(changeMessages().get(0).path("source").asText()).isEqualTo("webhook");

        sim().data().deleteRecord("people", recordId);
        assertThat(deliver(sim().recordEvent("record.deleted", "people", recordId))).isEqualTo(200);
        await().atMost(Duration.ofSeconds(2)).until(() -> mirrored("people", recordId).path("deleted").asBoolean());
        await().atMost(Duration.ofSeconds(2)).until(() -> changes().getReceivedCounter() == 2);
        assertThat(changeMessages().get(1).path("event_type").asText()).isEqualTo("record.deleted");
    }

    @Test
    void burstOfFiftyUpdatesForFiveRecordsIsFetchedAtMostTenTimes() throws Exception {
        List<String> ids = sim().data().recordIds("people").subList(1, 6);
        List<String> envelopes = new ArrayList<>();
        for (int round = 0; round < 10; round++) {
            for (String id : ids) {
                envelopes.add(sim().recordUpdatedEvent("people", id, "job_title"));
            }
        }
        for (String id : ids) {
            sim().data().updateRecord("people", id, JSON.readTree("{\"job_title\":[\"Burst " + UUID.randomUUID() + "\"]}"));
        }
        sim().clearRequests();
        // Attio fires the per-attribute events of one edit together: sent concurrently, as a burst
        ExecutorService senders = Executors.newFixedThreadPool(8);
        long started = System.nanoTime();
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (String envelope : envelopes) {
                statuses.add(senders.submit(() -> deliver(envelope)));
            }
            for (Future<Integer> status : statuses) {
                assertThat(status.get()).isEqualTo(200);
            }
        } finally {
            senders.shutdownNow();
        }
        long burstMillis = (System.nanoTime() - started) / 1_000_000;
        bundle.awaitInboxDrained();

        long gets = ids.stream().mapToLong(id -> recordGets("people", id)).sum();
        System.out.println("[burst] 50 record.updated for 5 records in " + burstMillis + " ms -> " + gets + " record GETs");
        assertThat(gets).isLessThanOrEqualTo(10);
        for (String id : ids) {
            assertThat(ValuesHash.of(mirrored("people", id).path("values")))
                    .isEqualTo(ValuesHash.of(sim().data().getRecord("people", id).path("values")));
        }
        assertThat(bundle.metric("attio_webhook_fetches_saved_total")).isGreaterThanOrEqualTo(40);
    }

    @Test
    void badInputGetsAClearStatusUnknownTypesAre200AndCounted() throws Exception {
        long before = inboxRows();
        byte[] malformed = "{\"webhook_id\":\"w\",\"events\":[".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> bad = post(malformed, "application/json", AttioSimulator.sign(malformed, RunningBundle.WEBHOOK_SECRET));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("invalid_json");

        byte[] oversized = new byte[1024 * 1024 + 1];
        java.util.Arrays.fill(oversized, (byte) ' ');
        assertThat(post(oversized, "application/json", AttioSimulator.sign(oversized, RunningBundle.WEBHOOK_SECRET))
                .statusCode()).isEqualTo(413);

        byte[] ok = sim().envelope("w").getBytes(StandardCharsets.UTF_8);
        String okSig = AttioSimulator.sign(ok, RunningBundle.WEBHOOK_SECRET);
        assertThat(post(ok, "text/plain", okSig).statusCode()).isEqualTo(415);
        assertThat(post(ok, null, okSig).statusCode()).isEqualTo(415);
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(webhookUrl())).GET().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
        assertThat(inboxRows()).isEqualTo(before);

        double unknownBefore = bundle.metric("attio_webhook_events_unknown_total");
        ObjectNode future = sim().event("record.teleported", sim().eventId());
        assertThat(deliver(sim().envelope(UUID.randomUUID().toString(), future))).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> bundle.metric("attio_webhook_events_unknown_total") == unknownBefore + 1);
        bundle.awaitInboxDrained();
    }

    @Test
    void anEventWithManyEventsAndAFailingFetchIsRetriedWithBackoffWithoutRepeatingTheOthers() throws Exception {
        List<String> ids = sim().data().recordIds("people").subList(6, 8);
        String flaky = ids.get(0);
        String fine = ids.get(1);
        for (String id : ids) {
            sim().data().updateRecord("people", id, JSON.readTree("{\"job_title\":[\"Retry " + UUID.randomUUID() + "\"]}"));
        }
        // the gateway retries 5xx itself (1 + 4 attempts); five 500s make it give up once, so the inbox retries
        sim().faults().add(FaultRule.on("GET", "/v2/objects/people/records/" + flaky).respond(500).times(5));
        JsonNode a = JSON.readTree(sim().recordEvent("record.updated", "people", flaky)).path("events").get(0);
        JsonNode b = JSON.readTree(sim().recordEvent("record.updated", "people", fine)).path("events").get(0);
        assertThat(deliver(sim().envelope(UUID.randomUUID().toString(), a, b))).isEqualTo(200);

        bundle.awaitInboxDrained();
        assertThat(recordGets("people", fine)).isEqualTo(1);
        assertThat(recordGets("people", flaky)).isEqualTo(6);
        assertThat(bundle.queryLong("SELECT MAX(attempts) FROM webhook_inbox WHERE body LIKE ?", "%" + flaky + "%")).isEqualTo(2);
        assertThat(ValuesHash.of(mirrored("people", flaky).path("values")))
                .isEqualTo(ValuesHash.of(sim().data().getRecord("people", flaky).path("values")));
    }

    @Test
    void aCapturedBodyResentUnderAFreshKeyWhileTheFirstIsPendingIsADuplicate() throws Exception {
        String record = sim().data().recordIds("people").get(3);
        byte[] body = sim().recordEvent("record.updated", "people", record).getBytes(StandardCharsets.UTF_8);
        String signature = AttioSimulator.sign(body, RunningBundle.WEBHOOK_SECRET);
        String firstKey = UUID.randomUUID().toString();
        String freshKey = UUID.randomUUID().toString();
        HttpResponse<String> first = postWithKey(body, signature, firstKey);
        HttpResponse<String> replayed = postWithKey(body, signature, freshKey);
        assertThat(first.body()).contains("accepted");
        assertThat(replayed.statusCode()).isEqualTo(200);
        assertThat(replayed.body()).contains("duplicate");
        await().atMost(Duration.ofSeconds(10)).until(() -> recordGets("people", record) == 1);
        assertThat(bundle.queryLong("SELECT COUNT(*) FROM webhook_inbox WHERE idempotency_key IN (?, ?)", firstKey, freshKey))
                .isEqualTo(1);
    }

    static HttpResponse<String> postWithKey(byte[] body, String signature, String key) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(webhookUrl())).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/json").header("Attio-Signature", signature)
                .header("Idempotency-Key", key).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPermanentFailureIsDeadLetteredAndCanBeReplayed() throws Exception {
        ObjectNode id = sim().eventId().put("object_id", UUID.randomUUID().toString()).put("record_id", UUID.randomUUID().toString());
        ObjectNode event = sim().event("record.created", id);
        assertThat(deliver(sim().envelope(UUID.randomUUID().toString(), event))).isEqualTo(200);
        String recordId = id.path("record_id").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> api("GET", "/api/dead-letters").body().contains(recordId));

        JsonNode list = JSON.readTree(api("GET", "/api/dead-letters?limit=500").body());
        JsonNode letter = null;
        for (JsonNode d : list.path("data")) {
            if (d.path("payload").path("id").path("record_id").asText().equals(recordId)) {
                letter = d;
            }
        }
        assertThat(letter).isNotNull();
        assertThat(letter.path("error").asText()).contains("Attio has no object");
        assertThat(letter.path("source").asText()).isEqualTo("webhook");

        long dead = letter.path("id").asLong();
        assertThat(api("POST", "/api/dead-letters/" + dead + "/replay").statusCode()).isEqualTo(202);
        assertThat(api("POST", "/api/dead-letters/999999/replay").statusCode()).isEqualTo(404);
        // still unknown to Attio: the replay fails again and updates its letter (marked replayed) instead of adding one
        await().atMost(Duration.ofSeconds(10)).until(() -> bundle.queryLong("SELECT COUNT(*) FROM webhook_inbox WHERE "
                + "idempotency_key = ? AND state = 'done'", "replay:" + dead + ":1") == 1);
        assertThat(bundle.queryLong("SELECT COUNT(*) FROM dead_letter WHERE payload LIKE ?", "%" + recordId + "%")).isEqualTo(1);
        assertThat(bundle.queryLong("SELECT replay_count FROM dead_letter WHERE id = ?", dead)).isEqualTo(1);
        assertThat(api("GET", "/api/dead-letters").statusCode()).isEqualTo(200);
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(bundle.httpUrl() + "/api/dead-letters")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
    }

    @Test
    void mirrorPagesCarryTheTotal() throws Exception {
        HttpResponse<String> page = api("GET", "/api/mirror/people?limit=2&offset=0");
        assertThat(page.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(page.body());
        assertThat(body.path("data").size()).isLessThanOrEqualTo(2);
        assertThat(body.path("total").asLong()).isGreaterThanOrEqualTo(body.path("data").size());
        assertThat(api("GET", "/api/mirror/people?limit=9999").statusCode()).isEqualTo(400);
        assertThat(api("GET", "/api/mirror/people/no-such-record").statusCode()).isEqualTo(404);
    }

}
