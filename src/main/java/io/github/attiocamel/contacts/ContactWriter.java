package io.github.attiocamel.contacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.attiocamel.gateway.AttioException;
import io.github.attiocamel.gateway.AttioGateway;
import io.github.attiocamel.mirror.OwnWrites;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Steps 4-6 of the contact flow, the writes: assert the person by {@code email_addresses} (linked to the company),
 * assert the pipeline entry by parent record, add the note once. Each is idempotent, so a replayed contact creates
 * nothing new. The person as Attio answered the write goes into the mirror ({@link OwnWrites}), so the webhooks of
 * this write publish nothing back to the system that sent the contact.
 */
public final class ContactWriter {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final AttioGateway gateway;
    private final ContactNoteRepository notes;
    private final OwnWrites ownWrites;
    private final String companyAttribute;

    public ContactWriter(AttioGateway gateway, ContactNoteRepository notes, OwnWrites ownWrites,
                         String companyAttribute) {
        this.gateway = gateway;
        this.notes = notes;
        this.ownWrites = ownWrites;
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
     * One read (is the person there, with which multiselect values) and one assert. An assert replaces the
     * multiselects it carries, and a read value cannot always be written back as it was (actor references, locations,
     * a phone's country), so for a known person only the new values go out, in a PATCH, which prepends them.
     */
    public ContactUpsert assertPerson(ContactUpsert c) {
        JsonNode current = c.reportCreated || !c.personMultiselects.isEmpty() ? findPerson(c.email) : null;
        ObjectNode values = c.personValues.deepCopy();
        if (c.companyId != null) {
            values.putArray(companyAttribute).addObject().put("target_object", "companies")
                    .put("target_record_id", c.companyId);
        }
        ObjectNode additions = NODES.objectNode();
        c.personMultiselects.forEach((slug, wanted) -> {
            if (current == null) {
                values.set(slug, wanted);
            } else {
                ArrayNode added = additions(current.path("values").path(slug), wanted);
                if (!added.isEmpty()) {
                    additions.set(slug, added);
                }
            }
        });
        JsonNode person = gateway.assertRecord("people", "email_addresses", values);
        c.personId = recordId(person);
        Set<String> written = new LinkedHashSet<>();
        values.fieldNames().forEachRemaining(written::add);
        if (!additions.isEmpty()) {
            person = gateway.updateRecord("people", c.personId, additions);
            additions.fieldNames().forEachRemaining(written::add);
        }
        ownWrites.recordWritten("people", person, written);
        c.personCreated = current == null;
        return c;
    }

    private JsonNode findPerson(String email) {
        ObjectNode query = NODES.objectNode();
        query.putObject("filter").put("email_addresses", email);
        query.put("limit", 1);
        List<JsonNode> found = gateway.queryRecords("people", query);
        return found.isEmpty() ? null : found.get(0);
    }

    /** Asserts by parent record (the person, or the company for a company list); a read first tells if it is new. */
    public ContactUpsert assertEntry(ContactUpsert c) {
        boolean byCompany = "companies".equals(c.entryParentObject);
        String parentId = byCompany ? c.companyId : c.personId;
        boolean parentCreated = byCompany ? c.companyCreated : c.personCreated;
        boolean existed = false;
        if (c.reportCreated && !parentCreated) {
            for (JsonNode entry : gateway.recordEntries(c.entryParentObject, parentId)) {
                existed |= c.pipelineList.equals(entry.path("list_api_slug").asText())
                        || c.pipelineList.equals(entry.path("list_id").asText());
            }
        }
        JsonNode entry = gateway.assertEntry(c.pipelineList, c.entryParentObject, parentId, c.entryValues);
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
            JsonNode note = claim.mayExist()
                    ? gateway.createNoteIfAbsent("people", c.personId, c.noteTitle, "markdown", c.noteContent)
                    : gateway.createNote("people", c.personId, c.noteTitle, "markdown", c.noteContent);
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

    /** The wanted values (write form) that none of the current values (read form) already holds. */
    static ArrayNode additions(JsonNode current, ArrayNode wanted) {
        List<JsonNode> held = new java.util.ArrayList<>();
        if (current != null && current.isArray()) {
            for (JsonNode read : current) {
                if (read.path("active_until").isNull() || read.path("active_until").isMissingNode()) {
                    held.add(read);
                }
            }
        }
        ArrayNode out = NODES.arrayNode();
        for (JsonNode w : wanted) {
            if (held.stream().noneMatch(read -> same(read, w))) {
                out.add(w);
            }
        }
        return out;
    }

    /** Whether a read value is the value a write form describes: phones by digits, text forms by their field. */
    private static boolean same(JsonNode read, JsonNode write) {
        if (write.has("original_phone_number")) {
            String digits = digits(write.path("original_phone_number").asText());
            return digits.equals(digits(read.path("phone_number").asText()))
                    || digits.equals(digits(read.path("original_phone_number").asText()));
        }
        if (write.isTextual()) {
            String w = write.asText();
            for (JsonNode field : List.of(read.path("option").path("title"), read.path("status").path("title"),
                    read.path("email_address"), read.path("domain"), read.path("value"))) {
                if (field.isValueNode() && !field.isNull() && field.asText().equalsIgnoreCase(w)) {
                    return true;
                }
            }
            return false;
        }
        if (write.has("workspace_member_email_address") || write.has("referenced_actor_id")) {
            return write.path("referenced_actor_id").asText("\0").equals(read.path("referenced_actor_id").asText());
        }
        if (write.has("target_record_id")) {
            return write.path("target_record_id").asText().equals(read.path("target_record_id").asText());
        }
        ObjectNode stripped = read.deepCopy();
        stripped.remove(List.of("active_from", "active_until", "created_by_actor", "attribute_type"));
        return stripped.equals(write) || (read.has("value") && read.get("value").equals(write));
    }

    private static String digits(String text) {
        return text.replaceAll("[^0-9]", "");
    }
}
