package io.github.attiocamel.contacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.attiocamel.api.ValidationException;
import io.github.attiocamel.gateway.AttioGateway;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Step 2 of the contact flow: turns the normalised contact into Attio write values (always arrays), in the form the
 * attribute's type needs, and checks them against the schema cache BEFORE anything is written: a wrong type is a
 * field error (400), an unknown select option or status title is a {@link SchemaMismatchException} naming the
 * valid titles (422). Multiselect person attributes are set aside to be merged with the current values, because
 * an assert replaces the multiselects it carries.
 */
public final class AttioValueMapper {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    // International format: a plus, a country code and 7 to 15 digits in all, with the usual separators.
    private static final Pattern PHONE = Pattern.compile("^\\+[0-9][0-9 ().-]{6,24}$");

    private static final List<String> LOCATION_FIELDS = List.of("line_1", "line_2", "line_3", "line_4", "locality",
            "region", "postcode", "country_code", "latitude", "longitude");
    private static final List<String> INTERACTION_TYPES = List.of("calendar-event", "call", "chat-thread", "email",
            "in-person-meeting", "meeting");

    private final AttioGateway gateway;
    private final ContactMapping mapping;

    private final String companyAttribute;

    public AttioValueMapper(AttioGateway gateway, ContactMapping mapping, String companyAttribute) {
        this.gateway = gateway;
        this.mapping = mapping;
        this.companyAttribute = companyAttribute;
    }

    public ContactUpsert prepare(ContactUpsert c) {
        List<String> mismatches = new ArrayList<>();
        preparePerson(c, mismatches);
        if (c.companyDomain != null) {
            prepareCompany(c, mismatches);
        }
        if (c.pipelineList != null) {
            prepareEntry(c, mismatches);
        }
        if (!c.fieldErrors.isEmpty()) {
            throw new ValidationException(c.fieldErrors);
        }
        if (mismatches.isEmpty()) {
            requiredValues(c, mismatches);
        }
        if (!mismatches.isEmpty()) {
            throw new SchemaMismatchException(String.join("; ", mismatches));
        }
        return c;
    }

    /**
     * A workspace may make attributes required: a create without them fails with missing_value after earlier writes,
     * so a record this contact would create must carry them (an existing one already does). One read tells.
     */
    private void requiredValues(ContactUpsert c, List<String> mismatches) {
        List<String> person = missingRequired("people", c.personValues, c.personMultiselects.keySet(),
                c.companyDomain != null ? companyAttribute : null);
        if (!person.isEmpty() && !exists("people", "email_addresses", c.email)) {
            mismatches.add("people requires " + String.join(", ", person) + " to create a person (map them in"
                    + " attio.contacts.mapping.person.*)");
        }
        if (c.companyDomain != null) {
            List<String> company = missingRequired("companies", c.companyValues, java.util.Set.of(), null);
            if (!company.isEmpty() && !exists("companies", "domains", c.companyDomain)) {
                mismatches.add("companies requires " + String.join(", ", company) + " to create a company (map them in"
                        + " attio.contacts.mapping.company.*)");
            }
        }
    }

    private List<String> missingRequired(String object, ObjectNode values, java.util.Set<String> also, String linked) {
        List<String> missing = new ArrayList<>();
        for (JsonNode a : attributes("objects", object).values()) {
            String slug = a.path("api_slug").asText();
            if (a.path("is_required").asBoolean(false) && !a.path("is_system_attribute").asBoolean(false)
                    && !a.path("is_archived").asBoolean(false) && !values.has(slug) && !also.contains(slug)
                    && !slug.equals(linked)) {
                missing.add(slug);
            }
        }
        return missing;
    }

    private boolean exists(String object, String slug, String value) {
        ObjectNode query = NODES.objectNode();
        query.putObject("filter").put(slug, value);
        query.put("limit", 1);
        return !gateway.queryRecords(object, query).isEmpty();
    }

    private void preparePerson(ContactUpsert c, List<String> mismatches) {
        ObjectNode values = NODES.objectNode();
        if (c.email != null) {
            values.putArray("email_addresses").add(c.email);
        }
        if (c.firstName != null || c.lastName != null) {
            String first = c.firstName == null ? "" : c.firstName;
            String last = c.lastName == null ? "" : c.lastName;
            values.putArray("name").addObject().put("first_name", first).put("last_name", last)
                    .put("full_name", (first + " " + last).trim());
        }
        if (!c.personFields.isEmpty()) {
            Map<String, JsonNode> attributes = attributes("objects", "people");
            c.personFields.forEach((field, raw) -> {
                String slug = mapping.person().get(field);
                JsonNode attribute = attribute(attributes, "people", slug, field, mismatches);
                ArrayNode array = attribute == null ? null : values(field, raw, attribute, "objects", "people", c, mismatches);
                if (array != null) {
                    if (attribute.path("is_multiselect").asBoolean(false)) {
                        c.personMultiselects.put(slug, array);
                    } else {
                        values.set(slug, array);
                    }
                }
            });
        }
        c.personValues = values;
    }

    private void prepareCompany(ContactUpsert c, List<String> mismatches) {
        ObjectNode values = NODES.objectNode();
        values.putArray("domains").add(c.companyDomain);
        if (!c.companyFields.isEmpty()) {
            Map<String, JsonNode> attributes = attributes("objects", "companies");
            c.companyFields.forEach((field, raw) -> {
                String slug = mapping.company().get(field);
                JsonNode attribute = attribute(attributes, "companies", slug, "company." + field, mismatches);
                ArrayNode array = attribute == null ? null
                        : values("company." + field, raw, attribute, "objects", "companies", c, mismatches);
                if (array != null) {
                    values.set(slug, array);
                }
            });
        }
        c.companyValues = values;
    }

    private void prepareEntry(ContactUpsert c, List<String> mismatches) {
        c.entryParentObject = parentObject(c.pipelineList);
        if ("companies".equals(c.entryParentObject)) {
            if (c.companyDomain == null) {
                mismatches.add("pipeline.list: list '" + c.pipelineList + "' holds companies and this contact has"
                        + " none (give company.domain or a work email)");
            }
        } else if (!"people".equals(c.entryParentObject)) {
            mismatches.add("pipeline.list: list '" + c.pipelineList + "' holds " + c.entryParentObject
                    + "; a contact can be entered only in a list of people or companies");
        }
        ObjectNode values = NODES.objectNode();
        Map<String, JsonNode> attributes = attributes("lists", c.pipelineList);
        c.pipelineFields.forEach((field, raw) -> {
            String slug = mapping.entry().get(field);
            JsonNode attribute = attribute(attributes, c.pipelineList, slug, "pipeline." + field, mismatches);
            if (attribute != null && attribute.path("is_multiselect").asBoolean(false)) {
                // an entry assert replaces multiselects and entries have no cheap read-merge here: refuse, not wipe
                mismatches.add(c.pipelineList + "." + slug + " is a multiselect attribute; mapping it would replace its"
                        + " current values on every contact");
                return;
            }
            ArrayNode array = attribute == null ? null
                    : values("pipeline." + field, raw, attribute, "lists", c.pipelineList, c, mismatches);
            if (array != null) {
                values.set(slug, array);
            }
        });
        c.entryValues = values;
    }

    /** The list's parent object as a slug (Attio answers {@code parent_object: [slug]}; an object id is resolved). */
    private String parentObject(String list) {
        JsonNode parent = gateway.list(list).path("parent_object");
        String value = parent.isArray() ? parent.path(0).asText("") : parent.asText("");
        for (JsonNode o : gateway.objects()) {
            if (value.equals(o.path("id").path("object_id").asText()) && o.path("api_slug").isTextual()) {
                return o.path("api_slug").asText();
            }
        }
        return value;
    }

    private Map<String, JsonNode> attributes(String target, String identifier) {
        Map<String, JsonNode> bySlug = new LinkedHashMap<>();
        for (JsonNode a : gateway.attributes(target, identifier)) {
            bySlug.put(a.path("api_slug").asText(), a);
        }
        return bySlug;
    }

    private static JsonNode attribute(Map<String, JsonNode> attributes, String owner, String slug, String field,
                                      List<String> mismatches) {
        JsonNode attribute = attributes.get(slug);
        if (attribute == null || attribute.path("is_archived").asBoolean(false)) {
            mismatches.add(field + ": " + owner + " has no attribute '" + slug + "' (check attio.contacts.mapping.*)");
            return null;
        }
        if (!attribute.path("is_writable").asBoolean(true)) {
            mismatches.add(field + ": " + owner + "." + slug + " is not writable");
            return null;
        }
        return attribute;
    }

    /** The write form of one input value (or array of values) for the attribute's type; null after an error. */
    private ArrayNode values(String field, JsonNode raw, JsonNode attribute, String target, String identifier,
                             ContactUpsert c, List<String> mismatches) {
        List<JsonNode> items = new ArrayList<>();
        if (raw.isArray()) {
            raw.forEach(items::add);
        } else {
            items.add(raw);
        }
        boolean multiselect = attribute.path("is_multiselect").asBoolean(false);
        if (items.size() > 1 && !multiselect) {
            c.fieldErrors.put(field, "takes one value");
            return null;
        }
        String type = attribute.path("type").asText();
        String slug = attribute.path("api_slug").asText();
        ArrayNode out = NODES.arrayNode();
        for (JsonNode item : items) {
            JsonNode value = value(type, item);
            if (value == null) {
                c.fieldErrors.put(field, expectation(type));
                return null;
            }
            if (type.equals("select") || type.equals("status")) {
                List<String> titles = titles(type, target, identifier, slug);
                if (!titles.contains(value.asText())) {
                    mismatches.add(field + ": '" + value.asText() + "' is not " + (type.equals("status") ? "a stage"
                            : "an option") + " of " + identifier + "." + slug + "; valid: " + String.join(", ", titles));
                    return null;
                }
            }
            out.add(value);
        }
        return out;
    }

    private List<String> titles(String type, String target, String identifier, String slug) {
        List<JsonNode> options = type.equals("status") ? gateway.statuses(target, identifier, slug)
                : gateway.selectOptions(target, identifier, slug);
        List<String> titles = new ArrayList<>();
        for (JsonNode o : options) {
            if (!o.path("is_archived").asBoolean(false)) {
                titles.add(o.path("title").asText());
            }
        }
        return titles;
    }

    private static JsonNode value(String type, JsonNode raw) {
        JsonNode item = fromText(type, raw);
        switch (type) {
            case "text", "email-address", "domain", "select", "status", "timestamp":
                return item.isTextual() && !item.asText().isEmpty() ? item : null;
            case "number":
                return item.isNumber() ? item : null;
            case "rating":
                return item.isIntegralNumber() && item.asInt() >= 0 && item.asInt() <= 5 ? item : null;
            case "currency":
                return item.isNumber() ? NODES.objectNode().set("currency_value", item) : null;
            case "checkbox":
                return item.isBoolean() ? item : null;
            case "date":
                try {
                    return item.isTextual() && LocalDate.parse(item.asText()) != null ? item : null;
                } catch (DateTimeParseException e) {
                    return null;
                }
            case "phone-number":
                if (!item.isTextual() || !PHONE.matcher(item.asText()).matches()) {
                    return null;
                }
                String digits = item.asText().replaceAll("[^0-9]", "");
                return digits.length() >= 7 && digits.length() <= 15
                        ? NODES.objectNode().put("original_phone_number", "+" + digits) : null;
            case "location":
                return location(item);
            case "actor-reference":
                if (item.isTextual() && item.asText().contains("@")) {
                    return NODES.objectNode().put("workspace_member_email_address", item.asText());
                }
                return item.isObject() && item.size() == 2 && "workspace-member".equals(item.path("referenced_actor_type")
                        .asText()) && item.path("referenced_actor_id").isTextual() ? item : null;
            case "interaction":
                return interaction(item);
            default:
                // a type whose input form the bundle does not know: refused, never passed on as given
                return null;
        }
    }

    /** Attio's location input needs every field: the ones given (strings or null), the others null. */
    private static JsonNode location(JsonNode item) {
        if (!item.isObject() || item.isEmpty()) {
            return null;
        }
        ObjectNode out = NODES.objectNode();
        for (String field : LOCATION_FIELDS) {
            JsonNode v = item.path(field);
            if (!v.isMissingNode() && !v.isNull() && !v.isTextual() && !(v.isNumber() && field.endsWith("itude"))) {
                return null;
            }
            out.set(field, v.isMissingNode() || v.isNull() ? NODES.nullNode() : NODES.textNode(v.asText()));
        }
        java.util.Iterator<String> names = item.fieldNames();
        while (names.hasNext()) {
            if (!LOCATION_FIELDS.contains(names.next())) {
                return null;
            }
        }
        String country = out.path("country_code").asText(null);
        return country == null || country.matches("[A-Z]{2}") ? out : null;
    }

    private static JsonNode interaction(JsonNode item) {
        boolean ok = item.isObject() && item.size() == 3
                && INTERACTION_TYPES.contains(item.path("interaction_type").asText())
                && item.path("interacted_at").isTextual()
                && item.path("owner_actor").path("type").isTextual() && item.path("owner_actor").path("id").isTextual();
        if (ok) {
            try {
                java.time.Instant.parse(item.path("interacted_at").asText());
            } catch (DateTimeParseException e) {
                ok = false;
            }
        }
        return ok ? item : null;
    }

    /** CSV cells arrive as text: read numbers and booleans where the attribute's type asks for them. */
    private static JsonNode fromText(String type, JsonNode item) {
        if (!item.isTextual()) {
            return item;
        }
        String text = item.asText();
        try {
            switch (type) {
                case "number", "currency":
                    return NODES.numberNode(new java.math.BigDecimal(text));
                case "rating":
                    return NODES.numberNode(Integer.parseInt(text));
                case "checkbox":
                    return text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")
                            ? NODES.booleanNode(Boolean.parseBoolean(text)) : item;
                default:
                    return item;
            }
        } catch (NumberFormatException e) {
            return item;
        }
    }

    private static String expectation(String type) {
        return switch (type) {
            case "number" -> "must be a number";
            case "rating" -> "must be an integer from 0 to 5";
            case "currency" -> "must be a number (the currency is the attribute's)";
            case "checkbox" -> "must be true or false";
            case "date" -> "must be a date YYYY-MM-DD";
            case "phone-number" -> "not a valid phone number: use international format, e.g. +44 20 7946 0958";
            case "location" -> "must be an object with some of " + String.join(", ", LOCATION_FIELDS)
                    + " (strings; country_code ISO 3166-1 alpha-2), nothing else";
            case "actor-reference" -> "must be a workspace member's email address or {\"referenced_actor_type\":"
                    + "\"workspace-member\",\"referenced_actor_id\":\"...\"}";
            case "interaction" -> "must be {\"interaction_type\", \"interacted_at\" (ISO timestamp), \"owner_actor\":"
                    + " {\"type\", \"id\"}}";
            case "text", "email-address", "domain", "select", "status", "timestamp" -> "must be a non-empty string";
            default -> "attributes of type " + type + " cannot be written by the bundle";
        };
    }
}
