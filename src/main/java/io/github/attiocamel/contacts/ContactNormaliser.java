package io.github.attiocamel.contacts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import io.github.attiocamel.api.ValidationException;
import io.github.attiocamel.config.MessageContract;
import io.github.attiocamel.gateway.AttioSlug;

import java.util.HashSet;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Step 1 of the contact flow: checks and normalises the input (trim, lower-case email and domains, company domain
 * from the email unless free-mail) and rejects what can be rejected without Attio, collecting every field error.
 * Type checks that need the schema (phone, number, select...) follow in {@link AttioValueMapper}.
 */
public final class ContactNormaliser {

    private static final ObjectMapper JSON = new ObjectMapper();
    // RFC 5322 "dot-atom" local part and an LDH domain with at least one dot: what Attio accepts as an email.
    private static final Pattern EMAIL = Pattern.compile(
            "^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$");
    private static final Pattern DOMAIN = Pattern.compile("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$");
    private static final int MAX_TEXT = 2000;

    private final ContactMapping mapping;
    private final Set<String> freeMailDomains;
    private final String defaultList;

    public ContactNormaliser(ContactMapping mapping, Set<String> freeMailDomains, String defaultList) {
        this.mapping = mapping;
        this.freeMailDomains = new HashSet<>();
        freeMailDomains.forEach(d -> this.freeMailDomains.add(d.trim().toLowerCase(Locale.ROOT)));
        this.defaultList = defaultList;
    }

    /** Body: a JSON object as Map, JsonNode, String or bytes. Field errors are kept for the mapping step to add to. */
    public ContactUpsert normalise(Object body) {
        return normalise(body, null);
    }

    /**
     * @param reportCreated variable {@value MessageContract#REPORT_CREATED}: "false" when the caller ignores the created flags
     *                      (a batch), which spares a read per contact unless multiselects must be merged
     */
    public ContactUpsert normalise(@org.apache.camel.Body Object body,
                                   @org.apache.camel.Variable(MessageContract.REPORT_CREATED) String reportCreated) {
        JsonNode in = toJson(body);
        ContactUpsert c = new ContactUpsert();
        c.reportCreated = !"false".equalsIgnoreCase(reportCreated);
        Map<String, String> errors = c.fieldErrors;
        Iterator<Map.Entry<String, JsonNode>> fields = in.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String name = f.getKey();
            JsonNode value = f.getValue();
            if (value.isNull()) {
                continue;
            }
            switch (name) {
                case "email" -> c.email = email(value, errors);
                case "first_name" -> c.firstName = text(name, value, errors);
                case "last_name" -> c.lastName = text(name, value, errors);
                case "company" -> company(value, c);
                case "pipeline" -> pipeline(value, c);
                case "note" -> note(value, c);
                case "updated_at" -> c.updatedAt = instant(name, value, errors);
                default -> {
                    if (mapping.person().containsKey(name)) {
                        c.personFields.put(name, trimmed(value));
                    } else {
                        errors.put(name, "unknown field; known: email, first_name, last_name, company, pipeline, note, updated_at"
                                + (mapping.personFields().isEmpty() ? "" : ", " + String.join(", ", mapping.personFields())));
                    }
                }
            }
        }
        if (c.email == null && !errors.containsKey("email")) {
            errors.put("email", "required");
        }
        if (c.pipelineList != null && !AttioSlug.isSlug(c.pipelineList)) {
            // it would become a path segment to Attio: refused before any call, even a schema read
            errors.put("pipeline.list", AttioSlug.EXPECTED);
            throw new ValidationException(errors);
        }
        if (c.companyDomain == null && c.email != null && !in.has("company")) {
            String domain = c.email.substring(c.email.indexOf('@') + 1);
            if (!freeMailDomains.contains(domain)) {
                c.companyDomain = domain;
                c.companyFromEmail = true;
            }
        }
        return c;
    }

    private static JsonNode toJson(Object body) {
        JsonNode node;
        try {
            if (body instanceof JsonNode j) {
                node = j;
            } else if (body instanceof String s) {
                node = JSON.readTree(s);
            } else if (body instanceof byte[] b) {
                node = JSON.readTree(b);
            } else {
                node = JSON.valueToTree(body);
            }
        } catch (JsonProcessingException e) {
            throw new ValidationException(Map.of("body", "not valid JSON: " + e.getOriginalMessage()));
        } catch (IllegalArgumentException e) {
            throw new ValidationException(Map.of("body", "not a JSON object: " + e.getMessage()));
        } catch (java.io.IOException e) {
            throw new ValidationException(Map.of("body", "cannot read: " + e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            throw new ValidationException(Map.of("body", "expected a JSON object with at least \"email\", sent as "
                    + "Content-Type: application/json"));
        }
        return node;
    }

    private static String email(JsonNode value, Map<String, String> errors) {
        if (!value.isTextual()) {
            errors.put("email", "must be a string");
            return null;
        }
        String email = value.asText().trim().toLowerCase(Locale.ROOT);
        if (email.length() > 254 || !EMAIL.matcher(email).matches()) {
            errors.put("email", "not a valid email address");
            return null;
        }
        return email;
    }

    private void company(JsonNode value, ContactUpsert c) {
        if (!value.isObject()) {
            c.fieldErrors.put("company", "must be an object with \"domain\"");
            return;
        }
        value.fields().forEachRemaining(f -> {
            String path = "company." + f.getKey();
            if (f.getValue().isNull()) {
                return;
            }
            if (f.getKey().equals("domain")) {
                String domain = domain(f.getValue());
                if (domain == null) {
                    c.fieldErrors.put(path, "not a valid domain (e.g. acme.com)");
                } else {
                    c.companyDomain = domain;
                }
            } else if (mapping.company().containsKey(f.getKey())) {
                c.companyFields.put(f.getKey(), trimmed(f.getValue()));
            } else {
                c.fieldErrors.put(path, "unknown field; known: domain"
                        + (mapping.company().isEmpty() ? "" : ", " + String.join(", ", mapping.company().keySet())));
            }
        });
        if (c.companyDomain == null && !c.fieldErrors.containsKey("company.domain")) {
            c.fieldErrors.put("company.domain", "required: companies are matched by domain");
        }
    }

    private void pipeline(JsonNode value, ContactUpsert c) {
        if (!value.isObject()) {
            c.fieldErrors.put("pipeline", "must be an object, e.g. {\"list\":\"sales\",\"stage\":\"Lead\"}");
            return;
        }
        c.pipelineList = defaultList;
        value.fields().forEachRemaining(f -> {
            String path = "pipeline." + f.getKey();
            if (f.getValue().isNull()) {
                return;
            }
            if (f.getKey().equals("list")) {
                String list = text(path, f.getValue(), c.fieldErrors);
                if (list != null && !list.isEmpty()) {
                    c.pipelineList = list;
                }
            } else if (mapping.entry().containsKey(f.getKey())) {
                c.pipelineFields.put(f.getKey(), trimmed(f.getValue()));
            } else {
                c.fieldErrors.put(path, "unknown field; known: list"
                        + (mapping.entry().isEmpty() ? "" : ", " + String.join(", ", mapping.entry().keySet())));
            }
        });
        if (c.pipelineList == null || c.pipelineList.isEmpty()) {
            c.fieldErrors.put("pipeline.list", "required (no attio.contacts.default-list configured)");
            c.pipelineList = null;
        }
    }

    private static void note(JsonNode value, ContactUpsert c) {
        if (!value.isObject()) {
            c.fieldErrors.put("note", "must be an object with \"title\" and \"content\"");
            return;
        }
        value.fields().forEachRemaining(f -> {
            if (!f.getKey().equals("title") && !f.getKey().equals("content")) {
                c.fieldErrors.put("note." + f.getKey(), "unknown field; known: title, content");
            }
        });
        c.noteTitle = value.hasNonNull("title") ? text("note.title", value.get("title"), c.fieldErrors) : null;
        c.noteContent = value.hasNonNull("content") ? textOfAnyLength("note.content", value.get("content"), c.fieldErrors) : null;
        if (c.noteTitle == null && !c.fieldErrors.containsKey("note.title")) {
            c.fieldErrors.put("note.title", "required");
        }
        if (c.noteContent == null && !c.fieldErrors.containsKey("note.content")) {
            c.fieldErrors.put("note.content", "required");
        }
    }

    /** An ISO-8601 instant with its offset ({@code 2026-11-28T10:00:00Z}): a time without a zone means nothing here. */
    private static java.time.Instant instant(String path, JsonNode value, Map<String, String> errors) {
        try {
            if (value.isTextual()) {
                return java.time.OffsetDateTime.parse(value.asText().trim()).toInstant();
            }
        } catch (java.time.format.DateTimeParseException e) {
            // reported below
        }
        errors.put(path, "must be an ISO-8601 timestamp with an offset, e.g. 2026-11-28T10:00:00Z");
        return null;
    }

    /** Lower-cases and strips what people paste: scheme, "www.", path, port, trailing dot. Null if not a domain. */
    static String domain(JsonNode value) {
        if (!value.isTextual()) {
            return null;
        }
        String d = value.asText().trim().toLowerCase(Locale.ROOT);
        d = d.replaceFirst("^[a-z][a-z0-9+.-]*://", "");
        int cut = indexOfAny(d, "/?#:");
        if (cut >= 0) {
            d = d.substring(0, cut);
        }
        if (d.startsWith("www.")) {
            d = d.substring(4);
        }
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        return d.length() <= 253 && DOMAIN.matcher(d).matches() ? d : null;
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    private static String text(String path, JsonNode value, Map<String, String> errors) {
        String s = textOfAnyLength(path, value, errors);
        if (s != null && s.length() > MAX_TEXT) {
            errors.put(path, "longer than " + MAX_TEXT + " characters");
            return null;
        }
        return s;
    }

    private static String textOfAnyLength(String path, JsonNode value, Map<String, String> errors) {
        if (!value.isTextual()) {
            errors.put(path, "must be a string");
            return null;
        }
        return value.asText().trim();
    }

    private static JsonNode trimmed(JsonNode value) {
        return value.isTextual() ? TextNode.valueOf(value.asText().trim()) : value;
    }
}
