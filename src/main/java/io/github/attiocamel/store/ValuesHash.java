package io.github.attiocamel.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 over the canonical JSON of a record's values (keys sorted), so the webhook flow and the full sync agree
 * on "changed" whatever order Attio happened to send the attributes in.
 */
public final class ValuesHash {

    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private ValuesHash() {}

    public static String of(JsonNode values) {
        try {
            Object tree = CANONICAL.treeToValue(values, Object.class);
            byte[] canonical = CANONICAL.writeValueAsBytes(tree);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash record values", e);
        }
    }

    public static String of(String valuesJson) {
        try {
            return of(CANONICAL.readTree(valuesJson.getBytes(StandardCharsets.UTF_8)));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("values are not JSON", e);
        }
    }
}
