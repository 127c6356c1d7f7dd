package io.github.attiocamel.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.attiocamel.store.StoreException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Echo suppression: the bundle's own writes to Attio come back as webhooks and must not go out on the change feed to
 * the system that made them. Two independent means: after a write, Attio's answer goes into the mirror (source
 * {@value #SOURCE}), so the webhook's fetch finds nothing new; and an event whose actor is the bundle's API token
 * ({@code attio.actor-id}, or learned from {@code created_by_actor} on the values it wrote) is its own, refreshed into
 * the mirror but not published. Each suppressed event counts in {@code attio.changes.echoes.suppressed}.
 */
public final class OwnWrites {

    /** The mirror's provenance of a row written from the answer to (or the echo of) the bundle's own write. */
    public static final String SOURCE = "bundle";

    private static final Logger LOG = LoggerFactory.getLogger("attio.changes");

    private final MirrorRepository mirror;
    private final Supplier<MeterRegistry> registryLookup;
    private final AtomicReference<String> actorId;
    private volatile Counter suppressed;

    OwnWrites(MirrorRepository mirror, String configuredActorId, Supplier<MeterRegistry> registryLookup) {
        this.mirror = mirror;
        this.registryLookup = registryLookup;
        this.actorId = new AtomicReference<>(configuredActorId.isBlank() ? null : configuredActorId.trim());
    }

    /**
     * After a successful write of {@code writtenSlugs}: learns the token's actor id from the answer and puts the
     * record into the mirror, unless the mirror's row differs in attributes the bundle did not write (a person's edit
     * the webhook must still publish) or is newer than the answer. The write already succeeded, so a store failure
     * here only costs an echo on the change feed.
     */
    public void recordWritten(String object, JsonNode record, Collection<String> writtenSlugs) {
        JsonNode values = MirrorRows.values(MirrorKind.RECORDS, record);
        learnActor(values, writtenSlugs);
        try {
            MirrorRow answer = MirrorRows.of(MirrorKind.RECORDS, object, record, Instant.now(), SOURCE);
            Optional<MirrorRow> previous = mirror.find(MirrorKind.RECORDS, object, answer.id());
            if (previous.isPresent() && !previous.get().deleted()) {
                JsonNode before = ChangeFilter.read(previous.get().valuesJson());
                if (!writtenSlugs.containsAll(ChangeFilter.changedSlugs(before, values))
                        || latestActiveFrom(before).isAfter(latestActiveFrom(values))) {
                    return;
                }
            }
            mirror.upsert(answer);
        } catch (StoreException e) {
            LOG.warn("[attio-changes] {}/{} written to Attio but not to the mirror; its webhook will be published: {}",
                    object, record.path("id").path("record_id").asText(), e.getMessage());
        }
    }

    /** Whether an event's {@code actor} (or a value's {@code created_by_actor}) is the bundle's API token. */
    public boolean isOwn(JsonNode actor) {
        String own = actorId.get();
        return own != null && "api-token".equals(actor.path("type").asText())
                && own.equals(actor.path("id").asText());
    }

    /**
     * Whether a fetched record or entry is the bundle's own write echoing back: the event's actor is its token, and
     * so is the {@code created_by_actor} of every value that differs from the mirror's previous {@code before} (null:
     * no live row). A person's edit fetched along with the echo (its own webhook still on the way) makes it a change
     * to publish, as does an attribute emptied (the bundle's writes never empty one).
     */
    public boolean isEcho(JsonNode actor, JsonNode before, JsonNode after) {
        if (!isOwn(actor)) {
            return false;
        }
        if (before == null) {
            return true;
        }
        for (String slug : ChangeFilter.changedSlugs(before, after)) {
            Set<String> previous = new HashSet<>();
            before.path(slug).forEach(value -> previous.add(ValuesHash.canonical(value).json()));
            boolean added = false;
            for (JsonNode value : after.path(slug)) {
                if (!previous.contains(ValuesHash.canonical(value).json())) {
                    if (!isOwn(value.path("created_by_actor"))) {
                        return false;
                    }
                    added = true;
                }
            }
            if (!added) {
                return false;
            }
        }
        return true;
    }

    /** One webhook event about the bundle's own write that published no change message. */
    public void echoSuppressed() {
        Counter c = suppressed;
        if (c == null) {
            MeterRegistry registry = registryLookup.get();
            if (registry == null) {
                return;
            }
            c = Counter.builder("attio.changes.echoes.suppressed")
                    .description("Webhook events about the bundle's own writes that published no change message")
                    .register(registry);
            suppressed = c;
        }
        c.increment();
    }

    /**
     * The token's actor id, when the current values of the written attributes name exactly one API token (another
     * integration's token may have written the same value before, and then they name two): kept in memory only, so a
     * restart learns it again with the first write.
     */
    private void learnActor(JsonNode values, Collection<String> writtenSlugs) {
        if (actorId.get() != null) {
            return;
        }
        Set<String> tokens = new LinkedHashSet<>();
        for (String slug : writtenSlugs) {
            for (JsonNode value : values.path(slug)) {
                JsonNode actor = value.path("created_by_actor");
                if (value.path("active_until").isNull() && "api-token".equals(actor.path("type").asText())) {
                    tokens.add(actor.path("id").asText());
                }
            }
        }
        if (tokens.size() == 1 && actorId.compareAndSet(null, tokens.iterator().next())) {
            LOG.info("[attio-changes] the bundle's API token acts as {} in Attio: its events are not published",
                    actorId.get());
        }
    }

    /** The latest {@code active_from} among current values: when the row's newest value became current. */
    private static Instant latestActiveFrom(JsonNode values) {
        Instant latest = Instant.EPOCH;
        for (JsonNode attribute : values) {
            for (JsonNode value : attribute) {
                try {
                    Instant from = Instant.parse(value.path("active_from").asText());
                    latest = from.isAfter(latest) ? from : latest;
                } catch (DateTimeParseException e) {
                    // a value without a timestamp says nothing about which row is newer
                }
            }
        }
        return latest;
    }
}
