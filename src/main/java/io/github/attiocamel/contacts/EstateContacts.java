package io.github.attiocamel.contacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.attiocamel.api.ValidationException;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.NoTypeConversionAvailableException;
import org.apache.camel.TypeConverter;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What route template {@code attio-contacts-from} does with an estate's messages: the contacts one message holds
 * (an object, a JSON array, NDJSON, or a CSV file with a header row, read as the bundle's batches are), and each
 * renamed by the template's {@code mapping} into the contact the upsert takes.
 */
public final class EstateContacts {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, List<String[]>> mappings = new ConcurrentHashMap<>();

    /** The rows of one message, in order; a row that cannot be read carries its error instead of a contact. */
    public List<ContactRows.Row> rows(@Body Object body, @Header(Exchange.FILE_NAME) String fileName,
                                      TypeConverter converter) throws NoTypeConversionAvailableException {
        if (body instanceof Map<?, ?> map) {
            return List.of(new ContactRows.Row(1, JSON.valueToTree(map), null));
        }
        if (body instanceof List<?> list) {
            List<ContactRows.Row> rows = new ArrayList<>();
            for (Object item : list) {
                rows.add(new ContactRows.Row(rows.size() + 1, JSON.valueToTree(item), null));
            }
            return rows;
        }
        // text, bytes, a file: whatever the estate's endpoint delivers, as Camel converts it
        InputStream in = converter.mandatoryConvertTo(InputStream.class, body);
        ContactRows.Format format = fileName == null ? ContactRows.Format.JSON : ContactRows.formatOf(fileName);
        List<ContactRows.Row> rows = new ArrayList<>();
        try (ContactRows.RowIterator it = ContactRows.open(in, format)) {
            it.forEachRemaining(rows::add);
        }
        return rows;
    }

    /** One row as the contact the upsert takes, its fields renamed by {@code mapping}; a row in error is refused. */
    public Map<String, Object> contact(@Body ContactRows.Row row, String mapping) {
        if (row.error() != null) {
            throw new ValidationException(Map.of("row", "row " + row.rowNo() + ": " + row.error()));
        }
        if (!row.contact().isObject()) {
            throw new ValidationException(Map.of("row", "row " + row.rowNo() + " is not a JSON object"));
        }
        ObjectNode contact = row.contact().deepCopy();
        for (String[] pair : mapping(mapping)) {
            JsonNode value = take(contact, pair[1]);
            if (value != null) {
                put(contact, pair[0], value);
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = JSON.convertValue(contact, LinkedHashMap.class);
        return map;
    }

    /** What a refused contact is kept as: its row, the contact as the estate sent it, and why it was refused. */
    public Map<String, Object> rejected(@Body Object original, Exception reason) {
        Map<String, Object> kept = new LinkedHashMap<>();
        if (original instanceof ContactRows.Row row) {
            kept.put("row", row.rowNo());
            kept.put("contact", row.contact());
        } else {
            kept.put("message", original instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8)
                    : String.valueOf(original));
        }
        kept.put("reason", reason == null ? null : reason.getMessage());
        if (reason instanceof ValidationException invalid) {
            kept.put("fields", invalid.fields());
        }
        return kept;
    }

    /** "target=source" pairs, comma-separated; dotted names reach into nested objects. */
    private List<String[]> mapping(String mapping) {
        return mappings.computeIfAbsent(mapping == null ? "" : mapping, text -> {
            List<String[]> pairs = new ArrayList<>();
            for (String pair : text.split(",")) {
                if (pair.isBlank()) {
                    continue;
                }
                String[] parts = pair.split("=", -1);
                if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                    throw new IllegalArgumentException("template attio-contacts-from: mapping '" + pair.trim()
                            + "' is not target=source (e.g. email=mail,company.domain=org.domain)");
                }
                pairs.add(new String[]{parts[0].trim(), parts[1].trim()});
            }
            return List.copyOf(pairs);
        });
    }

    /** Removes and returns the source field: a flat key as written (a CSV header "org.domain"), else the path. */
    private static JsonNode take(ObjectNode contact, String source) {
        if (contact.has(source)) {
            return contact.remove(source);
        }
        String[] path = source.split("\\.");
        List<ObjectNode> parents = new ArrayList<>(List.of(contact));
        for (int i = 0; i < path.length - 1; i++) {
            if (!(parents.get(i).get(path[i]) instanceof ObjectNode child)) {
                return null;
            }
            parents.add(child);
        }
        JsonNode value = parents.get(parents.size() - 1).remove(path[path.length - 1]);
        // an object the mapping emptied is no field of the estate's any more: the contact would refuse it
        for (int i = parents.size() - 1; i > 0 && parents.get(i).isEmpty(); i--) {
            parents.get(i - 1).remove(path[i - 1]);
        }
        return value;
    }

    private static void put(ObjectNode contact, String target, JsonNode value) {
        String[] path = target.split("\\.");
        ObjectNode parent = contact;
        for (int i = 0; i < path.length - 1; i++) {
            JsonNode child = parent.get(path[i]);
            parent = child instanceof ObjectNode object ? object : parent.putObject(path[i]);
        }
        parent.set(path[path.length - 1], value);
    }
}
