package io.github.attiocamel.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The simulator's answers must match Attio's documented responses, or code tested against it lies. */
class ResponseConformanceTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final OpenApiValidator validator = new OpenApiValidator(JSON);
    private final List<String> problems = new ArrayList<>();

    private JsonNode call(String method, String path, String body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(ATTIO.baseUrl() + path))
                .header("Authorization", "Bearer " + ATTIO.apiKey()).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(200);
        validator.validateResponse(validator.match(method, bare), 200, response.body())
                .forEach(p -> problems.add(method + " " + bare + ": " + p));
        return JSON.readTree(response.body());
    }

    @Test
    void everySimulatedOperationAnswersInTheDocumentedShape() throws Exception {
        SimulatorData data = ATTIO.simulator().data();
        String ada = data.findRecord("people", "email_addresses", "ada@acme.com").path("id").path("record_id").asText();
        call("GET", "/v2/self", null);
        call("GET", "/v2/objects", null);
        call("GET", "/v2/objects/people", null);
        for (String object : List.of("people", "companies", "deals")) {
            call("GET", "/v2/objects/" + object + "/attributes", null);
            call("POST", "/v2/objects/" + object + "/records/query", "{\"limit\":50}");
        }
        call("GET", "/v2/lists/sales/attributes", null);
        call("GET", "/v2/objects/people/attributes/email_addresses", null);
        call("GET", "/v2/objects/people/attributes/lead_source/options", null);
        call("GET", "/v2/objects/deals/attributes/stage/statuses", null);
        call("GET", "/v2/lists/sales/attributes/stage/statuses", null);
        JsonNode person = call("PUT", "/v2/objects/people/records?matching_attribute=email_addresses",
                "{\"data\":{\"values\":{\"email_addresses\":[\"shape@example.com\"],\"phone_numbers\":[\"+1 415 555 0101\"]}}}");
        String id = person.path("data").path("id").path("record_id").asText();
        call("POST", "/v2/objects/people/records", "{\"data\":{\"values\":{\"email_addresses\":[\"shape2@example.com\"]}}}");
        call("GET", "/v2/objects/people/records/" + id, null);
        call("PATCH", "/v2/objects/people/records/" + id, "{\"data\":{\"values\":{\"job_title\":[\"CFO\"]}}}");
        call("PUT", "/v2/objects/people/records/" + id, "{\"data\":{\"values\":{\"job_title\":[\"CEO\"]}}}");
        call("POST", "/v2/objects/records/search", "{\"query\":\"ada\",\"objects\":[\"people\"],\"request_as\":{\"type\":\"workspace\"}}");
        call("GET", "/v2/lists", null);
        call("GET", "/v2/lists/sales", null);
        call("POST", "/v2/lists/sales/entries/query", "{}");
        JsonNode entry = call("POST", "/v2/lists/sales/entries", "{\"data\":{\"parent_record_id\":\"" + id
                + "\",\"parent_object\":\"people\",\"entry_values\":{\"stage\":[\"Won\"]}}}");
        String entryId = entry.path("data").path("id").path("entry_id").asText();
        call("PUT", "/v2/lists/sales/entries", "{\"data\":{\"parent_record_id\":\"" + id
                + "\",\"parent_object\":\"people\",\"entry_values\":{\"value\":[{\"currency_value\":5}]}}}");
        call("GET", "/v2/lists/sales/entries/" + entryId, null);
        call("PATCH", "/v2/lists/sales/entries/" + entryId, "{\"data\":{\"entry_values\":{\"stage\":[\"Lost\"]}}}");
        call("PUT", "/v2/lists/sales/entries/" + entryId, "{\"data\":{\"entry_values\":{\"stage\":[\"Won\"]}}}");
        call("DELETE", "/v2/lists/sales/entries/" + entryId, null);
        JsonNode note = call("POST", "/v2/notes", "{\"data\":{\"parent_object\":\"people\",\"parent_record_id\":\"" + ada
                + "\",\"title\":\"Call\",\"format\":\"plaintext\",\"content\":\"Spoke to Ada\"}}");
        call("GET", "/v2/notes?parent_object=people&parent_record_id=" + ada, null);
        call("GET", "/v2/notes/" + note.path("data").path("id").path("note_id").asText(), null);
        String member = call("GET", "/v2/workspace_members", null).path("data").path(0).path("id").path("workspace_member_id").asText();
        JsonNode task = call("POST", "/v2/tasks", "{\"data\":{\"content\":\"Follow up\",\"format\":\"plaintext\",\"deadline_at\":null,"
                + "\"is_completed\":false,\"linked_records\":[{\"target_object\":\"people\",\"target_record_id\":\"" + ada + "\"}],"
                + "\"assignees\":[{\"referenced_actor_type\":\"workspace-member\",\"referenced_actor_id\":\"" + member + "\"}]}}");
        call("GET", "/v2/tasks?linked_object=people&linked_record_id=" + ada, null);
        call("GET", "/v2/tasks/" + task.path("data").path("id").path("task_id").asText(), null);
        JsonNode comment = call("POST", "/v2/comments", "{\"data\":{\"format\":\"plaintext\",\"content\":\"Nice\","
                + "\"author\":{\"type\":\"workspace-member\",\"id\":\"" + member + "\"},\"record\":{\"object\":\"people\",\"record_id\":\"" + ada + "\"}}}");
        call("GET", "/v2/comments/" + comment.path("data").path("id").path("comment_id").asText(), null);
        call("GET", "/v2/threads?object=people&record_id=" + ada, null);
        JsonNode hook = call("POST", "/v2/webhooks", "{\"data\":{\"target_url\":\"https://example.com/hook\","
                + "\"subscriptions\":[{\"event_type\":\"record.created\",\"filter\":null}]}}");
        String hookId = hook.path("data").path("id").path("webhook_id").asText();
        assertThat(hook.path("data").path("secret").asText()).isNotBlank();
        JsonNode listed = call("GET", "/v2/webhooks", null);
        assertThat(listed.path("data").path(0).has("secret")).isFalse();
        call("GET", "/v2/webhooks/" + hookId, null);
        call("DELETE", "/v2/webhooks/" + hookId, null);
        call("DELETE", "/v2/objects/people/records/" + id, null);

        assertThat(problems).isEmpty();
    }
}
