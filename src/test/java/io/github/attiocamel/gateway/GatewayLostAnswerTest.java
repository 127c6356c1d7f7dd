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

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Acceptance: Attio did the write, then the connection dropped before its answer. A create (a note) is sent again
 * only after the gateway looked for it and did not find it; an assert is simply sent again.
 */
class GatewayLostAnswerTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static GatewayContext context;

    @BeforeAll
    static void startGateway() throws Exception {
        var props = GatewayContext.properties(ATTIO.baseUrl(), ATTIO.apiKey());
        props.setProperty("attio.retry.initial-delay-millis", "20");
        context = new GatewayContext(props);
    }

    @AfterAll
    static void stopGateway() {
        context.close();
    }

    private static AttioSimulator sim() {
        return ATTIO.simulator();
    }

    @Test
    void aNoteWhoseAnswerWasLostExistsOnce() throws Exception {
        String person = sim().data().createRecord("people", JSON.readTree("{\"email_addresses\":[\"lost@example.com\"]}"))
                .path("id").path("record_id").asText();
        // notes of the same person that do not match, on more than one page of the notes list
        for (int i = 0; i < 55; i++) {
            context.gateway.createNote("people", person, "Call " + i, "markdown", "Signed up **today**");
        }
        int before = sim().data().noteCount();
        sim().clearRequests();
        FaultRule lost = sim().faults().add(FaultRule.on("POST", "/v2/notes").loseAnswer().times(1));

        JsonNode note = context.gateway.createNote("people", person, "Imported", "markdown", "Signed up **today**");

        assertThat(lost.fired()).isEqualTo(1);
        assertThat(sim().data().noteCount()).isEqualTo(before + 1);
        assertThat(note.path("title").asText()).isEqualTo("Imported");
        assertThat(note.path("id").path("note_id").asText()).isNotBlank();
        assertThat(posts("/v2/notes")).hasSize(1);
    }

    @Test
    void aNoteThatNeverLandedIsSentAgainAfterTheLookFindsNothing() throws Exception {
        String person = sim().data().createRecord("people", JSON.readTree("{\"email_addresses\":[\"never@example.com\"]}"))
                .path("id").path("record_id").asText();
        int before = sim().data().noteCount();
        sim().clearRequests();
        sim().faults().add(FaultRule.on("POST", "/v2/notes").respond(502).times(1));

        JsonNode note = context.gateway.createNote("people", person, "Imported", "plaintext", "Signed up");

        assertThat(sim().data().noteCount()).isEqualTo(before + 1);
        assertThat(note.path("title").asText()).isEqualTo("Imported");
        assertThat(posts("/v2/notes")).hasSize(2);
        assertThat(sim().requests()).filteredOn(r -> "GET".equals(r.method())).extracting(RecordedRequest::path)
                .as("looked for the note before sending it again").contains("/v2/notes");
    }

    @Test
    void anAssertWhoseAnswerWasLostIsSentAgainAndStaysSingle() {
        sim().clearRequests();
        FaultRule lost = sim().faults().add(FaultRule.on("PUT", "/v2/objects/people/records").loseAnswer().times(1));
        ObjectNode values = JSON.createObjectNode();
        values.putArray("email_addresses").add("assert-lost@example.com");

        JsonNode person = context.gateway.assertRecord("people", "email_addresses", values);

        assertThat(lost.fired()).isEqualTo(1);
        assertThat(puts("/v2/objects/people/records")).hasSize(2);
        assertThat(sim().data().findRecord("people", "email_addresses", "assert-lost@example.com").path("id")
                .path("record_id").asText()).isEqualTo(person.path("id").path("record_id").asText());
        assertThat(sim().data().recordIds("people").stream()
                .filter(id -> sim().data().getRecord("people", id).toString().contains("assert-lost@example.com")))
                .hasSize(1);
    }

    @Test
    void aNoteAnotherProcessMayHaveMadeIsLookedForFirstAndMadeOnlyWhenAbsent() throws Exception {
        String person = sim().data().createRecord("people", JSON.readTree("{\"email_addresses\":[\"taken@example.com\"]}"))
                .path("id").path("record_id").asText();
        JsonNode landed = context.gateway.createNote("people", person, "Imported", "markdown", "Before the crash");
        int before = sim().data().noteCount();
        sim().clearRequests();

        JsonNode found = context.gateway.createNoteIfAbsent("people", person, "Imported", "markdown", "Before the crash");
        JsonNode made = context.gateway.createNoteIfAbsent("people", person, "Imported", "markdown", "Never sent");

        assertThat(found.path("id").path("note_id").asText()).isEqualTo(landed.path("id").path("note_id").asText());
        assertThat(made.path("id").path("note_id").asText()).isNotBlank().isNotEqualTo(found.path("id").path("note_id").asText());
        assertThat(sim().data().noteCount()).as("only the absent one made").isEqualTo(before + 1);
        assertThat(posts("/v2/notes")).hasSize(1);
    }

    private static List<RecordedRequest> posts(String path) {
        return sim().requests().stream().filter(r -> "POST".equals(r.method()) && path.equals(r.path())).toList();
    }

    private static List<RecordedRequest> puts(String path) {
        return sim().requests().stream().filter(r -> "PUT".equals(r.method()) && path.equals(r.path())).toList();
    }
}
