package io.github.attiocamel.contacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.attiocamel.config.MessageContract;
import io.github.attiocamel.gateway.AttioGateway;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.Variable;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The conflict policy's two steps of the contact flow. {@link #hold} (before the person is written) reads the person
 * Attio holds and takes out of the write each attribute whose policy keeps Attio's newer value; {@link #queue} (after
 * the write) puts those into the conflict queue and counts them in {@code attio.contacts.conflicts}. Multiselects are
 * never checked: the flow only adds to them, it overwrites nothing there.
 */
final class ContactConflicts {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final AttioGateway gateway;
    private final ConflictRepository repository;
    private final Map<String, ConflictPolicy> policies;
    private final Supplier<MeterRegistry> registry;
    private final Clock clock;

    ContactConflicts(AttioGateway gateway, ConflictRepository repository, Map<String, ConflictPolicy> policies,
                     Supplier<MeterRegistry> registry, Clock clock) {
        this.gateway = gateway;
        this.repository = repository;
        this.policies = policies;
        this.registry = registry;
        this.clock = clock;
    }

    ConflictPolicy policy(String slug) {
        return policies.getOrDefault(slug, policies.get("default"));
    }

    /** One read of the person, and only when an attribute of this contact is not local-wins. */
    public ContactUpsert hold(ContactUpsert c) {
        List<String> checked = new ArrayList<>();
        c.personValues.fieldNames().forEachRemaining(slug -> {
            if (!"email_addresses".equals(slug) && policy(slug) != ConflictPolicy.LOCAL_WINS) {
                checked.add(slug);
            }
        });
        if (checked.isEmpty()) {
            return c;
        }
        ObjectNode query = NODES.objectNode();
        query.putObject("filter").put("email_addresses", c.email);
        query.put("limit", 1);
        List<JsonNode> found = gateway.queryRecords("people", query);
        if (found.isEmpty()) {
            return c;
        }
        String recordId = ContactWriter.recordId(found.get(0));
        JsonNode values = found.get(0).path("values");
        Instant now = clock.instant();
        for (String slug : checked) {
            ArrayNode held = active(values.path(slug));
            ArrayNode wanted = (ArrayNode) c.personValues.get(slug);
            // an empty value, or the one already there, overwrites nothing a person wrote
            if (held.isEmpty() || ContactWriter.additions(held, wanted).isEmpty()) {
                continue;
            }
            Instant activeFrom = latestActiveFrom(held);
            ConflictPolicy policy = policy(slug);
            if (activeFrom != null && policy.keepsAttio(activeFrom, c.updatedAt)) {
                c.personValues.remove(slug);
                c.conflicts.add(new ContactConflict(null, recordId, c.email, slug, policy, wanted, c.updatedAt, held,
                        activeFrom, null, null, now, null, null));
            }
        }
        return c;
    }

    /** After the person write: queue what {@link #hold} took out, with the batch row it came from (if any). */
    public ContactUpsert queue(ContactUpsert c, @Variable(MessageContract.JOB_ID) String jobId,
                               @Variable(MessageContract.ROW) ContactRows.Row row) {
        List<ContactConflict> queued = new ArrayList<>();
        for (ContactConflict conflict : c.conflicts) {
            ContactConflict withJob = new ContactConflict(null, c.personId, conflict.email(), conflict.attribute(),
                    conflict.policy(), conflict.localValue(), conflict.localUpdatedAt(), conflict.attioValue(),
                    conflict.attioActiveFrom(), jobId, row == null ? null : row.rowNo(), conflict.detectedAt(), null,
                    null);
            queued.add(withJob.queued(repository.queue(withJob)));
            Counter.builder("attio.contacts.conflicts")
                    .description("Person attributes a contact write held back for the conflict queue (policy kept Attio's value)")
                    .tag("attribute", conflict.attribute()).tag("policy", conflict.policy().setting)
                    .register(registry.get()).increment();
        }
        c.conflicts.clear();
        c.conflicts.addAll(queued);
        return c;
    }

    private static ArrayNode active(JsonNode values) {
        ArrayNode out = NODES.arrayNode();
        if (values.isArray()) {
            for (JsonNode v : values) {
                if (v.path("active_until").isNull() || v.path("active_until").isMissingNode()) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    private static Instant latestActiveFrom(ArrayNode held) {
        Instant latest = null;
        for (Iterator<JsonNode> it = held.elements(); it.hasNext(); ) {
            String text = it.next().path("active_from").asText(null);
            try {
                Instant at = text == null ? null : Instant.parse(text);
                if (at != null && (latest == null || at.isAfter(latest))) {
                    latest = at;
                }
            } catch (DateTimeParseException e) {
                throw new IllegalStateException("Attio answered active_from " + text + ", not an ISO-8601 instant", e);
            }
        }
        return latest;
    }
}
