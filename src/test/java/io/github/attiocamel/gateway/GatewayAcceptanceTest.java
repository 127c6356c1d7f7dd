package io.github.attiocamel.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.sandbox.FaultRule;
import io.github.attiocamel.sandbox.RecordedRequest;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/** The gateway's contract against the Attio simulator, through the real YAML routes over real HTTP. */
class GatewayAcceptanceTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static GatewayContext context;
    private static AttioGateway gateway;

    @BeforeAll
    static void startGateway() throws Exception {
        var props = GatewayContext.properties(ATTIO.baseUrl(), ATTIO.apiKey());
        props.setProperty("attio.retry.initial-delay-millis", "50");
        context = new GatewayContext(props);
        gateway = context.gateway;
    }

    @AfterAll
    static void stopGateway() {
        context.close();
    }

    private static AttioSimulator sim() {
        return ATTIO.simulator();
    }

    @Test
    void rateLimitedReadWaitsForRetryAfterDateWhileWritesAndOtherReadsAreNotHeldLonger() {
        sim().faults().add(FaultRule.on("GET", "/v2/self").retryAfter(Duration.ofSeconds(2)).times(1));

        CompletableFuture<JsonNode> limited = CompletableFuture.supplyAsync(gateway::self);
        await().atMost(5, TimeUnit.SECONDS).until(() -> sim().count(RecordedRequest.Kind.READ, 429) == 1);
        RecordedRequest first = sim().requests().get(0);
        Instant retryAfter = Instant.ofEpochSecond((first.arrival().toEpochMilli() + 2000 + 999) / 1000);

        ObjectNode values = JSON.createObjectNode();
        values.putArray("name").add("Gate Test Co");
        JsonNode written = gateway.createRecord("companies", values);
        Instant writeDone = Instant.now();
        JsonNode otherRead = gateway.queryRecords("companies", JSON.createObjectNode().put("limit", 1)).get(0);
        Instant otherReadDone = Instant.now();

        assertThat(limited.join().path("active").asBoolean()).isTrue();
        List<RecordedRequest> selfCalls = sim().requests().stream().filter(r -> r.path().equals("/v2/self")).toList();
        assertThat(selfCalls).hasSize(2);
        assertThat(selfCalls.get(1).status()).isEqualTo(200);
        assertThat(selfCalls.get(1).arrival()).isAfterOrEqualTo(retryAfter);
        // the write budget is not paused at all; the other read waits for the date and no longer
        assertThat(written.path("id").path("record_id").asText()).isNotBlank();
        assertThat(writeDone).isBefore(retryAfter);
        assertThat(otherRead.path("id").path("record_id").asText()).isNotBlank();
        assertThat(otherReadDone).isBetween(retryAfter, retryAfter.plusMillis(1000));
    }

    @Test
    void clientErrorIsNormalisedAndSentExactlyOnce() {
        ObjectNode values = JSON.createObjectNode();
        values.putArray("lead_source").add("No such option");

        AttioException e = catchThrowableOfType(AttioException.class, () -> gateway.createRecord("people", values));

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.type()).isEqualTo("invalid_request_error");
        assertThat(e.code()).isEqualTo("value_not_found");
        assertThat(e.getMessage()).isNotBlank();
        assertThat(e.isRetriable()).isFalse();
        assertThat(sim().requests()).hasSize(1);
    }

    @Test
    void serverErrorsAndResetsAreRetriedThenSucceed() {
        sim().faults().add(FaultRule.on("GET", "/v2/self").respond(502).times(1));
        sim().faults().add(FaultRule.on("GET", "/v2/self").resetConnection().times(1));

        JsonNode self = gateway.self();

        assertThat(self.path("active").asBoolean()).isTrue();
        assertThat(sim().requests()).extracting(RecordedRequest::status).containsExactly(502, 0, 200);
    }

    @Test
    void dotSegmentsNeverReachAttioWhateverTheirSource() {
        for (String segment : List.of("..", ".")) {
            assertThat(catchThrowableOfType(() -> gateway.getRecord(segment, "00000000-0000-4000-8000-000000000000"),
                    IllegalArgumentException.class)).as(segment).isNotNull();
            assertThat(catchThrowableOfType(() -> gateway.list(segment), IllegalArgumentException.class))
                    .as(segment).isNotNull();
            assertThat(catchThrowableOfType(() -> gateway.attributes("lists", segment), IllegalArgumentException.class))
                    .as(segment).isNotNull();
        }
        assertThat(catchThrowableOfType(() -> new AttioRequest(AttioRequest.READ, "x", "GET", "/v2/lists/../self",
                null, null, true), IllegalArgumentException.class)).isNotNull();
        assertThat(catchThrowableOfType(() -> new AttioRequest(AttioRequest.READ, "x", "GET", "/v2/lists/%2E%2e",
                null, null, true), IllegalArgumentException.class)).isNotNull();
        assertThat(new AttioRequest(AttioRequest.READ, "x", "GET", "/v2/lists/a..b/.x", null, null, true).path())
                .isEqualTo("/v2/lists/a..b/.x");
        assertThat(sim().requests()).isEmpty();
    }

    @Test
    void notFoundRecordIsEmpty() {
        assertThat(gateway.getRecord("people", "00000000-0000-4000-8000-000000000000")).isEmpty();
        assertThat(sim().requests()).hasSize(1);
    }

    @Test
    void schemaCacheServesRepeatsUntilInvalidated() {
        gateway.invalidateSchema();
        List<JsonNode> objects = gateway.objects();
        assertThat(gateway.objects()).isEqualTo(objects);
        assertThat(gateway.attributes("objects", "people")).isNotEmpty();
        assertThat(gateway.attributes("objects", "people")).isNotEmpty();
        assertThat(sim().requests()).hasSize(2);

        gateway.invalidateSchema();
        gateway.objects();
        assertThat(sim().requests()).hasSize(3);
    }

    @Test
    void recordCacheServesRepeatsAndWritesThroughTheGatewayRefreshIt() {
        String id = sim().data().recordIds("companies").get(0);
        gateway.invalidateRecord("companies", id);
        JsonNode first = gateway.getRecord("companies", id).orElseThrow();
        assertThat(gateway.getRecord("companies", id)).contains(first);
        assertThat(sim().requests()).hasSize(1);

        ObjectNode values = JSON.createObjectNode();
        values.putArray("description").add("Updated through the gateway");
        gateway.updateRecord("companies", id, values);
        JsonNode afterWrite = gateway.getRecord("companies", id).orElseThrow();
        assertThat(afterWrite.path("values").path("description").get(0).path("value").asText())
                .isEqualTo("Updated through the gateway");
        assertThat(sim().requests()).hasSize(2); // the PATCH answer refreshed the cache

        gateway.invalidateRecord("companies", id);
        gateway.getRecord("companies", id);
        assertThat(sim().requests()).hasSize(3);
    }
}
