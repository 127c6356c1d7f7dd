package io.github.attiocamel.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Event shapes Attio's documents leave open: an object whose api_slug is null is still mirrored (by its id), an entry
 * whose parent_object comes as an id is mirrored with the slug; a comment
 * event without id.comment_id and an event type no handler takes are dead letters that say why, never dropped.
 */
class WebhookEventFieldsTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static RunningBundle bundle;

    @BeforeAll
    static void startBundle() {
        // before the bundle reads the schema, which it caches
        ATTIO.simulator().data().hideApiSlug("deals");
        ATTIO.simulator().data().entryParentById("sales");
        bundle = RunningBundle.against(ATTIO.baseUrl(), ATTIO.apiKey()).start();
    }

    @AfterAll
    static void stopBundle() {
        bundle.close();
    }

    static AttioSimulator sim() {
        return ATTIO.simulator();
    }

    static int deliver(String envelope) {
        return sim().deliver(bundle.httpUrl() + "/webhooks/attio", RunningBundle.WEBHOOK_SECRET, envelope,
                UUID.randomUUID().toString());
    }

    static HttpResponse<String> api(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(bundle.httpUrl() + path))
                .header("Authorization", "Bearer " + RunningBundle.API_TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRecordOfAnObjectWithoutApiSlugIsMirroredUnderTheObjectsId() throws Exception {
        String objectId = sim().data().objectId("deals");
        String dealId = sim().data().recordIds("deals").get(0);

        assertThat(deliver(sim().recordEvent("record.updated", "deals", dealId))).isEqualTo(200);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> r = api("/api/mirror/" + objectId + "/" + dealId);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        });
        assertThat(api("/api/dead-letters?limit=500").body()).doesNotContain(dealId);
    }

    @Test
    void anEntryWhoseParentObjectComesAsAnIdIsMirroredWithTheSlug() {
        String entryId = sim().data().listEntryIds("sales").get(0);
        assertThat(deliver(sim().listEntryEvent("list-entry.updated", "sales", entryId, "stage"))).isEqualTo(200);

        io.github.attiocamel.mirror.MirrorRepository mirror = bundle.camelContext().getRegistry()
                .lookupByNameAndType("mirrorRepository", io.github.attiocamel.mirror.MirrorRepository.class);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                mirror.find(io.github.attiocamel.mirror.MirrorKind.ENTRIES, "sales", entryId))
                .hasValueSatisfying(row -> assertThat(row.parentObject()).isEqualTo("people")));
    }

    @Test
    void aCommentEventWithoutCommentIdAndAnUnknownTypeAreDeadLetteredSayingWhy() throws Exception {
        String thread = UUID.randomUUID().toString();
        ObjectNode comment = sim().event("comment.created", sim().eventId().put("thread_id", thread));
        ObjectNode future = sim().event("record.teleported", sim().eventId().put("record_id", thread));

        assertThat(deliver(sim().envelope(UUID.randomUUID().toString(), comment, future))).isEqualTo(200);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode letters = JSON.readTree(api("/api/dead-letters?limit=500").body());
            assertThat(letters.toString()).contains("no id.comment_id (id has [workspace_id, thread_id])")
                    .contains("unknown event type 'record.teleported'");
        });
    }
}
