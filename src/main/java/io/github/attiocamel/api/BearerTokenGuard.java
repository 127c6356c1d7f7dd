package io.github.attiocamel.api;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bean {@code bundleApiGuard}: checks {@code Authorization: Bearer <BUNDLE_API_TOKEN>} for every request under
 * {@code /api}, from {@link ApiGate}'s Vert.x handler ahead of Camel's routes. Compared in constant time (digests
 * first, so even the length does not leak); the gate removes the header once checked so it never reaches a route.
 * Without a configured token every call is refused: an open /api by omission is worse than a closed one.
 */
public final class BearerTokenGuard {

    private static final Logger LOG = LoggerFactory.getLogger(BearerTokenGuard.class);
    private static final String PREFIX = "Bearer ";

    private final byte[] expectedDigest;
    private final AtomicBoolean warned = new AtomicBoolean();

    public BearerTokenGuard(String token) {
        this.expectedDigest = token == null || token.isBlank() ? null : sha256(token.trim());
    }

    /** For a route that checks the token itself: throws {@link UnauthorizedException} unless it is right. */
    public void check(Exchange exchange) {
        String header = exchange.getMessage().getHeader("Authorization", String.class);
        exchange.getMessage().removeHeader("Authorization");
        String refusal = refusal(header);
        if (refusal != null) {
            throw new UnauthorizedException(refusal);
        }
    }

    /** Why this Authorization header value is refused, or null when it carries the configured bearer token. */
    public String refusal(String authorization) {
        if (expectedDigest == null) {
            if (warned.compareAndSet(false, true)) {
                LOG.warn("[attio-api] BUNDLE_API_TOKEN is not set: every /api call is refused with 401");
            }
            return "the bundle API is disabled: no API token is configured";
        }
        if (authorization == null || !authorization.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return "missing bearer token";
        }
        byte[] presented = sha256(authorization.substring(PREFIX.length()).trim());
        if (!MessageDigest.isEqual(expectedDigest, presented)) {
            return "invalid bearer token";
        }
        return null;
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
