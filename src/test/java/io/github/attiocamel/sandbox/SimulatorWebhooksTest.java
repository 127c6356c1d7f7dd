package io.github.attiocamel.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The simulator sends the webhooks Attio would for API writes (one record.updated per changed attribute, together
 * in one delivery, actor the token that also shows as created_by_actor on the values) and for changes "in the UI"
 * (actor a workspace member) or by Attio itself (actor system, as a formula recompute).
 */
class SimulatorWebhooksTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();
    static final ObjectMapper JSON = new ObjectMapper();

    private HttpServer receiver;
    private final List<JsonNode> deliveries = new CopyOnWriteArrayList<>();
    private String secret;

    @BeforeEach
    void listen() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (AttioSimulator.sign(body, secret).equals(exchange.getRequestHeaders().getFirst("Attio-Signature"))) {
                deliveries.add(JSON.readTree(new String(body, StandardCharsets.UTF_8)));
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        secret = "s-" + System.nanoTime();
        ATTIO.simulator().subscribe("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook", secret);
    }

    @AfterEach
    void close() {
        receiver.stop(0);
        ATTIO.simulator().data().webhooks.clear();
    }

    @Test
    void anApiPatchOfTwoAttributesIsOneDeliveryOfTwoUpdatesByTheToken() throws Exception {
        String id = ATTIO.simulator().data().recordIds("people").get(0);
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(ATTIO.baseUrl() + "/v2/objects/people/records/" + id))
                .header("Authorization", "Bearer " + ATTIO.apiKey()).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(
                        "{\"data\":{\"values\":{\"job_title\":[\"Chief\"],\"linkedin\":[\"https://in.example/x\"]}}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(5)).until(() -> !deliveries.isEmpty());
        JsonNode events = deliveries.get(0).path("events");
        assertThat(events).hasSize(2);
        assertThat(events).allSatisfy(e -> {
            assertThat(e.path("event_type").asText()).isEqualTo("record.updated");
            assertThat(e.path("id").path("record_id").asText()).isEqualTo(id);
            assertThat(e.path("actor").path("type").asText()).isEqualTo("api-token");
        });
        String writer = JSON.readTree(r.body()).path("data").path("values").path("job_title").path(0)
                .path("created_by_actor").path("id").asText();
        assertThat(events.get(0).path("actor").path("id").asText()).isEqualTo(writer);
    }

    @Test
    void aChangeInTheUiIsSentWithTheMemberAsActor() throws Exception {
        SimulatorData data = ATTIO.simulator().data();
        String id = data.recordIds("people").get(1);
        String member = data.members().get(0).path("id").path("workspace_member_id").asText();

        JsonNode record = data.updateRecordInUi("people", id, JSON.readTree("{\"job_title\":[\"Edited in Attio\"]}"));

        await().atMost(Duration.ofSeconds(5)).until(() -> !deliveries.isEmpty());
        JsonNode event = deliveries.get(0).path("events").get(0);
        assertThat(event.path("event_type").asText()).isEqualTo("record.updated");
        assertThat(event.path("actor").path("type").asText()).isEqualTo("workspace-member");
        assertThat(event.path("actor").path("id").asText()).isEqualTo(member);
        assertThat(record.path("values").path("job_title").path(0).path("created_by_actor").path("id").asText())
                .isEqualTo(member);
    }

    @Test
    void aRecomputeByAttioIsSentWithTheSystemAsActor() throws Exception {
        SimulatorData data = ATTIO.simulator().data();
        String id = data.recordIds("people").get(2);

        JsonNode record = data.updateRecordAsSystem("people", id, JSON.readTree("{\"job_title\":[\"Recomputed\"]}"));

        await().atMost(Duration.ofSeconds(5)).until(() -> !deliveries.isEmpty());
        JsonNode event = deliveries.get(0).path("events").get(0);
        assertThat(event.path("event_type").asText()).isEqualTo("record.updated");
        assertThat(event.path("actor").path("type").asText()).isEqualTo("system");
        assertThat(record.path("values").path("job_title").path(0).path("created_by_actor").path("type").asText())
                .isEqualTo("system");
    }
}
