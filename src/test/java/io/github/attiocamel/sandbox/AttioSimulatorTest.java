package io.github.attiocamel.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AttioSimulatorTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> call(String method, String path, String body) throws IOException, InterruptedException {
        return http.send(request(method, path, body, ATTIO.apiKey()), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String method, String path, String body, String key) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(ATTIO.baseUrl() + path))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json");
        return builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    @Test
    void selfIdentifiesTheTokenAndAWrongTokenGets401() throws Exception {
        HttpResponse<String> self = call("GET", "/v2/self", null);
        assertThat(self.statusCode()).isEqualTo(200);
        assertThat(json(self).path("active").asBoolean()).isTrue();
        assertThat(json(self).path("workspace_id").asText()).isEqualTo(ATTIO.simulator().data().workspaceId());

        HttpResponse<String> denied = http.send(request("GET", "/v2/self", null, "wrong"), HttpResponse.BodyHandlers.ofString());
        assertThat(denied.statusCode()).isEqualTo(401);
        assertThat(json(denied).path("type").asText()).isEqualTo("auth_error");
        assertThat(json(denied).path("code").asText()).isEqualTo("unauthorized");
    }

    @Test
    void aRequestThatBreaksTheContractIsRejectedAndRecorded() throws Exception {
        // values must map slugs to arrays; a bare string breaks the schema
        HttpResponse<String> response = call("POST", "/v2/objects/people/records",
                "{\"data\":{\"values\":{\"job_title\":\"CTO\"}}}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("code").asText()).isEqualTo("validation_type");
        assertThat(ATTIO.simulator().violations()).singleElement().asString().contains("POST /v2/objects/people/records");

        // offset belongs in the body of a query, not in its query string
        call("POST", "/v2/objects/people/records/query?offset=500", "{}");
        assertThat(ATTIO.simulator().violations()).hasSize(2).last().asString().contains("offset");
        ATTIO.simulator().clearViolations();
    }

    @Test
    void unknownRouteIs404InAttiosErrorShape() throws Exception {
        HttpResponse<String> response = call("GET", "/v2/nothing-here", null);
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).path("code").asText()).isEqualTo("not_found");
        assertThat(json(response).path("status_code").asInt()).isEqualTo(404);
    }

    @Test
    void assertAddsMatchingEmailsReplacesOtherMultiselectsAndCreatesWhenNothingMatches() throws Exception {
        String body = "{\"data\":{\"values\":{\"email_addresses\":[\"assert-1@example.com\"],"
                + "\"phone_numbers\":[\"+44 20 7946 0000\"],\"name\":[{\"first_name\":\"Asa\",\"last_name\":\"Sert\",\"full_name\":\"Asa Sert\"}]}}}";
        JsonNode created = json(call("PUT", "/v2/objects/people/records?matching_attribute=email_addresses", body)).path("data");
        String id = created.path("id").path("record_id").asText();

        String again = "{\"data\":{\"values\":{\"email_addresses\":[\"ASSERT-2@example.com\",\"assert-1@example.com\"],"
                + "\"phone_numbers\":[\"+1 415 555 0100\"],\"job_title\":[\"CTO\"]}}}";
        JsonNode updated = json(call("PUT", "/v2/objects/people/records?matching_attribute=email_addresses", again)).path("data");

        assertThat(updated.path("id").path("record_id").asText()).isEqualTo(id);
        assertThat(updated.path("values").path("email_addresses").findValuesAsText("email_address"))
                .containsExactlyInAnyOrder("assert-1@example.com", "assert-2@example.com");
        assertThat(updated.path("values").path("phone_numbers").findValuesAsText("phone_number")).containsExactly("+14155550100");
        assertThat(updated.path("values").path("name").path(0).path("full_name").asText()).isEqualTo("Asa Sert");
        JsonNode value = updated.path("values").path("job_title").path(0);
        assertThat(value.path("attribute_type").asText()).isEqualTo("text");
        assertThat(value.path("active_until").isNull()).isTrue();
        assertThat(value.path("created_by_actor").path("type").asText()).isEqualTo("api-token");
        assertThat(updated.path("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z");

        HttpResponse<String> notUnique = call("PUT", "/v2/objects/people/records?matching_attribute=job_title", again);
        assertThat(notUnique.statusCode()).isEqualTo(400);
    }

    @Test
    void aValuesActiveFromMovesOnlyWhenTheValueChangesAndAMembersEditIsTheirs() throws Exception {
        // the contact flow's conflict policy compares this instant with a contact's updated_at
        JsonNode created = json(call("POST", "/v2/objects/people/records",
                "{\"data\":{\"values\":{\"email_addresses\":[\"active-from@example.com\"],\"job_title\":[\"Engineer\"]}}}"))
                .path("data");
        String id = created.path("id").path("record_id").asText();
        String first = created.path("values").path("job_title").path(0).path("active_from").asText();

        JsonNode same = json(call("PATCH", "/v2/objects/people/records/" + id,
                "{\"data\":{\"values\":{\"job_title\":[\"Engineer\"]}}}")).path("data");
        assertThat(same.path("values").path("job_title").path(0).path("active_from").asText())
                .as("writing the value it holds changes nothing").isEqualTo(first);

        JsonNode edited = ATTIO.simulator().data().updateRecordInUi("people", id, JSON.readTree("{\"job_title\":[\"CTO\"]}"));
        JsonNode value = edited.path("values").path("job_title").path(0);
        assertThat(Instant.parse(value.path("active_from").asText())).isAfter(Instant.parse(first));
        assertThat(value.path("created_by_actor").path("type").asText()).isEqualTo("workspace-member");
        assertThat(edited.path("values").path("email_addresses").path(0).path("active_from").asText())
                .as("an attribute the edit left alone keeps its instant")
                .isEqualTo(created.path("values").path("email_addresses").path(0).path("active_from").asText());
    }

    @Test
    void createClashingOnAUniqueAttributeIsUniquenessConflict() throws Exception {
        HttpResponse<String> response = call("POST", "/v2/objects/companies/records",
                "{\"data\":{\"values\":{\"domains\":[\"acme.com\"],\"name\":[\"Acme again\"]}}}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("code").asText()).isEqualTo("uniqueness_conflict");
    }

    @Test
    void referencesResolveByUniqueAttributeAndUnknownSelectTitlesAreValueNotFound() throws Exception {
        JsonNode person = json(call("POST", "/v2/objects/people/records", "{\"data\":{\"values\":{"
                + "\"email_addresses\":[\"ref@example.com\"],\"lead_source\":[\"Referral\"],"
                + "\"company\":[{\"target_object\":\"companies\",\"domains\":[{\"domain\":\"globex.com\"}]}]}}}")).path("data");
        String globex = ATTIO.simulator().data().findRecord("companies", "domains", "globex.com").path("id").path("record_id").asText();
        assertThat(person.path("values").path("company").path(0).path("target_record_id").asText()).isEqualTo(globex);
        assertThat(person.path("values").path("lead_source").path(0).path("option").path("title").asText()).isEqualTo("Referral");

        HttpResponse<String> unknown = call("POST", "/v2/objects/people/records",
                "{\"data\":{\"values\":{\"email_addresses\":[\"ref2@example.com\"],\"lead_source\":[\"Billboard\"]}}}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown).path("code").asText()).isEqualTo("value_not_found");
    }

    @Test
    void pagingByCreatedAtEndsOnAShortPage() throws Exception {
        SimulatorData data = ATTIO.simulator().data();
        data.seedPeople(1_234);
        int total = data.count("people");
        List<String> seen = new ArrayList<>();
        int pages = 0;
        while (true) {
            JsonNode page = json(call("POST", "/v2/objects/people/records/query",
                    "{\"sorts\":[{\"attribute\":\"created_at\",\"direction\":\"asc\"}],\"limit\":500,\"offset\":" + seen.size() + "}")).path("data");
            pages++;
            page.forEach(r -> seen.add(r.path("id").path("record_id").asText()));
            if (page.size() < 500) {
                break;
            }
        }
        assertThat(seen).hasSize(total).doesNotHaveDuplicates().isEqualTo(data.recordIds("people"));
        assertThat(pages).isEqualTo(total / 500 + 1);
    }

    @Test
    void filtersMatchShorthandOperatorsAndProperties() throws Exception {
        JsonNode byEmail = json(call("POST", "/v2/objects/people/records/query",
                "{\"filter\":{\"email_addresses\":\"ada@acme.com\"}}")).path("data");
        assertThat(byEmail).hasSize(1);
        JsonNode byProperty = json(call("POST", "/v2/objects/people/records/query",
                "{\"filter\":{\"$or\":[{\"name\":{\"first_name\":{\"$eq\":\"Grace\"}}},{\"lead_source\":{\"$eq\":\"Event\"}}]}}")).path("data");
        assertThat(byProperty.findValuesAsText("full_name")).contains("Grace Hopper", "Alan Turing");
        HttpResponse<String> bad = call("POST", "/v2/objects/people/records/query", "{\"filter\":{\"shoe_size\":42}}");
        assertThat(json(bad).path("code").asText()).isEqualTo("filter_error");
    }

    @Test
    void writesOverTheLimitGet429WithAnHttpDateAndAreNotProcessed() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        sim.setRateLimits(100, 3);
        int before = sim.data().count("companies");
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            calls.add(http.sendAsync(request("POST", "/v2/objects/companies/records",
                    "{\"data\":{\"values\":{\"name\":[\"Burst " + i + "\"]}}}", ATTIO.apiKey()), HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> responses = calls.stream().map(CompletableFuture::join).toList();
        List<HttpResponse<String>> limited = responses.stream().filter(r -> r.statusCode() == 429).toList();
        long ok = responses.stream().filter(r -> r.statusCode() == 200).count();
        assertThat(limited).isNotEmpty();
        assertThat(sim.data().count("companies")).isEqualTo(before + ok);
        HttpResponse<String> first = limited.get(0);
        assertThat(json(first).path("code").asText()).isEqualTo("rate_limit_exceeded");
        String retryAfter = first.headers().firstValue("Retry-After").orElseThrow();
        Instant date = ZonedDateTime.parse(retryAfter, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        assertThat(retryAfter).matches("[A-Z][a-z]{2}, \\d\\d [A-Z][a-z]{2} \\d{4} \\d\\d:\\d\\d:\\d\\d GMT");
        assertThat(date).isAfter(Instant.now().minusSeconds(2)).isBefore(Instant.now().plusSeconds(2));
        assertThat(sim.count(RecordedRequest.Kind.WRITE, 429)).isEqualTo(limited.size());
        assertThat(sim.maxInAnyWindow(RecordedRequest.Kind.WRITE, Duration.ofSeconds(1))).isLessThanOrEqualTo(6);
    }

    @Test
    void faultsFireOnTheMatchingPageOnlyAndClear() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        FaultRule pageThree = sim.faults().add(FaultRule.when(r -> r.path().endsWith("/records/query")
                && r.bodyLong("offset", 0) == 10).respond(503).times(1));
        assertThat(call("POST", "/v2/objects/people/records/query", "{\"limit\":5,\"offset\":0}").statusCode()).isEqualTo(200);
        HttpResponse<String> failed = call("POST", "/v2/objects/people/records/query", "{\"limit\":5,\"offset\":10}");
        assertThat(failed.statusCode()).isEqualTo(503);
        assertThat(call("POST", "/v2/objects/people/records/query", "{\"limit\":5,\"offset\":10}").statusCode()).isEqualTo(200);
        assertThat(pageThree.fired()).isEqualTo(1);

        sim.faults().add(FaultRule.on("GET", "/v2/self").resetConnection());
        assertThatThrownBy(() -> call("GET", "/v2/self", null)).isInstanceOf(IOException.class);
        sim.faults().clear();
        assertThat(call("GET", "/v2/self", null).statusCode()).isEqualTo(200);

        sim.faults().add(FaultRule.always().retryAfter(Duration.ofSeconds(2)).times(1));
        HttpResponse<String> limited = call("GET", "/v2/objects", null);
        assertThat(limited.statusCode()).isEqualTo(429);
        Instant date = ZonedDateTime.parse(limited.headers().firstValue("Retry-After").orElseThrow(),
                DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        assertThat(date).isAfterOrEqualTo(Instant.now().plusSeconds(1));
    }

    @Test
    void latencyDelaysAnswersWithoutSerialisingThem() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        sim.setLatency(Duration.ofMillis(300));
        long start = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(http.sendAsync(request("POST", "/v2/objects/people/records/query", "{\"limit\":1}", ATTIO.apiKey()),
                    HttpResponse.BodyHandlers.ofString()));
        }
        calls.forEach(c -> assertThat(c.join().statusCode()).isEqualTo(200));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(300)).isLessThan(Duration.ofMillis(2400));
    }

    @Test
    void aLatencyRangeDelaysEachAnswerByItsOwnDrawWithinTheRange() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        sim.setLatency(Duration.ofMillis(100), Duration.ofMillis(300));
        List<Long> millis = new ArrayList<>();
        try {
            for (int i = 0; i < 12; i++) {
                long start = System.nanoTime();
                assertThat(call("GET", "/v2/objects", null).statusCode()).isEqualTo(200);
                millis.add(Duration.ofNanos(System.nanoTime() - start).toMillis());
            }
        } finally {
            sim.setLatency(null);
        }
        assertThat(millis).allSatisfy(m -> assertThat(m).isGreaterThanOrEqualTo(100));
        // a fixed delay would give a spread of a few ms; twelve uniform draws over 200 ms spread far wider
        assertThat(millis.stream().mapToLong(Long::longValue).max().orElseThrow()
                - millis.stream().mapToLong(Long::longValue).min().orElseThrow()).as("spread of %s", millis)
                .isGreaterThan(60);
        assertThatThrownBy(() -> sim.setLatency(Duration.ofMillis(2), Duration.ofMillis(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void signatureMatchesAttiosTestVector() {
        String body = "{\"webhook_id\":\"23e42eaf-323a-41da-b5bb-fd67eebda553\",\"events\":[{\"event_type\":\"record.created\","
                + "\"id\":{\"workspace_id\":\"14beef7a-99f7-4534-a87e-70b564330a4c\",\"object_id\":\"97052eb9-e65e-443f-a297-f2d9a4a7f795\","
                + "\"record_id\":\"bf071e1f-6035-429d-b874-d83ea64ea13b\"},\"actor\":{\"type\":\"workspace-member\","
                + "\"id\":\"50cf242c-7fa3-4cad-87d0-75b1af71c57b\"}}]}";
        assertThat(AttioSimulator.sign(body.getBytes(java.nio.charset.StandardCharsets.UTF_8), "test-webhook-secret"))
                .isEqualTo("1d4795bd5d93120a4b59d82076c4219bf6b370017a84957f312e9eded54dc07c");
    }
}
