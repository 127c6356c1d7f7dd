package io.github.attiocamel.mirror;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.store.AttioStore;
import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@BothStores
class MirrorRepositoryTest {

    private TestStores.Store db;
    private AttioStore store;
    private MirrorRepository mirror;

    @BeforeEach
    void openStore() throws SQLException {
        db = TestStores.open("mirror", 4);
        store = db.store();
        mirror = new MirrorRepository(store.dataSource());
    }

    @AfterEach
    void closeStore() throws SQLException {
        db.close();
    }

    private static JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static MirrorRow person(String id, String valuesJson) {
        return new MirrorRow(MirrorKind.RECORDS, "people", id, "ws", "obj", null, null, valuesJson,
                ValuesHash.of(valuesJson), "https://app.attio.com/x/" + id, "2026-01-01T00:00:00.000000000Z",
                Instant.now(), "webhook", false, null);
    }

    @Test
    void upsertReportsCreatedThenUnchangedThenUpdated() {
        assertThat(mirror.upsert(person("r1", "{\"name\":[\"Ada\"]}"))).isEqualTo(MirrorRepository.Outcome.CREATED);
        assertThat(mirror.upsert(person("r1", "{ \"name\" : [\"Ada\"] }"))).isEqualTo(MirrorRepository.Outcome.UNCHANGED);
        assertThat(mirror.upsert(person("r1", "{\"name\":[\"Grace\"]}"))).isEqualTo(MirrorRepository.Outcome.UPDATED);
        // the same JSON document: PostgreSQL's jsonb gives it back in its own layout
        assertThat(mirror.find(MirrorKind.RECORDS, "people", "r1")).get()
                .extracting(row -> json(row.valuesJson())).isEqualTo(json("{\"name\":[\"Grace\"]}"));
    }

    @Test
    void liveRowsAreCountedFromTheNarrowIndexNotFromTheRows() throws SQLException {
        mirror.upsert(person("p1", "{\"name\":\"a\"}"));
        mirror.upsert(person("p2", "{\"name\":\"b\"}"));
        mirror.tombstoneLive(MirrorKind.RECORDS, "people", List.of("p2"), Instant.now(), "webhook");
        assertThat(mirror.count(MirrorKind.RECORDS, "people", false)).isEqualTo(1);
        assertThat(mirror.count(MirrorKind.RECORDS, "people", true)).isEqualTo(2);
        if (!TestStores.postgresql()) {
            // reading the rows (values and all) took longer than the query timeout at 100,000 people (V87)
            try (Connection c = store.dataSource().getConnection(); Statement s = c.createStatement();
                 ResultSet plan = s.executeQuery("EXPLAIN SELECT COUNT(*) FROM mirror_record WHERE object_slug = "
                         + "'people' AND deleted = FALSE")) {
                plan.next();
                assertThat(plan.getString(1)).containsIgnoringCase("MIRROR_RECORD_LIVE");
            }
        }
    }

    @Test
    void aPagesHashesAreReadByKeyWhateverTheStatisticsSay() throws SQLException {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            ids.add("r" + i);
        }
        mirror.writeSyncPage(MirrorKind.RECORDS, "people", "run-1", ids.stream().map(id -> person(id, "{}")).toList(),
                List.of(), List.of());
        List<String> page = ids.subList(0, 500);
        assertThat(mirror.hashes(MirrorKind.RECORDS, "people", page)).containsOnlyKeys(page);
        assertThat(mirror.hashes(MirrorKind.RECORDS, "companies", page)).as("another object's rows").isEmpty();
        if (TestStores.postgresql()) {
            // a table no ANALYZE has seen yet, as a first sync's mirror: an IN list of 500 was planned as a scan
            // of the whole table per page; the probes stay look-ups of the id index
            try (Connection c = store.dataSource().getConnection();
                 PreparedStatement ps = c.prepareStatement("EXPLAIN " + MirrorRepository.byIdsSql(MirrorKind.RECORDS,
                         "values_hash, deleted", page.size(), true))) {
                ps.setArray(1, c.createArrayOf("varchar", page.toArray()));
                StringBuilder plan = new StringBuilder();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        plan.append(rs.getString(1)).append('\n');
                    }
                }
                assertThat(plan.toString()).contains("Index Scan using mirror_record_id")
                        .doesNotContain("Seq Scan on mirror_record");
            }
        }
    }

    @Test
    void hashIgnoresKeyOrder() {
        assertThat(ValuesHash.of("{\"a\":[1],\"b\":[{\"y\":1,\"x\":2}]}"))
                .isEqualTo(ValuesHash.of("{\"b\":[{\"x\":2,\"y\":1}],\"a\":[1]}"));
    }

    @Test
    void deletionAndMergeAreChangesOnlyOnce() {
        mirror.upsert(person("r1", "{}"));
        mirror.upsert(person("r2", "{}"));
        assertThat(mirror.markDeleted(MirrorKind.RECORDS, "people", "r1", Instant.now(), "webhook")).isTrue();
        assertThat(mirror.markDeleted(MirrorKind.RECORDS, "people", "r1", Instant.now(), "webhook")).isFalse();
        assertThat(mirror.markMerged("people", "r2", "r9", Instant.now(), "webhook")).isTrue();
        assertThat(mirror.markMerged("people", "r2", "r9", Instant.now(), "webhook")).isFalse();
        assertThat(mirror.find(MirrorKind.RECORDS, "people", "r2")).get().extracting(MirrorRow::mergedInto).isEqualTo("r9");
        assertThat(mirror.count(MirrorKind.RECORDS, "people", false)).isZero();
        // a deleted record that reappears is an update
        assertThat(mirror.upsert(person("r1", "{}"))).isEqualTo(MirrorRepository.Outcome.UPDATED);
    }

    @Test
    void syncPagesThenDeletionPassTombstonesOnlyUnseenRows() {
        mirror.upsert(person("keep", "{}"));
        mirror.upsert(person("change", "{}"));
        mirror.upsert(person("gone", "{}"));
        Map<String, String> hashes = mirror.hashes(MirrorKind.RECORDS, "people", List.of("keep", "change", "new"));
        assertThat(hashes).containsOnlyKeys("keep", "change");

        mirror.writeSyncPage(MirrorKind.RECORDS, "people", "run-1", List.of(person("new", "{}")),
                List.of(person("change", "{\"x\":[1]}")), Set.of("keep"));
        List<String> deleted = deleteUnseen("run-1");

        assertThat(deleted).containsExactly("gone");
        assertThat(mirror.count(MirrorKind.RECORDS, "people", false)).isEqualTo(3);
        assertThat(mirror.page(MirrorKind.RECORDS, "people", 10, 0)).extracting(MirrorRow::id)
                .containsExactly("change", "gone", "keep", "new");
    }

    @Test
    void theDeletionPassSparesExactlyTheRowsTheRunSaw() throws Exception {
        String run = UUID.randomUUID().toString();
        long key = MirrorRepository.seenKey(run);
        String below = runWhoseKey(k -> k < key);
        String above = runWhoseKey(k -> k > key);
        for (String id : List.of("unchanged", "changed", "legacy-seen", "below", "above", "never")) {
            mirror.upsert(person(id, "{}"));
        }
        // other runs stamped these when they wrote them: keys on either side of this run's
        mirror.writeSyncPage(MirrorKind.RECORDS, "people", below, List.of(), List.of(person("below", "{\"v\":[1]}")),
                List.of());
        mirror.writeSyncPage(MirrorKind.RECORDS, "people", above, List.of(), List.of(person("above", "{\"v\":[1]}")),
                List.of("unchanged"));
        // this run: one row written (stamped), one found unchanged (marked, old stamp kept), twice on shifting pages
        mirror.writeSyncPage(MirrorKind.RECORDS, "people", run, List.of(person("new", "{}")),
                List.of(person("changed", "{\"v\":[2]}")), List.of("unchanged"));
        mirror.writeSyncPage(MirrorKind.RECORDS, "people", run, List.of(), List.of(), List.of("unchanged"));
        try (var c = store.dataSource().getConnection(); var s = c.createStatement()) {
            // stamped by this run before V32 added last_seen_key (a run resumed across the upgrade)
            s.executeUpdate("UPDATE mirror_record SET last_seen_key = NULL, last_seen_run = '" + run
                    + "' WHERE record_id = 'legacy-seen'");
        }

        List<String> deleted = deleteUnseen(run);

        assertThat(deleted).containsExactlyInAnyOrder("below", "above", "never");
        assertThat(mirror.page(MirrorKind.RECORDS, "people", 10, 0)).filteredOn(r -> !r.deleted())
                .extracting(MirrorRow::id).containsExactlyInAnyOrder("unchanged", "changed", "legacy-seen", "new");
    }

    @Test
    void aRunsMarksAreWhatSparesItsUnchangedRowsUntilTheyAreDropped() {
        String run = UUID.randomUUID().toString();
        mirror.upsert(person("unchanged", "{}"));
        mirror.writeSyncPage(MirrorKind.RECORDS, "people", run, List.of(), List.of(), List.of("unchanged"));

        assertThat(deleteUnseen(run))
                .as("a pass run again (resumed) with the marks in place").isEmpty();
        mirror.forgetSeen(run);
        assertThat(deleteUnseen(run))
                .as("without them the row counts as unseen").containsExactly("unchanged");
    }

    /** A deletion pass without confirmation: every unseen row tombstoned. */
    private List<String> deleteUnseen(String run) {
        return mirror.tombstoneLive(MirrorKind.RECORDS, "people", mirror.unseen(MirrorKind.RECORDS, "people", run),
                Instant.now(), "full-sync");
    }

    private static String runWhoseKey(java.util.function.LongPredicate wanted) {
        while (true) {
            String run = UUID.randomUUID().toString();
            if (wanted.test(MirrorRepository.seenKey(run))) {
                return run;
            }
        }
    }
}
