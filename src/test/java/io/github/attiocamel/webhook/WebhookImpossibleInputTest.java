package io.github.attiocamel.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the bundle accepted it can read back, and what can never succeed is refused for good: signed deliveries in
 * UTF-16 or with a UTF-8 byte-order mark are processed; a delivery or a batch nested past Jackson's limits is a 400;
 * an inbox row that cannot be read is dead-lettered with its reason within the configured attempts.
 */
class WebhookImpossibleInputTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static RunningBundle bundle;

    @BeforeAll
    static void startBundle() {
        bundle = RunningBundle.against(ATTIO.baseUrl(), ATTIO.apiKey())
                .property("attio.webhook.retry-initial-delay", "PT0.1S")
                .property("attio.webhook.max-attempts", "3")
                .start();
        ATTIO.simulator().data().seedPeople(4);
    }

    @AfterAll
    static void stopBundle() {
        bundle.close();
    }

    @Test
    void signedDeliveriesInUtf16OrWithAByteOrderMarkAreProcessed() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        var ids = sim.data().recordIds("people");
        byte[][] bodies = {
                concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, envelope(ids.get(0), StandardCharsets.UTF_8)),
                concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, envelope(ids.get(1), StandardCharsets.UTF_16LE)),
                envelope(ids.get(2), StandardCharsets.UTF_16BE),
                envelope(ids.get(3), Charset.forName("UTF-32LE"))};
        for (byte[] body : bodies) {
            assertThat(post("/webhooks/attio", body, AttioSimulator.sign(body, RunningBundle.WEBHOOK_SECRET)).statusCode())
                    .isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (int i = 0; i < bodies.length; i++) {
                assertThat(sql("SELECT COUNT(*) FROM mirror_record WHERE record_id = ?", ids.get(i)))
                        .as("record of delivery " + i + " in the mirror").isEqualTo(1);
            }
        });
        assertThat(sql("SELECT COUNT(*) FROM dead_letter")).isZero();
    }

    @Test
    void aSignedDeliveryNestedPastTheParsersLimitIsA400NotA503() throws Exception {
        String deep = "[".repeat(1001) + "]".repeat(1001);
        byte[] body = ("{\"webhook_id\":\"w\",\"events\":[{\"event_type\":\"record.created\",\"x\":" + deep + "}]}")
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> answer = post("/webhooks/attio", body, AttioSimulator.sign(body, RunningBundle.WEBHOOK_SECRET));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(400);
        assertThat(answer.body()).contains("invalid_json");
    }

    @Test
    void aBatchNestedPastTheParsersLimitIsA400NotA500() throws Exception {
        String deep = "[".repeat(1001) + "]".repeat(1001);
        byte[] body = ("[{\"email\":\"deep@gmail.com\",\"x\":" + deep + "}]").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(bundle.httpUrl() + "/api/contacts:batch"))
                .header("Authorization", "Bearer " + RunningBundle.API_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(400);
    }

    @Test
    void anInboxRowThatCannotBeReadIsDeadLetteredWithItsReasonNotRetriedForever() throws Exception {
        long id = insertRow("not json at all \u0000");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(sql("SELECT COUNT(*) FROM webhook_inbox WHERE id = ? AND state = 'done'", id)).isEqualTo(1));
        assertThat(sql("SELECT attempts FROM webhook_inbox WHERE id = ?", id)).isLessThanOrEqualTo(3);
        JsonNode letters = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(bundle.httpUrl() + "/api/dead-letters"))
                .header("Authorization", "Bearer " + RunningBundle.API_TOKEN).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(letters.path("data").toString()).contains("is not JSON");
    }

    @Test
    void replaysOfAStillFailingDeadLetterUpdateThatLetterOneAtATime() throws Exception {
        // an object Attio does not know: permanent, dead-lettered at once and on every replay
        AttioSimulator sim = ATTIO.simulator();
        String unknownObject = UUID.randomUUID().toString();
        byte[] body = sim.envelope("w", sim.event("record.created", sim.eventId().put("object_id", unknownObject)
                .put("record_id", UUID.randomUUID().toString()))).getBytes(StandardCharsets.UTF_8);
        assertThat(post("/webhooks/attio", body, AttioSimulator.sign(body, RunningBundle.WEBHOOK_SECRET)).statusCode())
                .isEqualTo(200);
        long before = sql("SELECT COUNT(*) FROM dead_letter");
        await().atMost(Duration.ofSeconds(20)).until(() -> letterId(unknownObject) > 0);
        long letter = letterId(unknownObject);
        assertThat(sql("SELECT COUNT(*) FROM dead_letter")).isEqualTo(before + 1);

        // a second replay while the first is still queued adds nothing
        assertThat(replay(letter).path("outcome").asText()).isEqualTo("replayed");
        assertThat(replay(letter).path("outcome").asText()).isIn("pending", "replayed");
        for (int i = 0; i < 20; i++) {
            await().atMost(Duration.ofSeconds(20)).until(() -> sql("SELECT COUNT(*) FROM webhook_inbox WHERE "
                    + "idempotency_key LIKE ? AND state <> 'done'", "replay:" + letter + ":%") == 0);
            replay(letter);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> sql("SELECT COUNT(*) FROM webhook_inbox WHERE "
                + "idempotency_key LIKE ? AND state <> 'done'", "replay:" + letter + ":%") == 0);
        assertThat(sql("SELECT COUNT(*) FROM dead_letter")).as("dead letters").isEqualTo(before + 1);
        long replays = sql("SELECT replay_count FROM dead_letter WHERE id = ?", letter);
        assertThat(replays).isBetween(21L, 22L);
        assertThat(sql("SELECT COUNT(*) FROM webhook_inbox WHERE idempotency_key LIKE ?", "replay:" + letter + ":%"))
                .as("replays queued").isEqualTo(replays);
    }

    private static long letterId(String payloadPart) throws Exception {
        return sql("SELECT COALESCE(MAX(id), 0) FROM dead_letter WHERE payload LIKE ?", "%" + payloadPart + "%");
    }

    private static JsonNode replay(long letter) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(bundle.httpUrl() + "/api/dead-letters/"
                        + letter + "/replay")).header("Authorization", "Bearer " + RunningBundle.API_TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return JSON.readTree(r.body());
    }

    private static byte[] envelope(String recordId, Charset charset) {
        return ATTIO.simulator().recordEvent("record.updated", "people", recordId).getBytes(charset);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }

    private static HttpResponse<String> post(String path, byte[] body, String signature) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(bundle.httpUrl() + path))
                .header("Content-Type", "application/json").header("Attio-Signature", signature)
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static DataSource dataSource() {
        return bundle.camelContext().getRegistry().lookupByNameAndType("dataSource", DataSource.class);
    }

    private static long insertRow(String body) throws Exception {
        try (Connection c = dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO webhook_inbox (idempotency_key, received_at, body, state, attempts) VALUES (?, ?, ?, "
                        + "'received', 0)", new String[] {"id"})) {
            ps.setString(1, "hand-edited-" + UUID.randomUUID());
            ps.setObject(2, OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(5));
            ps.setString(3, body);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    private static long sql(String query, Object... args) throws Exception {
        try (Connection c = dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(query)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
