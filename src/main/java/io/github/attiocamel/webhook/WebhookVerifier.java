package io.github.attiocamel.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.config.MessageContract;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The intake's checks, in the order a client can fix them: media type (415), signature over the raw bytes (401, or
 * 503 while no secret is configured: fail closed), then the envelope {@code {webhook_id, events:[{event_type}...]}}
 * (400); 413 for a body over the limit that came without Content-Length. Answers the delivery's deduplication key
 * (the Idempotency-Key, or a hash of the body when Attio sent none); a refusal is a {@link WebhookRejection}.
 */
public final class WebhookVerifier {

    private static final Logger LOG = LoggerFactory.getLogger("attio.webhook");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** The column holds 255 characters; longer keys are hashed so they still deduplicate. */
    private static final int MAX_KEY_LENGTH = 200;

    private final WebhookSignature signature;
    private final long maxBodyBytes;
    private final AtomicBoolean refusalLogged = new AtomicBoolean();

    public WebhookVerifier(WebhookSignature signature, long maxBodyBytes) {
        this.signature = signature;
        this.maxBodyBytes = maxBodyBytes;
    }

    public String verify(@Header(Exchange.CONTENT_TYPE) String contentType,
                         @Header(MessageContract.HEADER_SIGNATURE) String signatureHeader,
                         @Header(MessageContract.HEADER_SIGNATURE_LEGACY) String legacySignatureHeader,
                         @Header(MessageContract.HEADER_IDEMPOTENCY_KEY) String idempotencyKey,
                         @Body byte[] body) {
        if (contentType == null || !contentType.toLowerCase().startsWith("application/json")) {
            throw new WebhookRejection(415, "unsupported_media_type", "Content-Type must be application/json");
        }
        if (body == null) {
            body = new byte[0];
        }
        if (body.length > maxBodyBytes) {
            // a chunked body (no Content-Length) gets here; declared lengths were refused before reading
            throw new WebhookRejection(413, "payload_too_large", "body over " + maxBodyBytes + " bytes");
        }

        if (!signature.isConfigured()) {
            if (refusalLogged.compareAndSet(false, true)) {
                LOG.error(signature.managed()
                        ? "[attio-webhook] refusing deliveries until the bundle's own Attio webhook exists "
                                + "(attio.webhook.public-url): see readiness check attio-webhook"
                        : "[attio-webhook] refusing every delivery: attio.webhook-secret (ATTIO_WEBHOOK_SECRET) is not set");
            }
            throw new WebhookRejection(503, "not_configured", "webhook secret not configured");
        }
        String given = signatureHeader != null ? signatureHeader : legacySignatureHeader;
        if (given == null) {
            throw new WebhookRejection(401, "unauthorized", "missing Attio-Signature");
        }
        if (!signature.verify(body, given)) {
            throw new WebhookRejection(401, "unauthorized", "signature does not match");
        }
        checkEnvelope(body);
        return deliveryKey(idempotencyKey, body);
    }

    /** Returns the number of events; 400 unless the body is {@code {webhook_id: string, events: [{event_type}...]}}. */
    static int checkEnvelope(byte[] body) {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            // over a parser limit (nesting, string or number length) there is no location, and no retry can succeed
            throw new WebhookRejection(400, "invalid_json", e.getLocation() == null
                    ? "body is over the JSON parser's limits: " + e.getOriginalMessage()
                    : "body is not JSON (line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ")");
        } catch (IOException e) {
            throw new WebhookRejection(400, "invalid_json", "body is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new WebhookRejection(400, "invalid_envelope", "body must be a JSON object {webhook_id, events}");
        }
        if (!root.path("webhook_id").isTextual()) {
            throw new WebhookRejection(400, "invalid_envelope", "webhook_id must be a string");
        }
        JsonNode events = root.path("events");
        if (!events.isArray()) {
            throw new WebhookRejection(400, "invalid_envelope", "events must be an array");
        }
        for (int i = 0; i < events.size(); i++) {
            if (!events.get(i).path("event_type").isTextual()) {
                throw new WebhookRejection(400, "invalid_envelope", "events[" + i + "].event_type must be a string");
            }
        }
        return events.size();
    }

    static String deliveryKey(String idempotencyKey, byte[] body) {
        if (idempotencyKey != null && !idempotencyKey.isBlank()) {
            String key = idempotencyKey.trim();
            return key.length() <= MAX_KEY_LENGTH ? key : "sha256-key:" + sha256(key.getBytes(StandardCharsets.UTF_8));
        }
        return "sha256:" + sha256(body);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
