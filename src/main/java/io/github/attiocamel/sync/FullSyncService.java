package io.github.attiocamel.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.attiocamel.api.ConflictException;
import io.github.attiocamel.api.NotFoundException;
import io.github.attiocamel.api.ValidationException;
import io.github.attiocamel.gateway.AttioGateway;
import io.github.attiocamel.gateway.AttioSlug;
import io.github.attiocamel.mirror.MirrorKind;
import io.github.attiocamel.mirror.MirrorRepository;
import io.github.attiocamel.mirror.MirrorRow;
import io.github.attiocamel.mirror.MirrorRows;
import io.github.attiocamel.store.WorkLostException;
import io.github.attiocamel.store.WorkStatus;
import io.github.attiocamel.store.WorkTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Lifecycle of full-sync runs, called by routes/attio-full-sync.camel.yaml and attio-sync-api.camel.yaml: claim a
 * target (one active run per target, a second trigger joins it), admit runs to the {@code attio.sync.concurrent-runs}
 * slots, hand out each run's pages ({@link ParallelPager} over the gateway, kept with the run's entry in the
 * {@link WorkTracker}), finish or fail runs, continue runs the tracker adopted, and word their progress lines.
 */
public final class FullSyncService {

    private static final Logger LOG = LoggerFactory.getLogger("attio.sync");

    /** Settings (attio.sync.*), see config/application.properties. */
    public record Settings(int pageSize, int parallelPages, int concurrentRuns, List<String> sortAttributes) {}

    private final SyncRunRepository runs;
    private final WorkTracker tracker;
    private final MirrorRepository mirror;
    private final Supplier<AttioGateway> gateway;
    private final ExecutorService pagerThreads;
    private final SyncMetrics metrics;
    private final Settings settings;
    private final Clock clock;
    private final BooleanSupplier shuttingDown;
    /** Runs this process holds that wait for a slot, in the order they came; guarded by {@code this}. */
    private final Deque<String> waiting = new ArrayDeque<>();
    /** Runs of this process that hold a slot; guarded by {@code this}. */
    private final Set<String> running = new HashSet<>();

    public FullSyncService(SyncRunRepository runs, WorkTracker tracker, MirrorRepository mirror,
                           Supplier<AttioGateway> gateway, ExecutorService pagerThreads, SyncMetrics metrics,
                           Settings settings, Clock clock, BooleanSupplier shuttingDown) {
        this.runs = runs;
        this.tracker = tracker;
        this.mirror = mirror;
        this.gateway = gateway;
        this.pagerThreads = pagerThreads;
        this.metrics = metrics;
        this.settings = settings;
        this.clock = clock;
        this.shuttingDown = shuttingDown;
    }

    /** The kind of work the tracker keeps for full-sync runs: progress lines by {@link #progressLine}. */
    WorkTracker.Kind kind() {
        return new WorkTracker.Kind(SyncRunRepository.KIND, LOG.getName(), this::progressLine);
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
            tracker.hold(claim.runId(), SyncRunRepository.KIND);
            enqueue(claim.runId());
            LOG.info("[attio-full-sync] {} run {} started by {} (mirror holds {})", key, claim.runId(), trigger, expected);
        } else {
            LOG.info("[attio-full-sync] {} already running as {}: {} trigger joins it", key, claim.runId(), trigger);
        }
        return claim;
    }

    /** An object or list slug (or id) as Attio accepts it in a path; anything else is refused before a run exists. */
    public MirrorKind validate(String kind, String target) {
        MirrorKind mirrorKind = "entries".equals(kind) ? MirrorKind.ENTRIES : MirrorKind.RECORDS;
        if (!AttioSlug.isSlug(target)) {
            throw new ValidationException(Map.of(mirrorKind == MirrorKind.RECORDS ? "object" : "list",
                    AttioSlug.EXPECTED));
        }
        return mirrorKind;
    }

    /** The object or list exists in the workspace (schema cache); otherwise 404 naming the ones that do. */
    public void requireKnown(String kind, String target) {
        boolean records = !"entries".equals(kind);
        AttioGateway gw = gateway.get();
        List<JsonNode> known = records ? gw.objects() : gw.lists();
        List<String> slugs = new java.util.ArrayList<>();
        for (JsonNode item : known) {
            String slug = item.path("api_slug").asText(null);
            String id = item.path("id").path(records ? "object_id" : "list_id").asText();
            if (target.equals(slug) || target.equals(id)) {
                return;
            }
            slugs.add(slug == null ? id : slug);
        }
        throw new NotFoundException("Attio has no " + (records ? "object" : "list") + " '" + target + "'; known: "
                + String.join(", ", slugs));
    }

    /** A run the tracker adopted from a process that stopped: it waits for a slot like a new one. */
    public void adopted(String runId) {
        runs.find(runId).ifPresent(run -> LOG.warn("[attio-full-sync] {} run {} was left running by a stopped process "
                + "at page {}: resuming", run.activeKey(), runId, run.pages()));
        enqueue(runId);
    }

    private synchronized void enqueue(String runId) {
        if (!waiting.contains(runId) && !running.contains(runId)) {
            waiting.add(runId);
        }
    }

    /**
     * Begins the oldest waiting run if fewer than {@code attio.sync.concurrent-runs} of this process run, and answers
     * it as persisted (a resumed run carries its pages done); null when no run may begin now. Every event that adds a
     * waiting run or frees a slot asks once, so one run per ask is enough. A run that cannot begin is failed here.
     */
    public synchronized SyncRun admit() {
        // while the bundle stops, waiting runs stay active and are released with the rest of the held work
        while (!shuttingDown.getAsBoolean() && running.size() < settings.concurrentRuns() && !waiting.isEmpty()) {
            String runId = waiting.poll();
            if (!tracker.holds(runId)) {
                continue;
            }
            try {
                SyncRun run = begin(runId);
                if (run != null) {
                    running.add(runId);
                    return run;
                }
            } catch (RuntimeException e) {
                LOG.warn("[attio-full-sync] run {} could not begin: {}", runId, e.toString());
                runs.find(runId).ifPresent(run -> fail(run, e));
            }
        }
        return null;
    }

    private SyncRun begin(String runId) {
        if (!runs.start(runId, clock.instant())) {
            tracker.forget(runId);
            return null;
        }
        SyncRun run = runs.find(runId).orElseThrow(() -> new IllegalStateException("sync run " + runId + " vanished"));
        if (run.pages() > 0 || run.deletionAt() != null) {
            LOG.info("[attio-full-sync] {} run {} resumes at page {}{}", run.activeKey(), runId, run.pages(),
                    run.deletionAt() != null ? " (deletion pass)" : "");
        }
        if (run.deletionAt() == null) {
            // pages are mapped (canonical values, hash) on the pager thread that fetched them, beside the page being
            // reconciled, and a page waiting in the pager holds compact rows instead of Attio's JSON trees
            int pageSize = run.pageSize() > 0 ? run.pageSize() : settings.pageSize();
            int expectedPages = (int) ((run.expectedRecords() + pageSize - 1) / pageSize);
            AttioGateway g = gateway.get();
            tracker.attach(runId, new ParallelPager<>(offset -> fetch(g, run, pageSize, offset), pageSize,
                    settings.parallelPages(), run.pages(), expectedPages, pagerThreads));
        }
        return run;
    }

    /**
     * The run's next page in offset order, or null when none is left (the last one came back short, or the deletion
     * pass had already begun): the deletion pass is next then.
     */
    @SuppressWarnings("unchecked")
    public ParallelPager.Page<MirrorRow> nextPage(SyncRun run) {
        if (shuttingDown.getAsBoolean()) {
            throw new IllegalStateException("the bundle is stopping");
        }
        if (!tracker.holds(run.runId())) {
            throw new WorkLostException(run.runId());
        }
        ParallelPager<MirrorRow> pager = tracker.attachment(run.runId(), ParallelPager.class).orElse(null);
        return pager != null && pager.hasNext() ? pager.next() : null;
    }

    /**
     * Whether the page route hands the run on to its next exchange. Not while the bundle stops: the run then stays
     * active, is released with the rest of the held work and continues at its next page on the next start.
     */
    public boolean handOn(SyncRun run) {
        if (shuttingDown.getAsBoolean()) {
            interrupted(run);
            return false;
        }
        return true;
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

    public SyncRun complete(SyncRun run, ReconciliationService.Confirmation deletions) {
        Instant now = clock.instant();
        if (!runs.complete(run.runId(), deletions.confirmed(), deletions.unconfirmed(), now)) {
            lost(run);
            return run;
        }
        forgetSeen(run);
        String key = run.activeKey();
        metrics.deleted(key, (int) deletions.confirmed());
        metrics.runFinished(key, SyncRun.COMPLETED, Duration.between(run.startedAt(), now));
        SyncRun done = runs.find(run.runId()).orElse(run);
        LOG.info("[attio-full-sync] {} run {} completed: pages={} records={} created={} updated={} unchanged={} "
                        + "deleted={} of candidates={} (unconfirmed={}) in {} ms", key, run.runId(), done.pages(),
                done.records(), done.created(), done.updated(), done.unchanged(), done.deleted(), done.candidates(),
                done.unconfirmed(), Duration.between(run.startedAt(), now).toMillis());
        end(run.runId());
        return done;
    }

    /** Pages done, deletions held: the run ends (the target is free) and its candidates wait for an operator. */
    public SyncRun hold(SyncRun run, ReconciliationService.Candidates candidates) {
        Instant now = clock.instant();
        if (!runs.hold(run.runId(), candidates.size(), now)) {
            lost(run);
            return run;
        }
        forgetSeen(run);
        metrics.runFinished(run.activeKey(), SyncRun.DELETIONS_HELD, Duration.between(run.startedAt(), now));
        LOG.warn("[attio-full-sync] {} run {} holds {} deletion candidates, more than its share of the mirror: "
                        + "nothing deleted until POST /api/sync/runs/{}/deletions:confirm", run.activeKey(),
                run.runId(), candidates.size(), run.runId());
        end(run.runId());
        return run;
    }

    /**
     * POST /api/sync/runs/{run_id}/deletions:confirm: takes the run's held deletions for confirmation, for one caller
     * only (404 unknown run, 409 nothing held), and answers the run.
     */
    public SyncRun releaseHeld(String runId) {
        SyncRun run = runs.find(runId).orElseThrow(() -> new NotFoundException("no such sync run"));
        if (run.held() == 0 || !runs.releaseHold(runId)) {
            throw new ConflictException("the run holds no deletions");
        }
        LOG.info("[attio-full-sync] {} run {}: {} held deletion candidates confirmed by an operator",
                run.activeKey(), runId, run.held());
        return run;
    }

    /** Records what confirming a held run's candidates did; answers the run's view. */
    public Map<String, Object> heldConfirmed(ReconciliationService.Confirmation deletions) {
        SyncRun run = deletions.run();
        runs.heldConfirmed(run.runId(), deletions.confirmed(), deletions.unconfirmed());
        metrics.deleted(run.activeKey(), (int) deletions.confirmed());
        return view(run.runId());
    }

    /**
     * A failed run deletes nothing (the deletion pass only follows the last page). On shutdown the run stays active
     * instead, so the next start resumes it where it stopped; a run another process adopted is left to it.
     */
    public void fail(SyncRun run, Exception error) {
        if (error instanceof WorkLostException) {
            lost(run);
            return;
        }
        if (shuttingDown.getAsBoolean()) {
            interrupted(run);
            return;
        }
        Instant now = clock.instant();
        String message = error == null ? "unknown" : error.toString();
        if (!runs.fail(run.runId(), message, now)) {
            lost(run);
            return;
        }
        forgetSeen(run);
        metrics.runFinished(run.activeKey(), SyncRun.FAILED, Duration.between(run.startedAt(), now));
        LOG.warn("[attio-full-sync] {} run {} failed, nothing deleted: {}", run.activeKey(), run.runId(), message);
        end(run.runId());
    }

    private void interrupted(SyncRun run) {
        LOG.warn("[attio-full-sync] {} run {} interrupted by shutdown at page {}: resumes on the next start",
                run.activeKey(), run.runId(), runs.find(run.runId()).map(SyncRun::pages).orElse(run.pages()));
        synchronized (this) {
            running.remove(run.runId());
        }
    }

    private void lost(SyncRun run) {
        LOG.warn("[attio-full-sync] {} run {} is held by another process now: this one stops", run.activeKey(),
                run.runId());
        end(run.runId());
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

    /** Frees the run's slot and its pager; the route then admits the next waiting run. */
    private void end(String runId) {
        synchronized (this) {
            running.remove(runId);
            waiting.remove(runId);
        }
        tracker.forget(runId);
    }

    /** The run's progress line (the tracker logs one per held run): pages, records of expected, rate, ETA. */
    String progressLine(WorkStatus work) {
        SyncRun run = runs.find(work.workId()).orElse(null);
        if (run == null) {
            return null;
        }
        if (WorkStatus.QUEUED.equals(work.state())) {
            return "[attio-full-sync] " + run.activeKey() + " run " + run.runId() + " queued";
        }
        double rate = work.rate(clock.instant());
        String eta = run.expectedRecords() > 0 && rate > 0
                ? Math.max(0, Math.round((run.expectedRecords() - run.records()) / rate)) + "s" : "unknown";
        return "[attio-full-sync] " + run.activeKey() + " run " + run.runId() + " pages=" + run.pages() + " records="
                + run.records() + "/" + (run.expectedRecords() > 0 ? run.expectedRecords() : "?") + " rate="
                + Math.round(rate) + "/s eta=" + eta;
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
        // deletions are confirmed with Attio first: candidates = confirmed (deleted) + unconfirmed + refreshed
        m.put("candidates", run.candidates());
        m.put("confirmed", run.confirmed());
        m.put("unconfirmed", run.unconfirmed());
        m.put("deletions_held", run.held());
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
