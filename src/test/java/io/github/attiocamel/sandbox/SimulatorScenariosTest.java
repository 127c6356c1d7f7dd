package io.github.attiocamel.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class SimulatorScenariosTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Map<String, Object>> received = new CopyOnWriteArrayList<>();
    private HttpServer receiver;

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(Map.of("body", new String(body, StandardCharsets.UTF_8),
                    "signature", String.valueOf(exchange.getRequestHeaders().getFirst("Attio-Signature")),
                    "x-signature", String.valueOf(exchange.getRequestHeaders().getFirst("X-Attio-Signature")),
                    "key", String.valueOf(exchange.getRequestHeaders().getFirst("Idempotency-Key")),
                    "type", String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type"))));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    private String hookUrl() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(ATTIO.baseUrl() + path))
                .header("Authorization", "Bearer " + ATTIO.apiKey()).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aDataChangeRuleMovesRowsBetweenPagesAndTiesInCreatedAtComeInNoFixedOrder() throws Exception {
        SimulatorData data = ATTIO.simulator().data();
        int before = data.count("people");
        data.seedPeople(60, 20);
        List<String> ids = data.recordIds("people");
        String doomed = ids.get(ids.size() - 50);
        FaultRule rule = ATTIO.simulator().faults().add(FaultRule.when(r -> r.path().endsWith("/people/records/query")
                && r.bodyLong("offset", 0) == 1).changeData(() -> data.deleteRecord("people", doomed)).times(1));
        String query = "{\"sorts\":[{\"direction\":\"asc\",\"attribute\":\"created_at\"}],\"limit\":1,\"offset\":1}";

        HttpResponse<String> page = call("POST", "/v2/objects/people/records/query", query);

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(rule.fired()).isEqualTo(1);
        assertThat(data.count("people")).isEqualTo(before + 59);
        assertThat(data.getRecord("people", doomed)).isNull();
        // twenty rows share each created_at: page after page, a tie comes back in an order of its own
        String tied = "{\"sorts\":[{\"direction\":\"asc\",\"attribute\":\"created_at\"}],\"limit\":20,\"offset\":"
                + (before + 39) + "}";
        List<String> orders = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            orders.add(JSON.readTree(call("POST", "/v2/objects/people/records/query", tied).body()).path("data")
                    .findValuesAsText("record_id").toString());
        }
        assertThat(new java.util.HashSet<>(orders)).hasSizeGreaterThan(1);
    }

    @Test
    void entryAssertUpdatesTheOnlyEntryAndRefusesAmbiguousParents() throws Exception {
        SimulatorData data = ATTIO.simulator().data();
        String parent = data.createRecord("people", JSON.readTree("{\"email_addresses\":[\"entry@example.com\"]}"))
                .path("id").path("record_id").asText();
        String assertBody = "{\"data\":{\"parent_record_id\":\"" + parent + "\",\"parent_object\":\"people\","
                + "\"entry_values\":{\"stage\":[\"Qualified\"]}}}";
        JsonNode first = JSON.readTree(call("PUT", "/v2/lists/sales/entries", assertBody).body()).path("data");
        JsonNode second = JSON.readTree(call("PUT", "/v2/lists/sales/entries", assertBody.replace("Qualified", "Won")).body()).path("data");
        assertThat(second.path("id").path("entry_id").asText()).isEqualTo(first.path("id").path("entry_id").asText());
        assertThat(second.path("entry_values").path("stage").path(0).path("status").path("title").asText()).isEqualTo("Won");

        assertThat(call("POST", "/v2/lists/sales/entries", assertBody).statusCode()).isEqualTo(200);
        HttpResponse<String> ambiguous = call("PUT", "/v2/lists/sales/entries", assertBody);
        assertThat(ambiguous.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(ambiguous.body()).path("code").asText()).isEqualTo("multiple_match_results");

        HttpResponse<String> unknownStage = call("PUT", "/v2/lists/sales/entries/" + first.path("id").path("entry_id").asText(),
                "{\"data\":{\"entry_values\":{\"stage\":[\"Negotiation\"]}}}");
        assertThat(JSON.readTree(unknownStage.body()).path("code").asText()).isEqualTo("value_not_found");

        int entries = data.entryCount("sales");
        assertThat(call("DELETE", "/v2/objects/people/records/" + parent, null).body()).isEqualTo("{}");
        assertThat(data.entryCount("sales")).isEqualTo(entries - 2);
    }

    @Test
    void patchAddsToMultiselectValuesAndPutReplacesThem() throws Exception {
        SimulatorData data = ATTIO.simulator().data();
        String id = data.createRecord("companies", JSON.readTree("{\"domains\":[\"one.example.com\"],\"name\":[\"One\"]}"))
                .path("id").path("record_id").asText();
        JsonNode patched = JSON.readTree(call("PATCH", "/v2/objects/companies/records/" + id,
                "{\"data\":{\"values\":{\"domains\":[\"two.example.com\"]}}}").body()).path("data");
        assertThat(patched.path("values").path("domains").findValuesAsText("domain"))
                .containsExactly("two.example.com", "one.example.com");
        JsonNode put = JSON.readTree(call("PUT", "/v2/objects/companies/records/" + id,
                "{\"data\":{\"values\":{\"domains\":[\"three.example.com\"]}}}").body()).path("data");
        assertThat(put.path("values").path("domains").findValuesAsText("domain")).containsExactly("three.example.com");
        assertThat(put.path("values").path("name").path(0).path("value").asText()).isEqualTo("One");
        // the replaced domain is free again
        assertThat(data.findRecord("companies", "domains", "one.example.com")).isNull();
        assertThat(call("GET", "/v2/objects/companies/records/" + java.util.UUID.randomUUID(), null).statusCode()).isEqualTo(404);
    }

    @Test
    void deliverPostsTheExactBytesSignedWithBothHeaders() {
        AttioSimulator sim = ATTIO.simulator();
        String recordId = sim.data().recordIds("people").get(0);
        String envelope = sim.recordEvent("record.created", "people", recordId);
        int status = sim.deliver(hookUrl(), "s3cret", envelope, "key-1");

        assertThat(status).isEqualTo(204);
        Map<String, Object> got = received.get(0);
        assertThat(got.get("body")).isEqualTo(envelope);
        assertThat(got.get("signature")).isEqualTo(AttioSimulator.sign(envelope.getBytes(StandardCharsets.UTF_8), "s3cret"))
                .isEqualTo(got.get("x-signature"));
        assertThat(got.get("key")).isEqualTo("key-1");
        assertThat(got.get("type")).isEqualTo("application/json");
        assertThat(envelope).contains("\"event_type\":\"record.created\"", "\"record_id\":\"" + recordId + "\"",
                "\"object_id\":\"" + sim.data().objectId("people") + "\"", "\"actor\":{");
    }

    @Test
    void changesThroughTheApiReachRegisteredWebhooksSigned() throws Exception {
        JsonNode hook = JSON.readTree(call("POST", "/v2/webhooks", "{\"data\":{\"target_url\":\"" + hookUrl() + "\","
                + "\"subscriptions\":[{\"event_type\":\"record.created\",\"filter\":null},"
                + "{\"event_type\":\"list-entry.created\",\"filter\":{\"$and\":[{\"field\":\"id.list_id\",\"operator\":\"equals\","
                + "\"value\":\"" + ATTIO.simulator().data().listId("sales") + "\"}]}}]}}").body()).path("data");
        String secret = hook.path("secret").asText();
        try {
            JsonNode created = JSON.readTree(call("POST", "/v2/objects/people/records",
                    "{\"data\":{\"values\":{\"email_addresses\":[\"hooked@example.com\"]}}}").body()).path("data");
            call("POST", "/v2/lists/sales/entries", "{\"data\":{\"parent_record_id\":\"" + created.path("id").path("record_id").asText()
                    + "\",\"parent_object\":\"people\",\"entry_values\":{}}}");

            await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 2);
            for (Map<String, Object> delivery : received) {
                String body = (String) delivery.get("body");
                assertThat(delivery.get("signature")).isEqualTo(AttioSimulator.sign(body.getBytes(StandardCharsets.UTF_8), secret));
                assertThat(JSON.readTree(body).path("webhook_id").asText()).isEqualTo(hook.path("id").path("webhook_id").asText());
            }
            assertThat(received).extracting(d -> JSON.readTree((String) d.get("body")).path("events").path(0).path("event_type").asText())
                    .containsExactlyInAnyOrder("record.created", "list-entry.created");
        } finally {
            call("DELETE", "/v2/webhooks/" + hook.path("id").path("webhook_id").asText(), null);
        }
    }

    @Test
    void directDataAccessBypassesHttpAndLimits() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        sim.setRateLimits(1, 1);
        SimulatorData data = sim.data();
        int before = data.count("deals");
        ObjectNode values = (ObjectNode) JSON.readTree("{\"name\":[\"Direct\"],\"deal_type\":[\"Renewal\"],\"stage\":[\"Won\"],\"value\":[{\"currency_value\":42}]}");
        String id = data.createRecord("deals", values).path("id").path("record_id").asText();
        data.updateRecord("deals", id, JSON.readTree("{\"stage\":[\"Lost\"]}"));
        assertThat(data.getRecord("deals", id).path("values").path("stage").path(0).path("status").path("title").asText()).isEqualTo("Lost");
        assertThat(data.getRecord("deals", id).path("values").path("value").path(0).path("currency_code").asText()).isEqualTo("USD");
        assertThat(data.count("deals")).isEqualTo(before + 1);
        assertThatThrownBy(() -> data.createRecord("deals", JSON.readTree("{\"name\":[\"No stage\"]}")))
                .hasMessageContaining("stage");
        assertThat(data.deleteRecord("deals", id)).isTrue();
        assertThat(data.count("deals")).isEqualTo(before);
        assertThat(sim.requests()).isEmpty();
    }

    @Test
    void leftoverViolationsFailTheTestThatCausedThem() throws Exception {
        call("POST", "/v2/notes", "{\"data\":{\"title\":\"no parent\"}}");
        assertThat(ATTIO.simulator().violations()).isNotEmpty();
        assertThatThrownBy(() -> SimulatorExtension.assertNoViolations(ATTIO.simulator(), "this test"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("POST /v2/notes");
        assertThat(ATTIO.simulator().violations()).isEmpty();
    }
}
