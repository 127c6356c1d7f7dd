package io.github.attiocamel.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.attiocamel.config.MessageContract;
import io.github.attiocamel.config.TraceContext;
import io.github.attiocamel.gateway.AttioException;
import io.github.attiocamel.store.WorkTracker;
import io.github.attiocamel.webhook.EventFailureCollector.EventFailure;
import io.github.attiocamel.webhook.EventFailureCollector.Failures;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The inbox consumer's decisions: which stored deliveries to take now (oldest first, after the coalescing window,
 * back-off respected, claims of a process that died taken over by the work tracker's rule), the events of one
 * delivery, and what happens after its events ran: done, retried later with only the failed events (exponential
 * back-off, Attio's Retry-After honoured), or dead letters with the error once the attempts are used up or the failure
 * is permanent (4xx from Attio, an event that can never be processed: retrying those blindly only repeats the error).
 */
public final class WebhookInboxService {

    public static final String DEAD_LETTER_SOURCE = "webhook";

    private static final Logger LOG = LoggerFactory.getLogger("attio.webhook");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Settings of the inbox consumer (see config/application.properties, attio.webhook.*). */
    public record Settings(int batchSize, Duration coalesceWindow, int maxAttempts,
                           Duration retryInitialDelay, Duration retryMaxDelay, Duration unavailableDelay,
                           Duration keyRetention, Duration doneRetention) {}

    private final WebhookInboxRepository inbox;
    private final DeadLetterRepository deadLetters;
    private final Settings settings;
    private final WorkTracker tracker;
    private final boolean storeOwned;
    private final AtomicBoolean claimsReleased = new AtomicBoolean();
    private final AtomicBoolean ownClaimsLeft = new AtomicBoolean();

    /**
     * {@code tracker} shows this process alive, which keeps its claims its own; {@code storeOwned}: no other process
     * can use the store (embedded H2), so claims found at start-up belong to nobody.
     */
    public WebhookInboxService(WebhookInboxRepository inbox, DeadLetterRepository deadLetters, Settings settings,
                               WorkTracker tracker, boolean storeOwned) {
        this.inbox = inbox;
        this.deadLetters = deadLetters;
        this.settings = settings;
        this.tracker = tracker;
        this.storeOwned = storeOwned;
        if (settings.keyRetention().compareTo(Duration.ofHours(72)) < 0) {
            throw new IllegalArgumentException("attio.webhook.key-retention must be at least PT72H (Attio retries for about 3 days)");
        }
    }

    /**
     * Stores a verified delivery under its key; false for a duplicate (already accepted within the key retention).
     * Returns only once the row is committed: the 200 that follows is a promise not to lose it. The row keeps the
     * intake's trace context (Camel's tracer put it in the header), which its processing later continues.
     */
    public boolean accept(@Variable(MessageContract.DELIVERY_KEY) String key, @Body byte[] body,
                          @Header(MessageContract.HEADER_TRACEPARENT) String traceparent) {
        boolean stored = inbox.accept(key, JsonText.decode(body), WebhookVerifier.sha256(body), Instant.now(),
                TraceContext.valid(traceparent));
        if (!stored) {
            LOG.info("[attio-webhook] duplicate delivery {} (key seen, or its body still pending) answered 200, not "
                    + "processed again", key);
        }
        return stored;
    }

    /**
     * The next deliveries to process, claimed for this process while it shows it is alive. On a store only this
     * process can open, the first call takes back at once the claims an earlier start left (stopped or killed); on a
     * shared store, claims of a process that shows no life for {@code attio.work.stale-after} are taken over.
     */
    public List<InboxRow> claim() {
        tracker.showPresence();
        if (storeOwned && claimsReleased.compareAndSet(false, true)) {
            int released = inbox.releaseClaims();
            if (released > 0) {
                LOG.info("[attio-webhook] {} deliveries claimed before the last stop are processed again", released);
            }
        }
        if (ownClaimsLeft.compareAndSet(true, false)) {
            try {
                inbox.releaseClaimsOf();
            } catch (RuntimeException e) {
                ownClaimsLeft.set(true);
                throw e;
            }
        }
        Instant now = Instant.now();
        return inbox.claim(settings.batchSize(), now, now.minus(settings.coalesceWindow()),
                now.minus(tracker.staleAfter()));
    }

    /** The events of one claimed delivery. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> events(@Variable(MessageContract.INBOX_ROW) InboxRow row) {
        try {
            Map<String, Object> envelope = MAPPER.readValue(row.body(), Map.class);
            Object events = envelope.get("events");
            return events instanceof List<?> list ? (List<Map<String, Object>>) list : List.of();
        } catch (JsonProcessingException e) {
            // verified at intake, so only a hand-edited row gets here: keep it rather than lose it
            throw new UnprocessableEventException("inbox row " + row.id() + " is not JSON");
        }
    }

    /** After the split: finish the row, or retry its failed events later, or dead-letter them. */
    public void complete(@Variable(MessageContract.INBOX_ROW) InboxRow row, @Body Object splitResult) {
        List<EventFailure> failures = splitResult instanceof Failures f ? f.list() : List.of();
        Instant now = Instant.now();
        if (failures.isEmpty()) {
            if (!inbox.finish(row.id(), List.of(), null, now)) {
                takenOver(row);
            }
            return;
        }
        boolean lastAttempt = row.attempts() >= settings.maxAttempts();
        List<DeadLetter> dead = new ArrayList<>();
        List<EventFailure> retry = new ArrayList<>();
        for (EventFailure failure : failures) {
            if (isAttioUnavailable(failure.error())) {
                // the breaker is open: Attio is down, the event is fine; an outage must not use up its attempts
                retry.add(failure);
            } else if (lastAttempt || !isRetriable(failure.error())) {
                dead.add(row.deadLetterId() == 0 ? deadLetter(failure) : deadLetter(failure).replacing(row.deadLetterId()));
                LOG.warn("[attio-webhook] inbox={} {} dead-lettered after {} attempt(s): {}", row.id(),
                        eventType(failure), row.attempts(), describe(failure.error()));
            } else {
                retry.add(failure);
            }
        }
        String lastError = describe(failures.get(failures.size() - 1).error());
        if (retry.isEmpty()) {
            if (!inbox.finish(row.id(), dead, lastError, now)) {
                takenOver(row);
            }
            return;
        }
        boolean countAttempt = retry.stream().anyMatch(f -> !isAttioUnavailable(f.error()));
        Instant next = now.plus(countAttempt ? backoff(row.attempts(), retry) : settings.unavailableDelay());
        LOG.info("[attio-webhook] inbox={} {} event(s) failed (attempt {}/{}), retry at {}: {}", row.id(), retry.size(),
                row.attempts(), settings.maxAttempts(), next, lastError);
        if (!inbox.retryLater(row.id(), remainingBody(row, retry), lastError, next, countAttempt, dead, now)) {
            takenOver(row);
        }
    }

    private static void takenOver(InboxRow row) {
        LOG.warn("[attio-webhook] inbox={} was taken over while this process showed no life; its outcome is the "
                + "new claimer's", row.id());
    }

    /**
     * A delivery failed outside its events (its stored text cannot be read, the store refused the outcome): tried
     * again later like a failed event, dead-lettered whole with the reason once the attempts are used up or at once
     * when no retry can succeed. Should even this write fail, the next claim gives this process's claims back: the
     * consumer is sequential, so between two batches none of them is being worked on.
     */
    public void failed(InboxRow row, Exception error) {
        ownClaimsLeft.set(true);
        Instant now = Instant.now();
        String reason = describe(error);
        boolean written;
        if (row.attempts() >= settings.maxAttempts() || !isRetriable(error)) {
            LOG.warn("[attio-webhook] inbox={} dead-lettered whole after {} attempt(s): {}", row.id(), row.attempts(),
                    reason);
            DeadLetter letter = DeadLetter.of(DEAD_LETTER_SOURCE, row.body(), reason, null, null);
            written = inbox.finish(row.id(), List.of(row.deadLetterId() == 0 ? letter
                    : letter.replacing(row.deadLetterId())), reason, now);
        } else {
            Instant next = now.plus(backoff(row.attempts(), List.of()));
            LOG.info("[attio-webhook] inbox={} failed (attempt {}/{}), retry at {}: {}", row.id(), row.attempts(),
                    settings.maxAttempts(), next, reason);
            written = inbox.retryLater(row.id(), row.body(), reason, next, true, List.of(), now);
        }
        if (!written) {
            takenOver(row);
        }
    }

    /** Forgets idempotency keys past their retention and finished rows past theirs. */
    public void purge() {
        Instant now = Instant.now();
        int[] deleted = inbox.purge(now.minus(settings.keyRetention()), now.minus(settings.doneRetention()));
        if (deleted[0] + deleted[1] > 0) {
            LOG.info("[attio-webhook] purged {} idempotency keys and {} finished deliveries", deleted[0], deleted[1]);
        }
    }

    /**
     * Re-injects a webhook dead letter into the inbox as a one-event delivery with a key of its own; false when a
     * replay of it is still pending (one at a time: a replay that fails again updates the letter).
     */
    public boolean replay(long deadLetterId) {
        DeadLetter letter = deadLetters.find(deadLetterId)
                .orElseThrow(() -> new IllegalArgumentException("no dead letter " + deadLetterId));
        ObjectNode envelope = MAPPER.createObjectNode().put("webhook_id", "replay");
        try {
            envelope.putArray("events").add(MAPPER.readTree(letter.payload()));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("dead letter " + deadLetterId + " holds no JSON event", e);
        }
        if (!inbox.replay(deadLetterId, "replay:" + deadLetterId + ":" + (letter.replayCount() + 1),
                envelope.toString(), Instant.now(), TraceContext.traceparent())) {
            LOG.info("[attio-webhook] dead letter {} not replayed again: its last replay is still pending", deadLetterId);
            return false;
        }
        LOG.info("[attio-webhook] dead letter {} replayed into the inbox", deadLetterId);
        return true;
    }

    static boolean isRetriable(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof AttioException a) {
                return a.isRetriable();
            }
            if (t instanceof UnprocessableEventException || t instanceof IllegalArgumentException) {
                return false;
            }
        }
        // store trouble, I/O, anything unexpected: worth another attempt, bounded by max-attempts
        return true;
    }

    static boolean isAttioUnavailable(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof AttioException a) {
                return "attio_unavailable".equals(a.code());
            }
        }
        return false;
    }

    Duration backoff(int attempts, List<EventFailure> failures) {
        Duration delay = settings.retryInitialDelay().multipliedBy(1L << Math.min(Math.max(attempts - 1, 0), 20));
        if (delay.compareTo(settings.retryMaxDelay()) > 0) {
            delay = settings.retryMaxDelay();
        }
        for (EventFailure f : failures) {
            for (Throwable t = f.error(); t != null; t = t.getCause()) {
                if (t instanceof AttioException a && a.retryAfter() != null) {
                    Duration wait = Duration.between(Instant.now(), a.retryAfter());
                    if (wait.compareTo(delay) > 0) {
                        delay = wait;
                    }
                }
            }
        }
        return delay;
    }

    private static String remainingBody(InboxRow row, List<EventFailure> retry) {
        ObjectNode envelope = MAPPER.createObjectNode();
        try {
            envelope.put("webhook_id", MAPPER.readTree(row.body()).path("webhook_id").asText());
        } catch (JsonProcessingException e) {
            envelope.put("webhook_id", "");
        }
        ArrayNode events = envelope.putArray("events");
        retry.forEach(f -> events.add(MAPPER.valueToTree(f.event())));
        return envelope.toString();
    }

    private static DeadLetter deadLetter(EventFailure failure) {
        Integer status = null;
        String code = null;
        for (Throwable t = failure.error(); t != null; t = t.getCause()) {
            if (t instanceof AttioException a) {
                status = a.status();
                code = a.code();
                break;
            }
        }
        String payload;
        try {
            payload = MAPPER.writeValueAsString(failure.event());
        } catch (JsonProcessingException e) {
            payload = String.valueOf(failure.event());
        }
        return DeadLetter.of(DEAD_LETTER_SOURCE, payload, describe(failure.error()), status, code);
    }

    private static String eventType(EventFailure failure) {
        return failure.event() == null ? "?" : String.valueOf(failure.event().get("event_type"));
    }

    static String describe(Throwable error) {
        if (error == null) {
            return "(unknown)";
        }
        Throwable cause = error;
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof AttioException a) {
                return "Attio " + a.status() + " " + a.code() + ": " + a.getMessage();
            }
            cause = t;
        }
        // the root cause says what went wrong; Camel's wrappers around it only say where
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
