package io.github.attiocamel.webhook;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Attio's webhook signature: lowercase hex of HMAC-SHA256 over the raw body bytes, keyed with the webhook secret.
 * The current and the previous secret are both accepted (rotation). Comparison is constant-time and every configured
 * secret is always tried, so timing tells an attacker neither how much of a signature matched nor which secret did.
 */
final class WebhookSignature {

    private static final String ALGORITHM = "HmacSHA256";

    private final List<SecretKeySpec> keys = new ArrayList<>();

    public WebhookSignature(String currentSecret, String previousSecret) {
        for (String secret : new String[] {currentSecret, previousSecret}) {
            if (secret != null && !secret.isBlank()) {
                keys.add(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
            }
        }
    }

    /** False when no secret is configured: every delivery must then be refused. */
    public boolean isConfigured() {
        return !keys.isEmpty();
    }

    /** True when {@code signatureHex} is the signature of {@code body} under any configured secret. */
    public boolean verify(byte[] body, String signatureHex) {
        if (signatureHex == null || keys.isEmpty()) {
            return false;
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(signatureHex.trim());
        } catch (IllegalArgumentException notHex) {
            return false;
        }
        boolean valid = false;
        for (SecretKeySpec key : keys) {
            valid |= MessageDigest.isEqual(hmac(key, body), given);
        }
        return valid;
    }

    /** Lowercase hex signature of {@code body} with {@code secret} (tests, the simulator, benchmarks). */
    public static String sign(String secret, byte[] body) {
        return HexFormat.of().formatHex(hmac(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM), body));
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
