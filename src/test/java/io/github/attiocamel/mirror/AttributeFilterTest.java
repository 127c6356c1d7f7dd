package io.github.attiocamel.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.support.MessageHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 15, attribute filters, on the webhook path: {@code attio.changes.attributes.people = email_addresses,job_title},
 * the simulator sending the webhooks Attio sends for changes in the UI and for Attio's own recomputes (actor
 * {@code system}), change messages at {@code mock:attio-changes}. Companies have no filter: every change, as before.
 */
@BothStores
class AttributeFilterTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    static final ObjectMapper JSON = new ObjectMapper();

    static RunningBundle bundle;
    static String webhookId;

    @BeforeAll
    static void startBundle() {
        bundle = RunningBundle.against(ATTIO.baseUrl(), ATTIO.apiKey())
                .property("attio.changes.uri", "mock:attio-changes")
                .property("attio.changes.attributes.people", "email_addresses, job_title")
                .start();
        sim().data().seedPeople(3);
        subscribe();
    }

    static void subscribe() {
        webhookId = sim().subscribe(bundle.httpUrl() + "/webhooks/attio", RunningBundle.WEBHOOK_SECRET);
    }

    @AfterAll
    static void stopBundle() {
        bundle.close();
    }

    @Test
    void onlyUpdatesOfTheFilteredAttributesArePublishedWhileCreationsAndDeletionsAlwaysAre() throws Exception {
        String id = sim().data().recordIds("people").get(0);
        // first sight of the record in the mirror: a creation, published whatever changed
        assertThat(step(1, () -> edit(id, "{\"linkedin\":[\"https://in.example/first\"]}")))
                .extracting(m -> m.path("event_type").asText()).containsExactly("record.created");

        assertThat(step(0, () -> edit(id, "{\"linkedin\":[\"https://in.example/second\"]}")))
                .as("an update of an attribute not in the filter").isEmpty();
        assertThat(mirrored(id)).as("still mirrored").contains("https://in.example/second");

        List<JsonNode> published = step(1, () -> edit(id, "{\"job_title\":[\"Head of Filters\"]}"));
        assertThat(published).extracting(m -> m.path("event_type").asText()).containsExactly("record.updated");
        assertThat(published.get(0).path("values").path("job_title").path(0).path("value").asText())
                .isEqualTo("Head of Filters");

        assertThat(step(1, () -> sim().data().deleteRecord("people", id)))
                .extracting(m -> m.path("event_type").asText()).containsExactly("record.deleted");
    }

    /** The event names a filtered attribute, but the values decide: what Attio recomputed is not asked for. */
    @Test
    void aRecomputeBySystemThatChangesNothingAskedForPublishesNothingWhateverTheEventNames() throws Exception {
        String id = sim().data().recordIds("people").get(1);
        step(1, () -> edit(id, "{\"job_title\":[\"Before the recompute\"]}"));

        assertThat(step(0, () -> sim().data().updateRecordAsSystem("people", id,
                JSON.readTree("{\"linkedin\":[\"https://in.example/auto\"]}")))).isEmpty();

        // a recompute whose own webhook is lost, then an event that names job_title: the fetch finds linkedin changed
        sim().unsubscribe(webhookId);
        try {
            sim().data().updateRecordAsSystem("people", id, JSON.readTree("{\"linkedin\":[\"https://in.example/re\"]}"));
        } finally {
            subscribe();
        }
        assertThat(step(0, () -> sim().deliver(bundle.httpUrl() + "/webhooks/attio", RunningBundle.WEBHOOK_SECRET,
                sim().recordUpdatedEvent("people", id, "job_title"), UUID.randomUUID().toString()))).isEmpty();
        assertThat(mirrored(id)).contains("https://in.example/re");
    }

    @Test
    void anObjectWithoutAFilterPublishesEveryChange() throws Exception {
        String[] id = new String[1];
        step(1, () -> id[0] = sim().data().createRecord("companies",
                JSON.readTree("{\"domains\":[\"unfiltered.example\"]}")).path("id").path("record_id").asText());

        assertThat(step(1, () -> sim().data().updateRecordInUi("companies", id[0],
                JSON.readTree("{\"description\":[\"Edited\"]}"))))
                .extracting(m -> m.path("event_type").asText()).containsExactly("record.updated");
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    interface Action {
        void run() throws Exception;
    }

    static AttioSimulator sim() {
        return ATTIO.simulator();
    }

    static void edit(String personId, String values) throws Exception {
        sim().data().updateRecordInUi("people", personId, JSON.readTree(values));
    }

    /**
     * Runs a change in Attio whose webhook is one delivery, waits until the bundle stored and processed it and
     * published {@code expected} messages, and answers (and clears) the change messages it published.
     */
    static List<JsonNode> step(int expected, Action change) throws Exception {
        MockEndpoint changes = bundle.camelContext().getEndpoint("mock:attio-changes", MockEndpoint.class);
        changes.reset();
        long deliveries = sql("SELECT COUNT(*) FROM webhook_inbox");
        change.run();
        await().atMost(Duration.ofSeconds(20)).until(() -> sql("SELECT COUNT(*) FROM webhook_inbox") > deliveries
                && sql("SELECT COUNT(*) FROM webhook_inbox WHERE state <> 'done'") == 0
                && changes.getReceivedCounter() >= expected);
        bundle.awaitChangesRelayed();
        List<JsonNode> messages = new ArrayList<>();
        for (var exchange : changes.getReceivedExchanges()) {
            // the marshalled body is a stream cache: rewind it before reading
            MessageHelper.resetStreamCache(exchange.getMessage());
            messages.add(JSON.readTree(exchange.getMessage().getBody(String.class)));
        }
        return messages;
    }

    static String mirrored(String recordId) throws Exception {
        DataSource ds = bundle.camelContext().getRegistry().lookupByNameAndType("dataSource", DataSource.class);
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT values_json FROM mirror_record WHERE record_id = ?")) {
            ps.setString(1, recordId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : "";
            }
        }
    }

    static long sql(String query) throws Exception {
        DataSource ds = bundle.camelContext().getRegistry().lookupByNameAndType("dataSource", DataSource.class);
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(query);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
