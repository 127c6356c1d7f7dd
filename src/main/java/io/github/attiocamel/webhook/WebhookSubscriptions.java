package io.github.attiocamel.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.attiocamel.api.ConflictException;
import io.github.attiocamel.gateway.AttioException;
import io.github.attiocamel.gateway.AttioGateway;
import io.github.attiocamel.webhook.WebhookSubscriptionRepository.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The bundle's own Attio webhook, declared by {@code attio.webhook.public-url} and {@code attio.webhook.subscriptions}:
 * {@link #check} creates it when Attio has none of ours, updates its target and subscriptions when they differ from the
 * settings, deletes retired ones and reads Attio's status for readiness; {@link #rotate} makes a new one and keeps the
 * old one's secret accepted for {@code attio.webhook.rotation-overlap}. A create is never sent twice: after an answer
 * that may have been lost, the next check deletes the webhook it cannot account for (its secret is unknowable) first.
 */
public final class WebhookSubscriptions {

    private static final Logger LOG = LoggerFactory.getLogger("attio.webhook");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Attio's 27 event types (the subscription's enum in its OpenAPI document). */
    static final Set<String> EVENT_TYPES = Set.of("record.created", "record.updated", "record.deleted", "record.merged",
            "list-entry.created", "list-entry.updated", "list-entry.deleted", "note.created", "note.updated",
            "note.deleted", "note-content.updated", "task.created", "task.updated", "task.deleted", "comment.created",
            "comment.resolved", "comment.unresolved", "comment.deleted", "list.created", "list.updated", "list.deleted",
            "list-attribute.created", "list-attribute.updated", "object-attribute.created", "object-attribute.updated",
            "workspace-member.created", "call-recording.created");

    /** Attio's view of our webhook as last read, or why it could not be read. */
    record Reading(Instant at, String webhookId, String status, String failure) {}

    private final WebhookSubscriptionRepository repository;
    private final AttioGateway gateway;
    private final String publicUrl;
    private final ArrayNode subscriptions;
    private final Duration rotationOverlap;
    private final Clock clock;
    private volatile Reading last;

    WebhookSubscriptions(WebhookSubscriptionRepository repository, AttioGateway gateway, String publicUrl,
                         ArrayNode subscriptions, Duration rotationOverlap, Clock clock) {
        this.repository = repository;
        this.gateway = gateway;
        this.publicUrl = publicUrl == null ? "" : publicUrl.trim();
        this.subscriptions = subscriptions;
        this.rotationOverlap = rotationOverlap;
        this.clock = clock;
    }

    /** Whether the bundle manages its webhook at all ({@code attio.webhook.public-url} set). */
    public boolean enabled() {
        return !publicUrl.isEmpty();
    }

    /** Brings Attio in line with the settings; answers the subscription as {@link #view} shows it, with the action. */
    public Map<String, Object> check() {
        if (!enabled()) {
            return Map.of("enabled", false);
        }
        try {
            return repository.exclusively(() -> {
                Instant now = clock.instant();
                settleLostCreates();
                List<String> actions = new ArrayList<>(retireDue(now));
                List<Row> current = currents();
                for (Row older : current.subList(0, Math.max(0, current.size() - 1))) {
                    // a rotation that stopped between its create and its retire: the newest one is current
                    repository.retire(older.webhookId(), now.plus(rotationOverlap));
                }
                Row row = current.isEmpty() ? null : current.get(current.size() - 1);
                JsonNode hook = row == null ? null : gateway.getWebhook(row.webhookId()).orElse(null);
                if (row != null && hook == null) {
                    LOG.warn("[attio-webhook] webhook {} is gone from Attio (deleted there?): creating a new one",
                            row.webhookId());
                    repository.delete(row.webhookId());
                }
                if (hook == null) {
                    hook = create(now);
                    actions.add("created");
                } else if (!matches(hook)) {
                    hook = gateway.updateWebhook(row.webhookId(), publicUrl, subscriptions);
                    actions.add("updated");
                }
                return read(hook, actions);
            });
        } catch (RuntimeException e) {
            last = new Reading(clock.instant(), last == null ? null : last.webhookId(), null, String.valueOf(e.getMessage()));
            throw e;
        }
    }

    /**
     * A new webhook with a new secret; the old one stays (both secrets verify) until {@code attio.webhook.rotation-overlap}
     * has passed, then the next check deletes it in Attio and forgets its secret.
     */
    public Map<String, Object> rotate() {
        if (!enabled()) {
            throw new ConflictException("webhook subscriptions are off: set attio.webhook.public-url (ATTIO_WEBHOOK_PUBLIC_URL)");
        }
        return repository.exclusively(() -> {
            Instant now = clock.instant();
            settleLostCreates();
            List<Row> old = currents();
            JsonNode hook = create(now);
            for (Row row : old) {
                repository.retire(row.webhookId(), now.plus(rotationOverlap));
            }
            LOG.info("[attio-webhook] rotated: webhook {} created; {} retire at {}", hook.path("id").path("webhook_id")
                    .asText(), old.stream().map(Row::webhookId).toList(), now.plus(rotationOverlap));
            return read(hook, List.of("rotated"));
        });
    }

    /** The subscription as the store and the last check know it (no secret), for {@code GET /api/webhook}. */
    public Map<String, Object> view() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("enabled", enabled());
        if (!enabled()) {
            return view;
        }
        Reading reading = last;
        List<Row> rows = repository.all();
        view.put("target_url", publicUrl);
        view.put("webhook_id", rows.stream().filter(r -> WebhookSubscriptionRepository.CURRENT.equals(r.state()))
                .max(Comparator.comparing(Row::createdAt)).map(Row::webhookId).orElse(null));
        view.put("status", reading == null ? null : reading.status());
        view.put("checked_at", reading == null ? null : reading.at().toString());
        view.put("error", reading == null ? null : reading.failure());
        view.put("subscriptions", subscriptions);
        view.put("retiring", rows.stream().filter(r -> WebhookSubscriptionRepository.RETIRING.equals(r.state()))
                .map(r -> Map.of("webhook_id", r.webhookId(), "retire_at", r.retireAt().toString())).toList());
        return view;
    }

    /** The last reading of Attio's view, null before the first check (readiness check attio-webhook). */
    Reading lastReading() {
        return last;
    }

    private Map<String, Object> read(JsonNode hook, List<String> actions) {
        String id = hook.path("id").path("webhook_id").asText();
        last = new Reading(clock.instant(), id, hook.path("status").asText(null), null);
        if (!actions.isEmpty()) {
            LOG.info("[attio-webhook] webhook {} {} (status {}, {} event types, target {})", id, String.join(", ", actions),
                    last.status(), subscriptions.size(), publicUrl);
        }
        Map<String, Object> view = view();
        view.put("actions", actions);
        return view;
    }

    private List<Row> currents() {
        return repository.all().stream().filter(r -> WebhookSubscriptionRepository.CURRENT.equals(r.state()))
                .sorted(Comparator.comparing(Row::createdAt)).toList();
    }

    /** POST /v2/webhooks behind a marker row, so an answer lost on the way is found out instead of sent again. */
    private JsonNode create(Instant now) {
        String marker = "creating:" + UUID.randomUUID();
        repository.insert(new Row(marker, WebhookSubscriptionRepository.CREATING, publicUrl, null, now, null));
        JsonNode hook;
        try {
            hook = gateway.createWebhook(publicUrl, subscriptions);
        } catch (AttioException e) {
            if (!e.mayHaveLanded()) {
                repository.delete(marker);
            }
            throw e;
        }
        String secret = hook.path("secret").asText("");
        if (secret.isEmpty()) {
            throw new IllegalStateException("Attio created webhook " + hook.path("id").path("webhook_id").asText()
                    + " without a secret");
        }
        repository.insert(new Row(hook.path("id").path("webhook_id").asText(), WebhookSubscriptionRepository.CURRENT,
                publicUrl, secret, now, null));
        repository.delete(marker);
        return hook;
    }

    /**
     * After a create whose answer was lost, and whenever the store knows no webhook of ours (a store lost or new, a
     * webhook made by hand before): Attio's webhooks to our URL that the store does not know are deleted, since no
     * secret of theirs is here and they would deliver everything a second time.
     */
    private void settleLostCreates() {
        List<Row> rows = repository.all();
        List<Row> markers = rows.stream().filter(r -> WebhookSubscriptionRepository.CREATING.equals(r.state())).toList();
        if (markers.isEmpty() && rows.stream().anyMatch(r -> !WebhookSubscriptionRepository.CREATING.equals(r.state()))) {
            return;
        }
        Set<String> known = rows.stream().map(Row::webhookId).collect(Collectors.toSet());
        for (JsonNode hook : gateway.webhooks()) {
            String id = hook.path("id").path("webhook_id").asText();
            if (publicUrl.equals(hook.path("target_url").asText()) && !known.contains(id)) {
                LOG.warn("[attio-webhook] deleting webhook {} to {}: this store does not know it (a create whose answer "
                        + "was lost, a lost store, or one made by hand), so its secret is not here", id, publicUrl);
                gateway.deleteWebhook(id);
            }
        }
        markers.forEach(m -> repository.delete(m.webhookId()));
    }

    private List<String> retireDue(Instant now) {
        List<String> actions = new ArrayList<>();
        for (Row row : repository.all()) {
            if (WebhookSubscriptionRepository.RETIRING.equals(row.state()) && !row.retireAt().isAfter(now)) {
                gateway.deleteWebhook(row.webhookId());
                repository.delete(row.webhookId());
                actions.add("retired " + row.webhookId());
            }
        }
        return actions;
    }

    private boolean matches(JsonNode hook) {
        return publicUrl.equals(hook.path("target_url").asText())
                && normalised(hook.path("subscriptions")).equals(normalised(subscriptions));
    }

    /** Subscriptions as a sorted list of "event_type filter-json": Attio need not keep their order. */
    private static List<String> normalised(JsonNode subscriptions) {
        List<String> keys = new ArrayList<>();
        for (JsonNode s : subscriptions) {
            JsonNode filter = s.path("filter");
            keys.add(s.path("event_type").asText() + " " + (filter.isMissingNode() || filter.isNull() ? "null" : filter));
        }
        keys.sort(null);
        return keys;
    }

    /**
     * The subscriptions Attio is sent: each event type with its filter ({@code attio.webhook.filter.<event type>},
     * Attio's JSON) or none; an event type Attio does not know, or a filter that is not JSON, refuses the start.
     */
    static ArrayNode subscriptionsOf(String eventTypes, Map<String, String> filters, Set<String> known) {
        ArrayNode array = JSON.createArrayNode();
        List<String> unknown = new ArrayList<>();
        for (String type : eventTypes.split(",")) {
            String t = type.trim();
            if (t.isEmpty()) {
                continue;
            }
            if (!known.contains(t)) {
                unknown.add(t);
                continue;
            }
            ObjectNode s = array.addObject().put("event_type", t);
            String filter = filters.get(t);
            if (filter == null || filter.isBlank()) {
                s.putNull("filter");
            } else {
                try {
                    s.set("filter", JSON.readTree(filter));
                } catch (Exception e) {
                    throw new io.github.attiocamel.config.StartupException("invalid setting attio.webhook.filter." + t
                            + ": not JSON (Attio's filter, e.g. {\"$and\":[{\"field\":\"id.list_id\",\"operator\":"
                            + "\"equals\",\"value\":\"...\"}]})");
                }
            }
        }
        if (!unknown.isEmpty()) {
            throw new io.github.attiocamel.config.StartupException("invalid setting attio.webhook.subscriptions "
                    + "(env ATTIO_WEBHOOK_SUBSCRIPTIONS): unknown event types " + unknown + "; Attio's are "
                    + new java.util.TreeSet<>(known));
        }
        Set<String> filtered = filters.keySet();
        for (String t : filtered) {
            if (array.findValuesAsText("event_type").stream().noneMatch(t::equals)) {
                throw new io.github.attiocamel.config.StartupException("invalid setting attio.webhook.filter." + t
                        + ": that event type is not in attio.webhook.subscriptions");
            }
        }
        return array;
    }
}
