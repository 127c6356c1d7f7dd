package io.github.attiocamel.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import static org.awaitility.Awaitility.await;

/** Acceptance: 429 answers with a Retry-After already past, and a query's 429 beside record fetches. */
class GatewayRateLimitTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static GatewayContext context;

    @BeforeAll
    static void startGateway() throws Exception {
        context = new GatewayContext(GatewayContext.properties(ATTIO.baseUrl(), ATTIO.apiKey()));
    }

    @AfterAll
    static void stopGateway() {
        context.close();
    }

    private static AttioSimulator sim() {
        return ATTIO.simulator();
    }

    @Test
    void aRetryAfterDateInThePastStillSpacesRetriesByTheFloor() {
        // clock skew: Attio's date is half a minute behind ours
        sim().faults().add(FaultRule.on("GET", "/v2/self").retryAfter(Duration.ofSeconds(-30)).times(3));

        JsonNode self = context.gateway.self();

        assertThat(self.path("active").asBoolean()).isTrue();
        List<Instant> arrivals = sim().requests().stream().filter(r -> r.path().equals("/v2/self"))
                .map(RecordedRequest::arrival).toList();
        assertThat(arrivals).hasSize(4);
        for (int i = 1; i < arrivals.size(); i++) {
            // attio.retry.rate-limited-floor-millis (packed default 1000)
            assertThat(Duration.between(arrivals.get(i - 1), arrivals.get(i))).as("gap before retry " + i)
                    .isGreaterThanOrEqualTo(Duration.ofMillis(1000));
        }
    }

    @Test
    void aQuerysRateLimitSlowsQueriesButNotRecordFetches() throws Exception {
        String person = sim().data().createRecord("people", JSON.readTree("{\"email_addresses\":[\"lane@example.com\"]}"))
                .path("id").path("record_id").asText();
        sim().faults().add(FaultRule.on("POST", "/v2/objects/people/records/query").retryAfter(Duration.ofSeconds(3))
                .times(1));

        CompletableFuture<List<JsonNode>> query = CompletableFuture.supplyAsync(() -> context.gateway.queryRecords(
                "people", JSON.createObjectNode().put("limit", 1)));
        await().atMost(5, TimeUnit.SECONDS).until(() -> sim().count(RecordedRequest.Kind.READ, 429) == 1);
        Instant limitedAt = sim().requests().stream().filter(r -> r.status() == 429).findFirst().orElseThrow().arrival();
        context.gateway.invalidateRecord("people", person);

        assertThat(context.gateway.getRecord("people", person)).isPresent();
        Instant fetchedAt = sim().requests().stream().filter(r -> r.path().endsWith("/records/" + person))
                .findFirst().orElseThrow().arrival();

        assertThat(Duration.between(limitedAt, fetchedAt)).as("record fetch held behind the query's 429")
                .isLessThan(Duration.ofSeconds(1));
        assertThat(query.get(10, TimeUnit.SECONDS)).hasSize(1);
        Instant retriedAt = sim().requests().stream().filter(r -> r.path().endsWith("/records/query"))
                .filter(r -> r.status() == 200).findFirst().orElseThrow().arrival();
        assertThat(Duration.between(limitedAt, retriedAt)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aRateLimitThatOutlastsTheRetriesReachesTheCaller() throws Exception {
        var props = GatewayContext.properties(ATTIO.baseUrl(), ATTIO.apiKey());
        props.setProperty("attio.retry.rate-limited-max-redeliveries", "2");
        props.setProperty("attio.retry.rate-limited-floor-millis", "100");
        try (GatewayContext limited = new GatewayContext(props)) {
            sim().faults().add(FaultRule.on("GET", "/v2/self").retryAfter(Duration.ofMillis(-5000)));

            CompletableFuture<JsonNode> self = CompletableFuture.supplyAsync(limited.gateway::self);

            assertThat(self).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(
                    java.util.concurrent.ExecutionException.class).havingCause().isInstanceOfSatisfying(
                    AttioException.class, e -> assertThat(e.status()).isEqualTo(429));
            assertThat(sim().requests().stream().filter(r -> r.path().equals("/v2/self"))).hasSize(3);
        }
    }
}
