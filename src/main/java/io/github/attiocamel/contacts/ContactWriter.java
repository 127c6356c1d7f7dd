package io.github.attiocamel.contacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.attiocamel.gateway.AttioException;
import io.github.attiocamel.gateway.AttioGateway;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Steps 4-6 of the contact flow, the writes: assert the person by {@code email_addresses} (linked to the company),
 * assert the pipeline entry by parent record, add the note once. Each is idempotent, so a replayed contact creates
 * nothing new.
 */
public final class ContactWriter {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final AttioGateway gateway;
    private final ContactNoteRepository notes;
    private final String companyAttribute;

    public ContactWriter(AttioGateway gateway, ContactNoteRepository notes, String companyAttribute) {
        this.gateway = gateway;
        this.notes = notes;
        this.companyAttribute = companyAttribute;
    }

    /** Fails fast with 503 while the breaker is open, before any read or write of this contact. */
    public ContactUpsert ensureAttioAvailable(ContactUpsert c) {
        if ("OPEN".equals(gateway.circuitBreakerState())) {
            throw new AttioException(503, "attio_unavailable", "attio_unavailable",
                    "Attio is unavailable (circuit breaker open); retry later");
        }
        return c;
    }

    /**
     * One read (is the person there, with which multiselect values) and one assert. Multiselect attributes are sent
     * only when a value is new, and then with the current values kept, because an assert replaces them.
     */
    public ContactUpsert assertPerson(ContactUpsert c) {
        JsonNode current = c.reportCreated || !c.personMultiselects.isEmpty() ? findPerson(c.email) : null;
        ObjectNode values = c.personValues.deepCopy();
        if (c.companyId != null) {
            values.putArray(companyAttribute).addObject().put("target_object", "companies")
                    .put("target_record_id", c.companyId);
        }
        c.personMultiselects.forEach((slug, wanted) -> {
            ArrayNode merged = merge(current == null ? null : current.path("values").path(slug), wanted);
            if (merged != null) {
                values.set(slug, merged);
            }
        });
        c.personId = recordId(gateway.assertRecord("people", "email_addresses", values));
        c.personCreated = current == null;
        return c;
    }

    /** Asserts by parent record; a read first (only for a known person) tells whether the entry is new. */
    private JsonNode findPerson(String email) {
        ObjectNode query = NODES.objectNode();
        query.putObject("filter").put("email_addresses", email);
        query.put("limit", 1);
        List<JsonNode> found = gateway.queryRecords("people", query);
        return found.isEmpty() ? null : found.get(0);
    }

    public ContactUpsert assertEntry(ContactUpsert c) {
        boolean existed = false;
        if (c.reportCreated && !c.personCreated) {
            ObjectNode query = NODES.objectNode();
            query.putObject("filter").put("parent_record_id", c.personId);
            query.put("limit", 1);
            existed = !gateway.queryEntries(c.pipelineList, query).isEmpty();
        }
        JsonNode entry = gateway.assertEntry(c.pipelineList, "people", c.personId, c.entryValues);
        c.entryId = entry.path("id").path("entry_id").asText(null);
        c.entryCreated = !existed;
        return c;
    }

    /** Notes cannot be asserted: a key over person, title and content, claimed in the store, makes it once-only. */
    public ContactUpsert addNote(ContactUpsert c) {
        String key = noteKey(c.personId, c.noteTitle, c.noteContent);
        ContactNoteRepository.Claim claim = notes.claim(key, "people", c.personId);
        if (!claim.claimed()) {
            c.noteId = claim.existingNoteId();
            return c;
        }
        try {
            JsonNode note = gateway.createNote("people", c.personId, c.noteTitle, "markdown", c.noteContent);
            c.noteId = note.path("id").path("note_id").asText(null);
            c.noteCreated = true;
            notes.complete(key, c.noteId);
        } catch (RuntimeException e) {
            notes.release(key);
            throw e;
        }
        return c;
    }

    static String recordId(JsonNode record) {
        String id = record.path("id").path("record_id").asText(null);
        if (id == null) {
            throw new IllegalStateException("Attio answered a record without id.record_id");
        }
        return id;
    }

    static String noteKey(String personId, String title, String content) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(("people\n" + personId + "\n" + title + "\n" + content).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Current values (read form) plus the wanted ones (write form); null when nothing is new (send nothing). */
    static ArrayNode merge(JsonNode current, ArrayNode wanted) {
        Map<String, JsonNode> all = new LinkedHashMap<>();
        if (current != null && current.isArray()) {
            for (JsonNode read : current) {
                if (read.path("active_until").isNull() || read.path("active_until").isMissingNode()) {
                    writeForm(read).ifPresent(v -> all.put(identity(v), v));
                }
            }
        }
        boolean added = false;
        for (JsonNode w : wanted) {
            added |= all.putIfAbsent(identity(w), w) == null;
        }
        return added ? array(all) : null;
    }

    private static ArrayNode array(Map<String, JsonNode> values) {
        ArrayNode out = NODES.arrayNode();
        values.values().forEach(out::add);
        return out;
    }

    /** A read value turned back into what an assert accepts, so it survives the replacement. */
    private static Optional<JsonNode> writeForm(JsonNode read) {
        String type = read.path("attribute_type").asText();
        return switch (type) {
            case "phone-number" -> text(read, "original_phone_number")
                    .map(p -> NODES.objectNode().put("original_phone_number", p));
            case "select" -> text(read.path("option"), "title").map(NODES::textNode);
            case "status" -> text(read.path("status"), "title").map(NODES::textNode);
            case "email-address" -> text(read, "email_address").map(NODES::textNode);
            case "domain" -> text(read, "domain").map(NODES::textNode);
            case "record-reference" -> text(read, "target_record_id").map(id -> NODES.objectNode()
                    .put("target_object", read.path("target_object").asText()).put("target_record_id", id));
            default -> read.has("value") ? Optional.of(read.get("value")) : Optional.empty();
        };
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isTextual() ? Optional.of(v.asText()) : Optional.empty();
    }

    /** Equality for merging: phone numbers by digits, everything else by JSON. */
    private static String identity(JsonNode writeValue) {
        if (writeValue.has("original_phone_number")) {
            return "phone:" + writeValue.get("original_phone_number").asText().replaceAll("[^0-9]", "");
        }
        return writeValue.toString();
    }
}
