package io.github.attiocamel.contacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One contact on its way through {@code direct:attio-upsert-contact}: the normalised input, the Attio values
 * prepared from it (checked against the schema before any write), then the ids each step obtained. The route's
 * body from the first step to the last.
 */
public final class ContactUpsert {

    /** False when the caller does not need the created flags (batch rows): spares the reads that tell them. */
    boolean reportCreated = true;

    // ---- normalised input ----
    String email;
    String firstName;
    String lastName;
    /** Mapped top-level fields present in the input, by intake field name. */
    final Map<String, JsonNode> personFields = new LinkedHashMap<>();
    String companyDomain;
    /** True when the domain came from the email rather than from {@code company}. */
    boolean companyFromEmail;
    final Map<String, JsonNode> companyFields = new LinkedHashMap<>();
    String pipelineList;
    /** The slug of the object the pipeline list holds (people or companies), read from the list. */
    String entryParentObject;
    final Map<String, JsonNode> pipelineFields = new LinkedHashMap<>();
    String noteTitle;
    String noteContent;
    final Map<String, String> fieldErrors = new LinkedHashMap<>();
    /** When the local system last changed or saw this contact (input updated_at); null when it did not say. */
    Instant updatedAt;

    // ---- Attio values, prepared before any write ----
    ObjectNode personValues;
    /** Multiselect person attributes whose values must be merged with the current ones (never wiped). */
    final Map<String, com.fasterxml.jackson.databind.node.ArrayNode> personMultiselects = new LinkedHashMap<>();
    ObjectNode companyValues;
    ObjectNode entryValues;

    // ---- results ----
    String companyId;
    String personId;
    String entryId;
    String noteId;
    boolean companyCreated;
    boolean personCreated;
    Boolean entryCreated;
    boolean noteCreated;
    /** Person attributes the conflict policy kept out of the write: queued, and listed in the answer. */
    final List<ContactConflict> conflicts = new ArrayList<>();

    public String getEmail() {
        return email;
    }

    public boolean isCompanyRequested() {
        return companyDomain != null;
    }

    public boolean isPipelineRequested() {
        return pipelineList != null;
    }

    public boolean isNoteRequested() {
        return noteTitle != null || noteContent != null;
    }

    public boolean isConflicted() {
        return !conflicts.isEmpty();
    }

    public String getPersonId() {
        return personId;
    }

    /** The answer of POST /api/contacts: Attio ids (null for parts not requested) and what was created. */
    public Map<String, Object> toResponse() {
        Map<String, Object> created = new LinkedHashMap<>();
        created.put("company", isCompanyRequested() ? companyCreated : null);
        created.put("person", reportCreated ? personCreated : null);
        created.put("entry", isPipelineRequested() && reportCreated ? entryCreated : null);
        created.put("note", isNoteRequested() ? noteCreated : null);
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("person_id", personId);
        response.put("company_id", companyId);
        response.put("entry_id", entryId);
        response.put("note_id", noteId);
        response.put("created", created);
        response.put("conflicts", conflicts.stream().map(ContactConflict::toAnswer).toList());
        return response;
    }
}
