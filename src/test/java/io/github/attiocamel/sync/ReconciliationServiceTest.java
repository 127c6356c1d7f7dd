package io.github.attiocamel.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.gateway.AttioGateway;
import io.github.attiocamel.mirror.ChangeFilter;
import io.github.attiocamel.mirror.MirrorKind;
import io.github.attiocamel.mirror.MirrorRepository;
import io.github.attiocamel.mirror.MirrorRow;
import io.github.attiocamel.mirror.MirrorRows;
import io.github.attiocamel.store.AttioStore;
import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.TestStores;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

@BothStores
class ReconciliationServiceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** An Attio in which every record asked for is gone (404). */
    private static final AttioGateway GONE = (AttioGateway) Proxy.newProxyInstance(AttioGateway.class.getClassLoader(),
            new Class<?>[]{AttioGateway.class}, (proxy, method, args) -> switch (method.getName()) {
                case "getRecord" -> Optional.empty();
                case "invalidateRecord" -> null;
                default -> throw new UnsupportedOperationException(method.getName());
            });
    private TestStores.Store db;
    private AttioStore store;
    private MirrorRepository mirror;
    private SyncRunRepository runs;
    private ReconciliationService reconciliation;

    @BeforeEach
    void openStore() throws SQLException {
        db = TestStores.open("reconciliation", 4);
        store = db.store();
        mirror = new MirrorRepository(store.dataSource());
        runs = new SyncRunRepository(store.dataSource());
        reconciliation = reconciliation(new Properties());
    }

    private ReconciliationService reconciliation(Properties settings) {
        return reconciliation(settings, GONE);
    }

    private ReconciliationService reconciliation(Properties settings, AttioGateway attio) {
        return new ReconciliationService(mirror, runs, () -> attio, new SyncMetrics(SimpleMeterRegistry::new),
                ChangeFilter.fromProperties(settings), 0.9, Clock.systemUTC());
    }

    /** An Attio holding these people records (by id), every other one gone. */
    private static AttioGateway holding(Map<String, JsonNode> records) {
        return (AttioGateway) Proxy.newProxyInstance(AttioGateway.class.getClassLoader(),
                new Class<?>[]{AttioGateway.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getRecord" -> Optional.ofNullable(records.get((String) args[1]));
                    case "invalidateRecord" -> null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @AfterEach
    void closeStore() throws SQLException {
        db.close();
    }

    private static JsonNode person(String id, String jobTitle) throws Exception {
        return JSON.readTree("{\"id\":{\"workspace_id\":\"ws\",\"object_id\":\"obj\",\"record_id\":\"" + id + "\"},"
                + "\"created_at\":\"2026-01-01T00:00:00.000000000Z\",\"web_url\":\"https://app.attio.com/p/" + id + "\","
                + "\"values\":{\"job_title\":[{\"value\":\"" + jobTitle + "\"}]}}");
    }

    private static ParallelPager.Page<MirrorRow> page(List<JsonNode> records) {
        return new ParallelPager.Page<>(0, records.stream()
                .map(r -> MirrorRows.of(MirrorKind.RECORDS, "people", r, Instant.now(), ReconciliationService.SOURCE))
                .toList());
    }

    private SyncRun run() {
        String id = runs.claim(MirrorKind.RECORDS, "people", 500, 0, "api", Instant.now()).runId();
        return runs.find(id).orElseThrow();
    }

    private List<Map<String, Object>> sync(List<JsonNode> records) {
        SyncRun run = run();
        List<Map<String, Object>> changes = new ArrayList<>();
        ReconciliationService.PageResult page = reconciliation.classify(run, page(records));
        changes.addAll(page.changes());
        reconciliation.commit(page);
        changes.addAll(deletionPass(run));
        runs.complete(run.runId(), 0, 0, Instant.now());
        return changes;
    }

    private List<Map<String, Object>> deletionPass(SyncRun run) {
        return reconciliation.confirm(reconciliation.candidates(runs.find(run.runId()).orElseThrow())).changes();
    }

    @Test
    void classifiesByHashAndPublishesOnlyRealChanges() throws Exception {
        assertThat(sync(List.of(person("a", "x"), person("b", "x"), person("c", "x"))))
                .extracting(m -> m.get("event_type")).containsOnly("record.created").hasSize(3);

        List<Map<String, Object>> second = sync(List.of(person("a", "x"), person("b", "changed")));

        assertThat(second).extracting(m -> m.get("event_type") + ":" + m.get("record_id"))
                .containsExactlyInAnyOrder("record.updated:b", "record.deleted:c");
        assertThat(second).allSatisfy(m -> assertThat(m.get("source")).isEqualTo("full-sync"));
        // the values travel as the stored canonical text: what the change feed marshals is the record's values
        JsonNode updated = JSON.readTree(JSON.writeValueAsString(second.stream()
                .filter(m -> "b".equals(m.get("record_id"))).findFirst().orElseThrow()));
        assertThat(updated.path("values").path("job_title").path(0).path("value").asText()).isEqualTo("changed");
        assertThat(mirror.count(MirrorKind.RECORDS, "people", false)).isEqualTo(2);
    }

    private static JsonNode person(String id, String jobTitle, String email) throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode record = (com.fasterxml.jackson.databind.node.ObjectNode)
                person(id, jobTitle);
        ((com.fasterxml.jackson.databind.node.ObjectNode) record.path("values")).putArray("email_addresses")
                .addObject().put("email_address", email);
        return record;
    }

    @Test
    void anAttributeFilterPublishesOnlyUpdatesOfItsAttributesAndEveryCreationAndDeletion() throws Exception {
        Properties settings = new Properties();
        settings.setProperty(ChangeFilter.PREFIX + "people", "email_addresses, phone_numbers");
        reconciliation = reconciliation(settings);
        sync(List.of(person("a", "x", "a@x.com"), person("b", "x", "b@x.com"), person("c", "x", "c@x.com")));

        List<Map<String, Object>> second = sync(List.of(person("a", "job title not asked for", "a@x.com"),
                person("b", "x", "b@new.com"), person("d", "x", "d@x.com")));

        assertThat(second).extracting(m -> m.get("event_type") + ":" + m.get("record_id"))
                .containsExactlyInAnyOrder("record.updated:b", "record.created:d", "record.deleted:c");
        assertThat(outboxed("record.updated")).containsExactly("b");
        // the unpublished update is still written: the mirror holds Attio's values
        assertThat(mirror.find(MirrorKind.RECORDS, "people", "a").orElseThrow().valuesJson())
                .contains("job title not asked for");
    }

    @Test
    void aCandidateStillInAttioIsPublishedOnlyWhenWhatChangedIsWhatTheFilterAsksFor() throws Exception {
        Properties settings = new Properties();
        settings.setProperty(ChangeFilter.PREFIX + "people", "email_addresses");
        Map<String, JsonNode> attio = new java.util.HashMap<>();
        reconciliation = reconciliation(settings, holding(attio));
        sync(List.of(person("a", "x", "a@x.com"), person("b", "x", "b@x.com")));
        attio.put("a", person("a", "job title not asked for", "a@x.com"));
        attio.put("b", person("b", "x", "b@new.com"));

        // a run that pages neither (rows shifted past its pages): both are candidates, both still in Attio
        List<Map<String, Object>> second = sync(List.of());

        assertThat(second).extracting(m -> m.get("event_type") + ":" + m.get("record_id"))
                .containsExactly("record.updated:b");
        assertThat(outboxed("record.updated")).containsExactly("b");
        assertThat(mirror.find(MirrorKind.RECORDS, "people", "a").orElseThrow().valuesJson())
                .as("refreshed all the same").contains("job title not asked for");
    }

    @Test
    void aDeletionPassResumedAfterItCommittedCountsTheSameDeletionsAndWritesNoMessageTwice() throws Exception {
        sync(List.of(person("a", "x"), person("b", "x"), person("c", "x")));
        SyncRun run = run();
        ReconciliationService.PageResult page = reconciliation.classify(run, page(List.of(person("a", "x"))));
        reconciliation.commit(page);

        ReconciliationService.Confirmation beforeCrash = confirm(run);
        // the process dies here: deletions and their messages committed together, run not completed
        ReconciliationService.Confirmation afterResume = confirm(run);

        assertThat(beforeCrash.changes()).extracting(m -> m.get("record_id")).containsExactlyInAnyOrder("b", "c");
        assertThat(afterResume.changes()).as("already in the outbox").isEmpty();
        assertThat(afterResume.confirmed()).as("the run's summary still counts them").isEqualTo(2);
        assertThat(outboxed("record.deleted")).containsExactlyInAnyOrder("b", "c");
        assertThat(outboxed("record.created")).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(mirror.count(MirrorKind.RECORDS, "people", false)).isEqualTo(1);
    }

    private ReconciliationService.Confirmation confirm(SyncRun run) {
        return reconciliation.confirm(reconciliation.candidates(runs.find(run.runId()).orElseThrow()));
    }

    /** The record ids of the change messages of one type the outbox holds (each message once). */
    private List<String> outboxed(String eventType) throws SQLException {
        try (Connection c = store.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT change_key FROM change_outbox WHERE event_type = ?")) {
            ps.setString(1, eventType);
            List<String> keys = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.add(rs.getString(1));
                }
            }
            return keys;
        }
    }
}
