package io.github.attiocamel.webhook;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;

/**
 * Attio's webhook signature: lowercase hex of HMAC-SHA256 over the raw body bytes, keyed with the webhook secret.
 * Accepted secrets: the configured current and previous one (rotation by hand) and, when the bundle manages its own
 * webhook, those in its store (re-read every few seconds, and at most once a second when a signature fails to match,
 * so a secret another instance just stored verifies at once). Comparison is constant-time and every accepted secret
 * is always tried, so timing tells an attacker neither how much of a signature matched nor which secret did.
 */
final class WebhookSignature {

    private static final String ALGORITHM = "HmacSHA256";
    private static final Duration STORED_FRESH = Duration.ofSeconds(5);
    private static final Duration RELOAD_ON_MISMATCH = Duration.ofSeconds(1);

    private record Stored(Instant at, List<SecretKeySpec> keys) {}

    private final List<SecretKeySpec> configured = new ArrayList<>();
    private final Supplier<List<String>> storedSecrets;
    private final Clock clock;
    private volatile Stored stored;

    WebhookSignature(String currentSecret, String previousSecret) {
        this(currentSecret, previousSecret, null, Clock.systemUTC());
    }

    /** {@code storedSecrets}: the secrets of the bundle's own webhooks, or null when it manages none. */
    WebhookSignature(String currentSecret, String previousSecret, Supplier<List<String>> storedSecrets, Clock clock) {
        for (String secret : new String[] {currentSecret, previousSecret}) {
            if (secret != null && !secret.isBlank()) {
                configured.add(key(secret));
            }
        }
        this.storedSecrets = storedSecrets;
        this.clock = clock;
    }

    /** False when no secret is known: every delivery must then be refused. */
    public boolean isConfigured() {
        return !configured.isEmpty() || !storedKeys(STORED_FRESH).isEmpty();
    }

    /** Whether secrets come from the bundle's own webhook (the refusal then names attio.webhook.public-url). */
    boolean managed() {
        return storedSecrets != null;
    }

    /** True when {@code signatureHex} is the signature of {@code body} under any accepted secret. */
    public boolean verify(byte[] body, String signatureHex) {
        if (signatureHex == null) {
            return false;
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(signatureHex.trim());
        } catch (IllegalArgumentException notHex) {
            return false;
        }
        return matches(body, given, storedKeys(STORED_FRESH))
                || storedSecrets != null && matches(body, given, storedKeys(RELOAD_ON_MISMATCH));
    }

    private boolean matches(byte[] body, byte[] given, List<SecretKeySpec> fromStore) {
        boolean valid = false;
        for (SecretKeySpec key : configured) {
            valid |= MessageDigest.isEqual(hmac(key, body), given);
        }
        for (SecretKeySpec key : fromStore) {
            valid |= MessageDigest.isEqual(hmac(key, body), given);
        }
        return valid;
    }

    /** The stored secrets, re-read when the copy is older than {@code maxAge}; a failed read keeps the last copy. */
    private List<SecretKeySpec> storedKeys(Duration maxAge) {
        if (storedSecrets == null) {
            return List.of();
        }
        Stored copy = stored;
        Instant now = clock.instant();
        if (copy != null && now.isBefore(copy.at().plus(maxAge))) {
            return copy.keys();
        }
        synchronized (this) {
            copy = stored;
            if (copy != null && now.isBefore(copy.at().plus(maxAge))) {
                return copy.keys();
            }
            try {
                copy = new Stored(now, storedSecrets.get().stream().map(WebhookSignature::key).toList());
            } catch (RuntimeException storeDown) {
                copy = new Stored(now, copy == null ? List.of() : copy.keys());
            }
            stored = copy;
            return copy.keys();
        }
    }

    /** Lowercase hex signature of {@code body} with {@code secret} (tests, the simulator, benchmarks). */
    public static String sign(String secret, byte[] body) {
        return HexFormat.of().formatHex(hmac(key(secret), body));
    }

    private static SecretKeySpec key(String secret) {
        return new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    private static byte[] hmac(SecretKeySpec key, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
