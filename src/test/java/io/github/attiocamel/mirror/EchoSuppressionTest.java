package io.github.attiocamel.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.support.MessageHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 15, echo suppression, end to end: the real bundle on real HTTP, the simulator as Attio sending its webhooks
 * for every write (the bundle's own, through the API token, included) to the bundle's intake, change messages at
 * {@code mock:attio-changes}. No {@code attio.actor-id} is configured: the bundle learns its token's actor id from
 * the values it wrote.
 */
@BothStores
class EchoSuppressionTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final String ECHOES = "attio_changes_echoes_suppressed_total";

    static RunningBundle bundle;
    static String webhookId;

    @BeforeAll
    static void startBundle() throws Exception {
        bundle = RunningBundle.against(ATTIO.baseUrl(), ATTIO.apiKey())
                .property("attio.changes.uri", "mock:attio-changes")
                .start();
        subscribe();
        // the bundle's very first write teaches it its token's actor id; its echoes are the tests' business
        upsertContact("warm-up@echo-warmup.com");
        bundle.awaitInboxDrained();
    }

    @AfterAll
    static void stopBundle() {
        bundle.close();
    }

    @BeforeEach
    void resetChanges() {
        changes().reset();
    }

    @Test
    void aContactsOwnWebhooksPublishNothingAndAPersonsEditOfItPublishesExactlyOne() throws Exception {
        double echoesBefore = bundle.metric(ECHOES);
        long deliveriesBefore = inboxRows();

        String personId = upsertContact("ada-" + UUID.randomUUID() + "@lovelace-engines.com");

        // company and person created, pipeline entry and note added: four writes, each with its webhook
        await().atMost(Duration.ofSeconds(20)).until(() -> inboxRows() >= deliveriesBefore + 4);
        bundle.awaitInboxDrained();
        assertThat(changeMessages()).as("change messages for the bundle's own write").isEmpty();
        assertThat(bundle.metric(ECHOES)).isGreaterThanOrEqualTo(echoesBefore + 4);

        sim().data().updateRecordInUi("people", personId, JSON.readTree("{\"job_title\":[\"Edited in Attio\"]}"));

        await().atMost(Duration.ofSeconds(20)).until(() -> changes().getReceivedCounter() >= 1);
        bundle.awaitInboxDrained();
        List<JsonNode> messages = changeMessages();
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).path("event_type").asText()).isEqualTo("record.updated");
        assertThat(messages.get(0).path("record_id").asText()).isEqualTo(personId);
        assertThat(messages.get(0).path("values").path("job_title").path(0).path("value").asText())
                .isEqualTo("Edited in Attio");
    }

    /**
     * The mirror path alone: Attio's webhooks are held back until the write's answer is in the mirror, then arrive
     * with actors that are not the bundle's token; each fetch finds what the mirror holds.
     */
    @Test
    void aWebhookThatFindsWhatTheBundleWroteInTheMirrorPublishesNothing() throws Exception {
        sim().unsubscribe(webhookId);
        long deliveriesBefore = inboxRows();
        String personId;
        try {
            personId = upsertContact("grace-" + UUID.randomUUID() + "@hopper-systems.com");
        } finally {
            subscribe();
        }
        assertThat(inboxRows()).as("no webhook of the write reached the bundle").isEqualTo(deliveriesBefore);
        assertThat(bundle.queryLong("SELECT COUNT(*) FROM mirror_record WHERE record_id = ? AND source = 'bundle'", personId))
                .as("Attio's answer written to the mirror as the bundle's").isEqualTo(1);
        assertThat(mirroredJobTitle(personId)).isEqualTo("CTO");
        double echoesBefore = bundle.metric(ECHOES);

        JsonNode created = JSON.readTree(sim().recordEvent("record.created", "people", personId));
        JsonNode updated = JSON.readTree(sim().recordUpdatedEvent("people", personId, "job_title"));
        // another integration's token: not the bundle's own
        ((ObjectNode) updated.path("events").get(0)).putObject("actor").put("type", "api-token")
                .put("id", UUID.randomUUID().toString());
        assertThat(deliver(JSON.writeValueAsString(created))).isEqualTo(200);
        assertThat(deliver(JSON.writeValueAsString(updated))).isEqualTo(200);

        bundle.awaitInboxDrained();
        assertThat(changeMessages()).isEmpty();
        // the second event may be coalesced into the first one's fetch (attio.webhook.fetches.saved)
        assertThat(bundle.metric(ECHOES)).isGreaterThanOrEqualTo(echoesBefore + 1);
    }

    /** The actor path alone: a change by the bundle's own token the mirror has not seen refreshes it, unpublished. */
    @Test
    void anEventByTheBundlesOwnTokenRefreshesTheMirrorButPublishesNothing() throws Exception {
        String personId = upsertContact("alan-" + UUID.randomUUID() + "@turing-machines.com");
        bundle.awaitInboxDrained();
        changes().reset();
        double echoesBefore = bundle.metric(ECHOES);

        // the same token, but not through the contact flow: the mirror does not hold this value
        patchAsTheBundlesToken(personId, "Written by our token");

        await().atMost(Duration.ofSeconds(20)).until(() -> mirroredJobTitle(personId).equals("Written by our token"));
        bundle.awaitInboxDrained();
        assertThat(changeMessages()).isEmpty();
        assertThat(bundle.metric(ECHOES)).isGreaterThanOrEqualTo(echoesBefore + 1);
    }

    /**
     * The bundle's own event is no cover for a person's edit its fetch brings along: a member changed linkedin and the
     * token job_title while webhooks were held back; the token's event comes first and publishes the edit, the
     * member's event then finds nothing new. One message, not none.
     */
    @Test
    void aPersonsEditFetchedWithTheBundlesOwnEventIsPublishedOnce() throws Exception {
        String personId = upsertContact("edsger-" + UUID.randomUUID() + "@dijkstra-paths.com");
        bundle.awaitInboxDrained();
        changes().reset();
        sim().unsubscribe(webhookId);
        try {
            sim().data().updateRecordInUi("people", personId,
                    JSON.readTree("{\"linkedin\":[\"https://in.example/edsger\"]}"));
            patchAsTheBundlesToken(personId, "Patched by our token");
        } finally {
            subscribe();
        }
        JsonNode tokenActor = sim().data().getRecord("people", personId).path("values").path("job_title").path(0)
                .path("created_by_actor");
        assertThat(tokenActor.path("type").asText()).isEqualTo("api-token");
        JsonNode ownEvent = JSON.readTree(sim().recordUpdatedEvent("people", personId, "job_title"));
        ((ObjectNode) ownEvent.path("events").get(0)).set("actor", tokenActor);

        assertThat(deliver(JSON.writeValueAsString(ownEvent))).isEqualTo(200);
        bundle.awaitInboxDrained();
        assertThat(deliver(sim().recordUpdatedEvent("people", personId, "linkedin"))).isEqualTo(200);
        bundle.awaitInboxDrained();

        List<JsonNode> messages = changeMessages();
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).path("values").path("linkedin").path(0).path("value").asText())
                .isEqualTo("https://in.example/edsger");
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /** A write by the bundle's API token straight to Attio, not through the contact flow. */
    static void patchAsTheBundlesToken(String personId, String jobTitle) throws Exception {
        HttpResponse<String> patch = HTTP.send(HttpRequest.newBuilder(
                        URI.create(ATTIO.baseUrl() + "/v2/objects/people/records/" + personId))
                .header("Authorization", "Bearer " + ATTIO.apiKey()).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(
                        "{\"data\":{\"values\":{\"job_title\":[\"" + jobTitle + "\"]}}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(patch.statusCode()).as(patch.body()).isEqualTo(200);
    }

    static AttioSimulator sim() {
        return ATTIO.simulator();
    }

    static void subscribe() {
        webhookId = sim().subscribe(bundle.httpUrl() + "/webhooks/attio", RunningBundle.WEBHOOK_SECRET);
    }

    static MockEndpoint changes() {
        return bundle.camelContext().getEndpoint("mock:attio-changes", MockEndpoint.class);
    }

    /** POST /api/contacts with a person, a company (from the email's domain), a pipeline entry and a note. */
    static String upsertContact(String email) throws Exception {
        String body = "{\"email\": \"" + email + "\", \"first_name\": \"Ada\", \"last_name\": \"Lovelace\","
                + " \"job_title\": \"CTO\", \"pipeline\": {\"list\": \"sales\", \"stage\": \"Lead\", \"value\": 5000},"
                + " \"note\": {\"title\": \"Signed up\", \"content\": \"From the pricing page\"}}";
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(bundle.httpUrl() + "/api/contacts"))
                .header("Authorization", "Bearer " + RunningBundle.API_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("person_id").asText();
    }

    static int deliver(String envelope) {
        return sim().deliver(bundle.httpUrl() + "/webhooks/attio", RunningBundle.WEBHOOK_SECRET, envelope,
                UUID.randomUUID().toString());
    }

    static String mirroredJobTitle(String recordId) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                        URI.create(bundle.httpUrl() + "/api/mirror/people/" + recordId))
                .header("Authorization", "Bearer " + RunningBundle.API_TOKEN).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200
                ? JSON.readTree(r.body()).path("values").path("job_title").path(0).path("value").asText() : "";
    }

    static List<JsonNode> changeMessages() throws Exception {
        List<JsonNode> messages = new ArrayList<>();
        for (var exchange : changes().getReceivedExchanges()) {
            // the marshalled body is a stream cache: rewind it, every assertion reads it again
            MessageHelper.resetStreamCache(exchange.getMessage());
            messages.add(JSON.readTree(exchange.getMessage().getBody(String.class)));
        }
        return messages;
    }

    static long inboxRows() throws Exception {
        return bundle.queryLong("SELECT COUNT(*) FROM webhook_inbox");
    }



}
