package io.github.attiocamel.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.attiocamel.api.ValidationException;
import io.github.attiocamel.gateway.AttioGateway;
import io.github.attiocamel.mirror.MirrorKind;
import io.github.attiocamel.mirror.MirrorRepository;
import io.github.attiocamel.mirror.MirrorRow;
import io.github.attiocamel.mirror.MirrorRows;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Lifecycle of full-sync runs, called by routes/attio-full-sync.camel.yaml and attio-sync-api.camel.yaml: claim a
 * target (one active run per target, a second trigger joins it), hand out its pages ({@link ParallelPager} over the
 * gateway), finish or fail it, adopt runs a dead process left behind, and log progress.
 */
public final class FullSyncService {

    private static final Logger LOG = LoggerFactory.getLogger("attio.sync");
    private static final Pattern SLUG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,127}");

    /** Settings (attio.sync.*), see config/application.properties. */
    public record Settings(int pageSize, int parallelPages, List<String> sortAttributes, Duration staleAfter) {}

    /** A run this process owns: claimed here or adopted, waiting for or being run by the run route. */
    private static final class Tracker {
        final String target;
        final long startedNanos = System.nanoTime();
        volatile long recordsAtStart = -1;
        volatile ParallelPager<MirrorRow> pager;

        Tracker(String target) {
            this.target = target;
        }
    }

    private final SyncRunRepository runs;
    private final MirrorRepository mirror;
    private final Supplier<AttioGateway> gateway;
    private final ExecutorService pagerThreads;
    private final SyncMetrics metrics;
    private final Settings settings;
    private final Clock clock;
    private final BooleanSupplier shuttingDown;
    private final Map<String, Tracker> owned = new ConcurrentHashMap<>();

    public FullSyncService(SyncRunRepository runs, MirrorRepository mirror, Supplier<AttioGateway> gateway,
                           ExecutorService pagerThreads, SyncMetrics metrics, Settings settings, Clock clock,
                           BooleanSupplier shuttingDown) {
        this.runs = runs;
        this.mirror = mirror;
        this.gateway = gateway;
        this.pagerThreads = pagerThreads;
        this.metrics = metrics;
        this.settings = settings;
        this.clock = clock;
        this.shuttingDown = shuttingDown;
    }

    /**
     * Starts a run of an object ({@code kind} "records") or list ("entries"), or joins the one already active.
     * @param trigger schedule | api
     */
    public SyncRunRepository.Claim trigger(String kind, String target, String trigger) {
        MirrorKind mirrorKind = validate(kind, target);
        long expected = mirror.count(mirrorKind, target, false);
        SyncRunRepository.Claim claim = runs.claim(mirrorKind, target, settings.pageSize(), expected, trigger,
                clock.instant());
        String key = SyncRun.activeKey(mirrorKind, target);
        if (claim.started()) {
            owned.put(claim.runId(), new Tracker(key));
            LOG.info("[attio-full-sync] {} run {} started by {} (mirror holds {})", key, claim.runId(), trigger, expected);
        } else {
            LOG.info("[attio-full-sync] {} already running as {}: {} trigger joins it", key, claim.runId(), trigger);
        }
        return claim;
    }

    /** An object or list slug (or id) as Attio accepts it in a path; anything else is refused before a run exists. */
    public MirrorKind validate(String kind, String target) {
        MirrorKind mirrorKind = "entries".equals(kind) ? MirrorKind.ENTRIES : MirrorKind.RECORDS;
        if (target == null || !SLUG.matcher(target).matches()) {
            throw new ValidationException(Map.of(mirrorKind == MirrorKind.RECORDS ? "object" : "list",
                    "must be a slug or id (letters, digits, '-', '_')"));
        }
        return mirrorKind;
    }

    /** The run route's first step: the run as persisted (a resumed run carries its pages done). */
    public SyncRun begin(SyncRunRepository.Claim claim) {
        SyncRun run = runs.find(claim.runId())
                .orElseThrow(() -> new IllegalStateException("sync run " + claim.runId() + " vanished"));
        Tracker t = owned.computeIfAbsent(run.runId(), id -> new Tracker(SyncRun.activeKey(run.kind(), run.target())));
        t.recordsAtStart = run.records();
        runs.heartbeat(run.runId(), clock.instant());
        if (run.pages() > 0 || run.deletionAt() != null) {
            LOG.info("[attio-full-sync] {} run {} resumes at page {}{}", t.target, run.runId(), run.pages(),
                    run.deletionAt() != null ? " (deletion pass)" : "");
        }
        return run;
    }

    /**
     * Pages still to do, in offset order, as mirror rows; none once the deletion pass has begun. Each page is mapped
     * (canonical values, hash) on the pager thread that fetched it, so that work runs beside the page being
     * reconciled, and a page waiting in the pager holds compact rows instead of Attio's JSON trees.
     */
    public Iterator<ParallelPager.Page<MirrorRow>> pages(SyncRun run) {
        if (run.deletionAt() != null) {
            return Collections.emptyIterator();
        }
        int pageSize = run.pageSize() > 0 ? run.pageSize() : settings.pageSize();
        int expectedPages = (int) ((run.expectedRecords() + pageSize - 1) / pageSize);
        AttioGateway g = gateway.get();
        ParallelPager<MirrorRow> pager = new ParallelPager<>(offset -> fetch(g, run, pageSize, offset), pageSize,
                settings.parallelPages(), run.pages(), expectedPages, pagerThreads);
        Tracker t = owned.get(run.runId());
        if (t != null) {
            t.pager = pager;
        }
        return pager;
    }

    private List<MirrorRow> fetch(AttioGateway g, SyncRun run, int pageSize, int offset) {
        ObjectNode query = JsonNodeFactory.instance.objectNode();
        var sorts = query.putArray("sorts");
        for (String attribute : settings.sortAttributes()) {
            sorts.addObject().put("direction", "asc").put("attribute", attribute);
        }
        query.put("limit", pageSize);
        query.put("offset", offset);
        List<JsonNode> items = run.kind() == MirrorKind.RECORDS ? g.queryRecords(run.target(), query)
                : g.queryEntries(run.target(), query);
        Instant now = clock.instant();
        List<MirrorRow> rows = new ArrayList<>(items.size());
        for (JsonNode item : items) {
            rows.add(MirrorRows.of(run.kind(), run.target(), item, now, ReconciliationService.SOURCE));
        }
        return rows;
    }

    public SyncRun complete(SyncRun run, int deleted) {
        Instant now = clock.instant();
        runs.complete(run.runId(), deleted, now);
        forgetSeen(run);
        String key = SyncRun.activeKey(run.kind(), run.target());
        metrics.deleted(key, deleted);
        metrics.runFinished(key, SyncRun.COMPLETED, Duration.between(run.startedAt(), now));
        SyncRun done = runs.find(run.runId()).orElse(run);
        LOG.info("[attio-full-sync] {} run {} completed: pages={} records={} created={} updated={} unchanged={} "
                        + "deleted={} in {} ms", key, run.runId(), done.pages(), done.records(), done.created(),
                done.updated(), done.unchanged(), done.deleted(), Duration.between(run.startedAt(), now).toMillis());
        release(run.runId());
        return done;
    }

    /**
     * A failed run deletes nothing (the deletion pass only follows the last page). On shutdown the run stays
     * "running" instead, so the next start resumes it where it stopped.
     */
    public void fail(SyncRun run, Exception error) {
        String key = SyncRun.activeKey(run.kind(), run.target());
        if (shuttingDown.getAsBoolean()) {
            LOG.warn("[attio-full-sync] {} run {} interrupted by shutdown at page {}: resumes on the next start", key,
                    run.runId(), runs.find(run.runId()).map(SyncRun::pages).orElse(run.pages()));
            release(run.runId());
            return;
        }
        Instant now = clock.instant();
        String message = error == null ? "unknown" : error.toString();
        runs.fail(run.runId(), message, now);
        forgetSeen(run);
        metrics.runFinished(key, SyncRun.FAILED, Duration.between(run.startedAt(), now));
        LOG.warn("[attio-full-sync] {} run {} failed, nothing deleted: {}", key, run.runId(), message);
        release(run.runId());
    }

    /**
     * A finished run's seen marks are of no further use (a new run has a new key). Only after the run's state is
     * final: a run resumed after its deletion pass needs them to pass again with the same result. Left over, they
     * only cost space, so a failure here is logged, not raised.
     */
    private void forgetSeen(SyncRun run) {
        try {
            mirror.forgetSeen(run.runId());
        } catch (RuntimeException e) {
            LOG.warn("[attio-full-sync] run {}: seen marks not dropped: {}", run.runId(), e.toString());
        }
    }

    private void release(String runId) {
        Tracker t = owned.remove(runId);
        if (t != null && t.pager != null) {
            t.pager.close();
        }
    }

    /** Runs whose process died (active, no heartbeat for attio.sync.stale-after, not ours), adopted by this one. */
    public List<SyncRunRepository.Claim> adoptOrphans() {
        Instant now = clock.instant();
        List<SyncRunRepository.Claim> adopted = new ArrayList<>();
        for (SyncRun orphan : runs.orphans(now.minus(settings.staleAfter()))) {
            if (owned.containsKey(orphan.runId()) || !runs.adopt(orphan, now)) {
                continue;
            }
            owned.put(orphan.runId(), new Tracker(SyncRun.activeKey(orphan.kind(), orphan.target())));
            LOG.warn("[attio-full-sync] {} run {} was left running by a stopped process at page {}: resuming",
                    SyncRun.activeKey(orphan.kind(), orphan.target()), orphan.runId(), orphan.pages());
            adopted.add(new SyncRunRepository.Claim(orphan.runId(), true));
        }
        return adopted;
    }

    /** One progress line per run of this process; also its heartbeat, so no other process adopts it. */
    public void logProgress() {
        Instant now = clock.instant();
        owned.forEach((runId, t) -> {
            runs.heartbeat(runId, now);
            if (t.recordsAtStart < 0) {
                LOG.info("[attio-full-sync] {} run {} queued", t.target, runId);
                return;
            }
            runs.find(runId).ifPresent(run -> {
                double seconds = Math.max(1e-3, (System.nanoTime() - t.startedNanos) / 1e9);
                double rate = (run.records() - t.recordsAtStart) / seconds;
                String eta = run.expectedRecords() > 0 && rate > 0
                        ? Math.max(0, Math.round((run.expectedRecords() - run.records()) / rate)) + "s" : "unknown";
                LOG.info("[attio-full-sync] {} run {} pages={} records={}/{} rate={}/s eta={}", t.target, runId,
                        run.pages(), run.records(), run.expectedRecords() > 0 ? run.expectedRecords() : "?",
                        Math.round(rate), eta);
            });
        });
    }

    /** GET /api/sync/runs/{run_id}; null when unknown. */
    public Map<String, Object> view(String runId) {
        return runs.find(runId).map(FullSyncService::toView).orElse(null);
    }

    /** 202 answer of a trigger. */
    public Map<String, Object> accepted(SyncRunRepository.Claim claim) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_id", claim.runId());
        m.put("joined", !claim.started());
        return m;
    }

    static Map<String, Object> toView(SyncRun run) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_id", run.runId());
        m.put("state", run.state());
        m.put(run.kind() == MirrorKind.RECORDS ? "object" : "list", run.target());
        m.put("pages", run.pages());
        m.put("records", run.records());
        m.put("created", run.created());
        m.put("updated", run.updated());
        m.put("unchanged", run.unchanged());
        m.put("deleted", run.deleted());
        m.put("started_at", str(run.startedAt()));
        m.put("finished_at", str(run.finishedAt()));
        m.put("error", run.error());
        m.put("trigger", run.triggerSource());
        m.put("resumes", run.resumes());
        return m;
    }

    private static String str(Instant i) {
        return i == null ? null : i.toString();
    }
}
