package io.github.attiocamel.mirror;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

/**
 * SHA-256 over the canonical JSON of a record's values (object keys sorted), so the webhook flow and the full sync
 * agree on "changed" whatever order Attio happened to send the attributes in. {@link #canonical} serialises a record
 * once and yields both the text the mirror stores and its hash: a full sync does this for every record it reads.
 */
public final class ValuesHash {

    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper READER = new ObjectMapper();

    private ValuesHash() {}

    /** Values as canonical JSON text (object keys sorted) and the hash of exactly that text. */
    public record Canonical(String json, String hash) {}

    public static Canonical canonical(JsonNode values) {
        ByteArrayBuilder bytes = new ByteArrayBuilder(4096);
        try (JsonGenerator out = JSON.createGenerator(bytes)) {
            writeCanonical(out, values);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise record values", e);
        }
        byte[] utf8 = bytes.toByteArray();
        return new Canonical(new String(utf8, StandardCharsets.UTF_8),
                HexFormat.of().formatHex(sha256().digest(utf8)));
    }

    public static String of(JsonNode values) {
        return canonical(values).hash();
    }

    public static String of(String valuesJson) {
        try {
            return of(READER.readTree(valuesJson.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new IllegalArgumentException("values are not JSON", e);
        }
    }

    private static void writeCanonical(JsonGenerator out, JsonNode node) throws IOException {
        if (node.isObject()) {
            List<String> names = new ArrayList<>(node.size());
            node.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            out.writeStartObject();
            for (String name : names) {
                out.writeFieldName(name);
                writeCanonical(out, node.get(name));
            }
            out.writeEndObject();
        } else if (node.isArray()) {
            out.writeStartArray();
            for (JsonNode element : node) {
                writeCanonical(out, element);
            }
            out.writeEndArray();
        } else if (node.isNull() || node.isMissingNode()) {
            out.writeNull();
        } else {
            // other scalars (text, numbers, booleans) write themselves exactly as a serialised tree would
            ((JsonSerializable) node).serialize(out, null);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
