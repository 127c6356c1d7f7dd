package io.github.attiocamel.store;

import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The one tracker of long-running work (contact batch jobs, full-sync runs) in this process, bean {@code workTracker},
 * driven by routes/attio-work.camel.yaml. It knows which work this process holds, renews that work's heartbeat
 * ({@link #heartbeat}), adopts work whose holder stopped showing life ({@link #adoptStale}), logs one progress line
 * per held work ({@link #logProgress}) and lets go of everything when the context stops, so the next process to look
 * continues it at once.
 *
 * <p>The takeover rule: work is taken over only when it is active and nobody holds it, or its holder's heartbeat is
 * older than {@code staleAfter}; the take-over is a compare-and-set in the database, so of several processes sharing
 * one store exactly one adopts it, and a holder that is alive (renewing every heartbeat period) never loses its work.
 * A holder that stalled past its staleness finds out at its next heartbeat and stops; every write it might still
 * attempt is refused by the store ({@link WorkRepository}).
 *
 * <p>Each flow registers its {@link Kind} and keeps the rest to itself: what its work's progress line says, and how
 * adopted work continues (the resume route hands it to the flow's endpoint by kind).
 */
public final class WorkTracker extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger("attio.work");

    /** A kind of work: its name in {@code work_item.kind}, the logger of its progress lines and how a line reads. */
    public record Kind(String name, String logName, Function<WorkStatus, String> progressLine) {}

    /** Work this process holds, and what the flow keeps with it while it runs (a pager, a row reader). */
    private static final class Held {
        final String kind;
        volatile AutoCloseable attachment;

        Held(String kind) {
            this.kind = kind;
        }
    }

    private final WorkRepository repository;
    private final Duration staleAfter;
    private final Clock clock;
    private final Map<String, Kind> kinds = new ConcurrentHashMap<>();
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private volatile String presenceId;

    public WorkTracker(WorkRepository repository, Duration staleAfter, Clock clock) {
        this.repository = repository;
        this.staleAfter = staleAfter;
        this.clock = clock;
    }

    public void register(Kind kind) {
        kinds.put(kind.name(), kind);
    }

    public WorkRepository repository() {
        return repository;
    }

    public String holder() {
        return repository.holder();
    }

    /**
     * Shows from now on that this process is alive: one work item of kind {@value WorkRepository#PRESENCE_KIND},
     * renewed with the held work and released when the context stops, for claims that are not work items (an inbox
     * row names its claimer) to be taken over by the same rule. Idempotent, and shown anew if this process stalled so
     * long that its presence went stale; presence rows of processes that stopped or died are deleted here.
     */
    public synchronized void showPresence() {
        if (presenceId != null && held.containsKey(presenceId)) {
            return;
        }
        Instant now = clock.instant();
        repository.deleteDeadPresence(now.minus(staleAfter));
        String id = WorkRepository.PRESENCE_KIND + "-" + UUID.randomUUID();
        repository.inTransaction("show this process's presence",
                c -> {
                    repository.create(c, id, WorkRepository.PRESENCE_KIND, 0, now);
                    return null;
                });
        hold(id, WorkRepository.PRESENCE_KIND);
        presenceId = id;
    }

    /** How long a holder may show no life before its work and claims are taken over. */
    public Duration staleAfter() {
        return staleAfter;
    }

    /** Work this process just created (held from its creation) or adopted. */
    public void hold(String workId, String kind) {
        held.putIfAbsent(workId, new Held(kind));
    }

    public boolean holds(String workId) {
        return held.containsKey(workId);
    }

    /** Keeps {@code attachment} with held work, closed when the work is forgotten; closed at once if it is not held. */
    public void attach(String workId, AutoCloseable attachment) {
        Held h = held.get(workId);
        if (h == null) {
            closeQuietly(workId, attachment);
            return;
        }
        h.attachment = attachment;
        if (held.get(workId) != h) {
            // forgotten meanwhile: nobody else would close it
            closeQuietly(workId, attachment);
        }
    }

    public <T> Optional<T> attachment(String workId, Class<T> type) {
        Held h = held.get(workId);
        return h != null && type.isInstance(h.attachment) ? Optional.of(type.cast(h.attachment)) : Optional.empty();
    }

    /** The work is finished, given up or someone else's: this process stops holding it and closes its attachment. */
    public void forget(String workId) {
        Held h = held.remove(workId);
        if (h != null && h.attachment != null) {
            closeQuietly(workId, h.attachment);
        }
    }

    /** Ids of the work this process holds. */
    public Set<String> held() {
        return Set.copyOf(held.keySet());
    }

    /**
     * The resume route's step: adopts the work of the registered kinds that nobody holds any more, oldest first, and
     * answers it (as it was before adoption) for the flows to continue.
     */
    public List<WorkStatus> adoptStale() {
        Instant now = clock.instant();
        Instant staleBefore = now.minus(staleAfter);
        List<WorkStatus> adopted = new ArrayList<>();
        for (WorkStatus w : repository.stale(kinds.keySet(), staleBefore)) {
            if (held.containsKey(w.workId()) || !repository.adopt(w.workId(), w.resumes(), staleBefore, now)) {
                continue;
            }
            hold(w.workId(), w.kind());
            LOG.warn("[attio-work] {} {} adopted from {} (last heartbeat {})", w.kind(), w.workId(),
                    w.holder() == null ? "a process that stopped cleanly" : w.holder(), w.heartbeatAt());
            adopted.add(w);
        }
        return adopted;
    }

    /**
     * Adopted work its flow could not take up: this process lets go of it in memory only, so its heartbeat goes stale
     * and it is adopted again (here or elsewhere) instead of being held by nobody working on it.
     */
    public void giveUp(String workId, Exception cause) {
        LOG.warn("[attio-work] {} could not be continued here, left for a later adoption: {}", workId,
                cause == null ? "unknown" : cause.toString());
        forget(workId);
    }

    /** The heartbeat route's step: shows the held work is alive; work another process took over is forgotten here. */
    public void heartbeat() {
        Set<String> ids = held();
        if (ids.isEmpty()) {
            return;
        }
        Set<String> still = repository.renew(ids, clock.instant());
        for (String id : ids) {
            if (!still.contains(id) && held.containsKey(id)) {
                Optional<WorkStatus> now = repository.find(id);
                if (now.isPresent() && now.get().active()) {
                    LOG.warn("[attio-work] {} {} is held by {} now: this process stops working on it",
                            now.get().kind(), id, now.get().holder());
                }
                forget(id);
            }
        }
    }

    /** The progress route's step: one line per held work, in its flow's words and logger. */
    public void logProgress() {
        for (Map.Entry<String, Held> e : held.entrySet()) {
            Kind kind = kinds.get(e.getValue().kind);
            if (kind == null) {
                continue;
            }
            repository.find(e.getKey()).filter(WorkStatus::active).map(kind.progressLine())
                    .ifPresent(line -> LoggerFactory.getLogger(kind.logName()).info(line));
        }
    }

    /** Lets go of every held work, so that the next process to look (a restart of this one too) adopts it at once. */
    public void release() {
        int released = repository.release() - (presenceId != null && held.containsKey(presenceId) ? 1 : 0);
        if (released > 0) {
            LOG.info("[attio-work] {} unfinished work item(s) released for the next start to continue", released);
        }
        held().forEach(this::forget);
    }

    @Override
    protected void doStop() {
        try {
            release();
        } catch (RuntimeException e) {
            // the work then waits for its heartbeat to go stale instead
            LOG.warn("[attio-work] held work not released: {}", e.toString());
        }
    }

    private static void closeQuietly(String workId, AutoCloseable attachment) {
        try {
            attachment.close();
        } catch (Exception e) {
            LOG.warn("[attio-work] {}: closing its resources failed: {}", workId, e.toString());
        }
    }
}
