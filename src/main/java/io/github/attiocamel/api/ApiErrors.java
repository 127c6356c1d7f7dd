package io.github.attiocamel.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.attiocamel.gateway.AttioException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Bean {@code bundleApiErrors}: turns the exception that ended an /api exchange into the JSON error contract of
 * docs/ARCHITECTURE.md ("Bundle API"). One place, so every API route answers errors the same way.
 */
public final class ApiErrors {

    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Duration defaultRetryAfter;
    private final Clock clock;

    public ApiErrors(Duration defaultRetryAfter, Clock clock) {
        this.defaultRetryAfter = defaultRetryAfter;
        this.clock = clock;
    }

    public void respond(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ObjectNode body = JSON.createObjectNode();
        int status;
        if (failure instanceof UnauthorizedException) {
            status = 401;
            body.put("error", "unauthorized").put("message", failure.getMessage());
            exchange.getMessage().setHeader("WWW-Authenticate", "Bearer");
        } else if (failure instanceof ValidationException v) {
            status = 400;
            body.put("error", "validation");
            ObjectNode fields = body.putObject("fields");
            v.fields().forEach(fields::put);
        } else if (failure instanceof NotFoundException) {
            status = 404;
            body.put("error", "not_found").put("message", failure.getMessage());
        } else if (failure instanceof ConflictException) {
            status = 409;
            body.put("error", "conflict").put("message", failure.getMessage());
        } else if (failure instanceof PayloadTooLargeException) {
            status = 413;
            body.put("error", "payload_too_large").put("message", failure.getMessage());
        } else if (failure instanceof AttioException a && unavailable(a)) {
            status = 503;
            body.put("error", "attio_unavailable").put("status", a.status()).put("code", a.code())
                    .put("message", a.getMessage());
            exchange.getMessage().setHeader("Retry-After", retryAfterSeconds(a.retryAfter()));
        } else if (failure instanceof AttioException a && a.status() >= 400 && a.status() < 500) {
            status = 422;
            body.put("error", "attio").put("status", a.status()).put("code", a.code()).put("message", a.getMessage());
        } else {
            status = 500;
            body.put("error", "internal").put("message", "unexpected failure; see the bundle log");
            LOG.error("[attio-api] {} failed", exchange.getFromRouteId(), failure);
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(body.toString());
    }

    /**
     * {@code {"error": <error>, "message": <message>}}: the body of an answer given before any route runs (401 from the
     * gate, 404 and 405 from the router), the same shape as the route errors above.
     */
    public static String body(String error, String message) {
        return JSON.createObjectNode().put("error", error).put("message", message).toString();
    }

    /**
     * 5xx, I/O and an open breaker (all reported as 503 by the gateway) mean "try later", not "you are wrong"; so does
     * a 429 the gateway's retries could not outwait.
     */
    private static boolean unavailable(AttioException e) {
        return e.status() >= 500 || e.status() == 429 || "attio_unavailable".equals(e.code());
    }

    private long retryAfterSeconds(Instant retryAfter) {
        if (retryAfter == null) {
            return defaultRetryAfter.toSeconds();
        }
        long seconds = Duration.between(clock.instant(), retryAfter).toSeconds();
        return Math.max(1, seconds);
    }
}
