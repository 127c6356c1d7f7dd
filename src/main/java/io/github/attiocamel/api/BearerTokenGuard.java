package io.github.attiocamel.api;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bean {@code bundleApiGuard}: checks {@code Authorization: Bearer <BUNDLE_API_TOKEN>} for every route that opts into
 * route configuration {@code attio-api}. Compared in constant time (digests first, so even the length does not
 * leak); the header is removed once checked so it can never travel on to another endpoint. Without a configured
 * token every call is refused: an open /api by omission is worse than a closed one.
 */
public final class BearerTokenGuard {

    private static final Logger LOG = LoggerFactory.getLogger(BearerTokenGuard.class);
    private static final String PREFIX = "Bearer ";

    private final byte[] expectedDigest;
    private final AtomicBoolean warned = new AtomicBoolean();

    public BearerTokenGuard(String token) {
        this.expectedDigest = token == null || token.isBlank() ? null : sha256(token.trim());
    }

    public void check(Exchange exchange) {
        String header = exchange.getMessage().getHeader("Authorization", String.class);
        exchange.getMessage().removeHeader("Authorization");
        if (expectedDigest == null) {
            if (warned.compareAndSet(false, true)) {
                LOG.warn("[attio-api] BUNDLE_API_TOKEN is not set: every /api call is refused with 401");
            }
            throw new UnauthorizedException("the bundle API is disabled: no API token is configured");
        }
        if (header == null || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            throw new UnauthorizedException("missing bearer token");
        }
        byte[] presented = sha256(header.substring(PREFIX.length()).trim());
        if (!MessageDigest.isEqual(expectedDigest, presented)) {
            throw new UnauthorizedException("invalid bearer token");
        }
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
