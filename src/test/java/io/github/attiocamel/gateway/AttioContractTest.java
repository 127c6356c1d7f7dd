package io.github.attiocamel.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The contract the bundle relies on, through its real gateway: self, schema reads, asserts of a company and a person,
 * a list entry, a note, query paging, webhook create/list/delete. By default against the simulator; with
 * {@code mvn -B verify -Pattio-live} and ATTIO_LIVE_API_KEY (read from the environment, so no report records it)
 * against the real Attio, so the two can be compared. Every test removes what it made (records, webhooks; a
 * note and an entry go with their record).
 */
class AttioContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    // only the attio-live profile (system property attio.live) turns to the environment, never the default build
    private static final boolean LIVE = Boolean.getBoolean("attio.live");
    private static final String LIVE_KEY = LIVE ? env("ATTIO_LIVE_API_KEY") : "";
    private static final String LIVE_WORKSPACE = LIVE ? env("ATTIO_LIVE_WORKSPACE") : "";

    private static AttioSimulator simulator;
    private static String baseUrl;
    private static String apiKey;
    private static RunningBundle bundle;
    private static AttioGateway gateway;
    /** Cleanup of what a test made, last first: "objects/<object>/records/<id>" or "webhooks/<id>". */
    private final Deque<String> made = new ArrayDeque<>();
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void connect() {
        if (LIVE_KEY.isBlank()) {
            simulator = AttioSimulator.start(0);
            baseUrl = simulator.baseUrl();
            apiKey = simulator.apiKey();
        } else {
            baseUrl = "https://api.attio.com";
            apiKey = LIVE_KEY;
        }
        bundle = RunningBundle.against(baseUrl, apiKey)
                .property("attio.sync.schedule-enabled", "false")
                // a shared real workspace: stay far below its budget
                .property("attio.rate.reads-per-second", "10").property("attio.rate.writes-per-second", "5")
                .start();
        gateway = bundle.camelContext().getRegistry().lookupByNameAndType("attioGateway", AttioGateway.class);
        if (!LIVE_KEY.isBlank()) {
            JsonNode self = gateway.self();
            // never write into a workspace other than the scratch one named for this suite
            assertThat(LIVE_WORKSPACE).as("ATTIO_LIVE_WORKSPACE names the scratch workspace").isNotBlank();
            assertThat(List.of(self.path("workspace_slug").asText(), self.path("workspace_name").asText()))
                    .as("the token's workspace").contains(LIVE_WORKSPACE);
        }
    }

    @AfterAll
    static void disconnect() {
        bundle.close();
        if (simulator != null) {
            simulator.close();
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        while (!made.isEmpty()) {
            HttpResponse<String> r = raw("DELETE", "/v2/" + made.pop(), null);
            assertThat(r.statusCode()).as("cleanup: " + r.body()).isIn(200, 204, 404);
        }
        if (simulator != null) {
            SimulatorExtension.assertNoViolations(simulator, "the contract suite");
        }
    }

    @Test
    void selfSaysTheTokenIsActive() {
        JsonNode self = gateway.self();
        assertThat(self.path("active").asBoolean()).isTrue();
        assertThat(self.path("workspace_id").asText()).isNotBlank();
    }

    @Test
    void schemaReadsNameTheStandardObjectsAndTheirAttributes() {
        assertThat(gateway.objects()).extracting(o -> o.path("api_slug").asText()).contains("people", "companies");
        assertThat(gateway.attributes("objects", "people")).extracting(a -> a.path("api_slug").asText())
                .contains("email_addresses", "name");
        assertThat(gateway.attributes("objects", "companies")).extracting(a -> a.path("api_slug").asText())
                .contains("domains", "name");
        assertThat(gateway.lists()).allSatisfy(l -> assertThat(l.path("parent_object").isArray()).isTrue());
    }

    @Test
    void aCompanyAndAPersonAreAssertedTwiceAsOneRecordEach() {
        String company = company("assert");
        String again = gateway.assertRecord("companies", "domains", companyValues("assert")).path("id").path("record_id").asText();
        assertThat(again).isEqualTo(company);
        String person = person(company);
        ObjectNode values = personValues(company);
        assertThat(gateway.assertRecord("people", "email_addresses", values).path("id").path("record_id").asText())
                .isEqualTo(person);
        JsonNode read = gateway.getRecord("people", person).orElseThrow();
        assertThat(read.path("values").path("email_addresses").path(0).path("email_address").asText())
                .isEqualTo(email());
    }

    @Test
    void aPersonIsEnteredInAPeopleListAndTheRecordsEntriesShowIt() {
        JsonNode list = gateway.lists().stream().filter(l -> "people".equals(l.path("parent_object").path(0).asText()))
                .findFirst().orElse(null);
        assumeTrue(list != null, "the workspace has a list of people");
        String slug = list.path("api_slug").asText();
        String person = person(null);
        JsonNode entry = gateway.assertEntry(slug, "people", person, JSON.createObjectNode());
        String entryId = entry.path("id").path("entry_id").asText();
        assertThat(gateway.recordEntries("people", person)).extracting(e -> e.path("entry_id").asText()).contains(entryId);
        assertThat(gateway.assertEntry(slug, "people", person, JSON.createObjectNode()).path("id").path("entry_id").asText())
                .isEqualTo(entryId);
    }

    @Test
    void aNoteIsAddedToAPersonAndReadBack() {
        String person = person(null);
        JsonNode note = gateway.createNote("people", person, "Contract " + run, "markdown", "Written by **the contract suite**");
        String noteId = note.path("id").path("note_id").asText();
        JsonNode read = gateway.getNote(noteId).orElseThrow();
        assertThat(read.path("parent_record_id").asText()).isEqualTo(person);
        assertThat(read.path("title").asText()).isEqualTo("Contract " + run);
    }

    @Test
    void queryPagesAreDisjointAndEndWithAShortPage() {
        List<String> made = List.of(company("page-a"), company("page-b"));
        List<String> seen = new ArrayList<>();
        for (int offset = 0; ; offset++) {
            ObjectNode query = JSON.createObjectNode();
            var or = query.putObject("filter").putArray("$or");
            or.addObject().put("domains", domain("page-a"));
            or.addObject().put("domains", domain("page-b"));
            query.putArray("sorts").addObject().put("attribute", "created_at").put("direction", "asc");
            query.put("limit", 1).put("offset", offset);
            List<JsonNode> page = gateway.queryRecords("companies", query);
            page.forEach(r -> seen.add(r.path("id").path("record_id").asText()));
            if (page.isEmpty()) {
                break; // a page shorter than the limit is the end
            }
        }
        assertThat(seen).containsExactlyElementsOf(made);
    }

    @Test
    void aWebhookIsCreatedListedAndDeleted() throws Exception {
        HttpResponse<String> created = raw("POST", "/v2/webhooks", "{\"data\":{\"target_url\":\"https://example.com/attio-contract-"
                + run + "\",\"subscriptions\":[{\"event_type\":\"list.created\",\"filter\":null}]}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        JsonNode hook = JSON.readTree(created.body()).path("data");
        String id = hook.path("id").path("webhook_id").asText();
        made.push("webhooks/" + id);
        assertThat(hook.path("secret").asText()).isNotBlank();
        HttpResponse<String> listed = raw("GET", "/v2/webhooks", null);
        assertThat(JSON.readTree(listed.body()).path("data")).anySatisfy(h -> {
            assertThat(h.path("id").path("webhook_id").asText()).isEqualTo(id);
            assertThat(h.has("secret")).isFalse();
        });
        assertThat(raw("DELETE", "/v2/webhooks/" + id, null).statusCode()).isEqualTo(200);
        made.pop();
        assertThat(raw("GET", "/v2/webhooks/" + id, null).statusCode()).isEqualTo(404);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private String domain(String tag) {
        return "contract-" + tag + "-" + run + ".example.com";
    }

    private String email() {
        return "contract-" + run + "@" + domain("people");
    }

    private ObjectNode companyValues(String tag) {
        ObjectNode values = JSON.createObjectNode();
        values.putArray("domains").add(domain(tag));
        values.putArray("name").add("Contract suite " + tag + " " + run);
        return values;
    }

    private ObjectNode personValues(String companyId) {
        ObjectNode values = JSON.createObjectNode();
        values.putArray("email_addresses").add(email());
        values.putArray("name").addObject().put("first_name", "Contract").put("last_name", run)
                .put("full_name", "Contract " + run);
        if (companyId != null) {
            values.putArray("company").addObject().put("target_object", "companies").put("target_record_id", companyId);
        }
        return values;
    }

    private String company(String tag) {
        String id = gateway.assertRecord("companies", "domains", companyValues(tag)).path("id").path("record_id").asText();
        made.push("objects/companies/records/" + id);
        return id;
    }

    private String person(String companyId) {
        String id = gateway.assertRecord("people", "email_addresses", personValues(companyId)).path("id").path("record_id").asText();
        made.push("objects/people/records/" + id);
        return id;
    }

    private static String env(String name) {
        String value = System.getenv(name);
        return value == null ? "" : value.trim();
    }

    private static HttpResponse<String> raw(String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
