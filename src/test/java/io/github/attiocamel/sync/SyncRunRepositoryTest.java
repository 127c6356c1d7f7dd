package io.github.attiocamel.sync;

import io.github.attiocamel.mirror.MirrorKind;
import io.github.attiocamel.store.AttioStore;
import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

@BothStores
class SyncRunRepositoryTest {

    private TestStores.Store db;
    private AttioStore store;
    private SyncRunRepository runs;

    @BeforeEach
    void openStore() throws SQLException {
        db = TestStores.open("sync_runs", 4);
        store = db.store();
        runs = new SyncRunRepository(store.dataSource());
    }

    @AfterEach
    void closeStore() throws SQLException {
        db.close();
    }

    @Test
    void aSecondClaimOfABusyTargetJoinsTheActiveRunAndAFinishedTargetCanRunAgain() {
        Instant now = Instant.now();
        SyncRunRepository.Claim first = runs.claim(MirrorKind.RECORDS, "people", 500, 0, "api", now);
        SyncRunRepository.Claim second = runs.claim(MirrorKind.RECORDS, "people", 500, 0, "schedule", now);
        SyncRunRepository.Claim otherTarget = runs.claim(MirrorKind.ENTRIES, "people", 500, 0, "api", now);

        assertThat(first.started()).isTrue();
        assertThat(second).isEqualTo(new SyncRunRepository.Claim(first.runId(), false));
        assertThat(otherTarget.started()).isTrue();

        runs.fail(first.runId(), "boom", now);
        SyncRunRepository.Claim third = runs.claim(MirrorKind.RECORDS, "people", 500, 0, "api", now);
        assertThat(third.started()).isTrue();
        assertThat(third.runId()).isNotEqualTo(first.runId());
        assertThat(runs.find(first.runId())).get().extracting(SyncRun::state).isEqualTo(SyncRun.FAILED);
    }

    @Test
    void pagesAreCountedOnceAndInOrder() {
        String runId = runs.claim(MirrorKind.RECORDS, "people", 500, 0, "api", Instant.now()).runId();

        assertThat(runs.pageDone(runId, 0, 500, 500, 0, 0, Instant.now())).isTrue();
        assertThat(runs.pageDone(runId, 0, 500, 0, 0, 500, Instant.now())).as("page 0 redone after a crash").isFalse();
        assertThat(runs.pageDone(runId, 2, 500, 500, 0, 0, Instant.now())).as("a gap").isFalse();
        assertThat(runs.pageDone(runId, 1, 45, 40, 5, 0, Instant.now())).isTrue();

        SyncRun run = runs.find(runId).orElseThrow();
        assertThat(run.pages()).isEqualTo(2);
        assertThat(run.records()).isEqualTo(545);
        assertThat(run.created()).isEqualTo(540);
        assertThat(run.updated()).isEqualTo(5);
    }

    @Test
    void onlyStaleRunsAreOrphansAndExactlyOneProcessAdoptsEach() {
        Instant longAgo = Instant.now().minus(Duration.ofMinutes(5));
        String stale = runs.claim(MirrorKind.RECORDS, "people", 500, 0, "api", longAgo).runId();
        runs.claim(MirrorKind.RECORDS, "companies", 500, 0, "api", Instant.now());

        var orphans = runs.orphans(Instant.now().minus(Duration.ofMinutes(1)));

        assertThat(orphans).extracting(SyncRun::runId).containsExactly(stale);
        assertThat(runs.adopt(orphans.get(0), Instant.now())).isTrue();
        assertThat(runs.adopt(orphans.get(0), Instant.now())).as("a second process with the same view").isFalse();
        assertThat(runs.orphans(Instant.now().minus(Duration.ofMinutes(1)))).isEmpty();
    }
}
