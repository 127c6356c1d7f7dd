package io.github.attiocamel.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.config.MessageContract;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Date;

/**
 * Turns what came back from Attio into either the parsed JSON body or one {@link AttioException}, once, for every
 * call (bean {@code attioResponses} of routes/attio-gateway.camel.yaml). Also feeds the gateway's metrics and closes
 * the Retry-After gate of a budget that Attio rate-limited. Every method takes the call's {@link AttioRequest}.
 */
public class AttioResponses {

    static final String UNAVAILABLE_CODE = "attio_unavailable";
    private static final String RETRY_AFTER = "Retry-After";

    private static final Logger LOG = LoggerFactory.getLogger(AttioResponses.class);

    private final ObjectMapper mapper;
    private final RetryAfterGate gate;
    private final GatewayMetrics metrics;
    private final Clock clock;

    AttioResponses(ObjectMapper mapper, RetryAfterGate gate, GatewayMetrics metrics, Clock clock) {
        this.mapper = mapper;
        this.gate = gate;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Just before the HTTP call: how long the gate and the throttle held this attempt since {@code queuedAt}. */
    public void released(@Variable(MessageContract.REQUEST) AttioRequest request,
                         @Variable(MessageContract.QUEUED_AT) Date queuedAt) {
        if (queuedAt != null) {
            metrics.throttleDelay(request.budget(), Duration.between(queuedAt.toInstant(), clock.instant()));
        }
    }

    /** Inside the circuit breaker, for a 5xx only: it becomes an exception so the breaker counts it. */
    public void serverError(@Variable(MessageContract.REQUEST) AttioRequest request,
                            @Header(Exchange.HTTP_RESPONSE_CODE) int status, @Body String body) {
        metrics.response(request.endpoint(), request.budget(), String.valueOf(status));
        AttioException e = fromErrorBody(status, body, null);
        LOG.warn("[attio-gateway] {} {} answered {} ({}); will retry", request.method(), request.path(), status,
                e.code());
        throw e;
    }

    /**
     * The breaker's fallback: whatever failed inside it (or the breaker refusing the call) becomes an AttioException.
     * A refused call has no caught exception: the breaker is open or its half-open probes are taken.
     */
    public void breakerFallback(@Variable(MessageContract.REQUEST) AttioRequest request,
                                @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Throwable caught) throws Exception {
        if (caught == null) {
            metrics.response(request.endpoint(), request.budget(), "breaker_open");
            LOG.debug("[attio-gateway] {} {} refused: circuit breaker open", request.method(), request.path());
            throw new AttioException(503, "api_error", UNAVAILABLE_CODE, "Attio unavailable (circuit breaker open)");
        }
        if (caught instanceof AttioException ae) {
            throw ae;
        }
        IOException io = findCause(caught, IOException.class);
        if (io != null) {
            metrics.response(request.endpoint(), request.budget(), "io_error");
            LOG.warn("[attio-gateway] {} {} failed: {}; will retry", request.method(), request.path(), io.toString());
            throw new AttioException(503, "api_error", "io_error", "Attio unreachable: " + io.getMessage(), null, io);
        }
        throw caught instanceof Exception ex ? ex : new RuntimeException(caught);
    }

    /**
     * After the breaker: a 2xx body becomes a JsonNode; a 429 closes the Retry-After gate of its lane, so the retry
     * that follows waits at the gate until Attio's date (at least the gate's floor); any other 4xx is final.
     */
    public JsonNode classify(@Variable(MessageContract.REQUEST) AttioRequest request,
                             @Header(Exchange.HTTP_RESPONSE_CODE) Integer status,
                             @Header(RETRY_AFTER) String retryAfterHeader, @Body InputStream body) throws IOException {
        metrics.response(request.endpoint(), request.budget(), String.valueOf(status));
        if (status != null && status >= 200 && status < 300) {
            LOG.debug("[attio-gateway] {} {} -> {}", request.method(), request.path(), status);
            // parsed from the stream: a 500-record page read whole would be a humongous object for G1
            JsonNode node = body == null ? null : mapper.readTree(body);
            return node == null || node.isMissingNode() ? mapper.createObjectNode() : node;
        }
        String text = body == null ? null : new String(body.readAllBytes(), StandardCharsets.UTF_8);
        int code = status == null ? 0 : status;
        Instant retryAfter = code == 429 ? retryAfter(retryAfterHeader) : null;
        AttioException e = fromErrorBody(code, text, retryAfter);
        if (code == 429) {
            metrics.rateLimited(request.endpoint(), request.budget());
            gate.rateLimited(request, retryAfter);
            LOG.warn("[attio-gateway] {} {} rate limited (Retry-After {}); its lane paused until {}", request.method(),
                    request.path(), retryAfter, gate.openAt(request));
        } else {
            LOG.info("[attio-gateway] {} {} answered {} {} (not retried)", request.method(), request.path(), status,
                    e.code());
        }
        throw e;
    }

    /** Attio's error body, or a synthetic one in the same shape when the body is not Attio JSON (5xx pages). */
    AttioException fromErrorBody(int status, String body, Instant retryAfter) {
        String type = status >= 500 ? "api_error" : "invalid_request_error";
        String code = "http_" + status;
        String message = "Attio answered HTTP " + status;
        if (body != null && !body.isBlank()) {
            try {
                JsonNode node = mapper.readTree(body);
                if (node != null && node.isObject()) {
                    type = node.path("type").asText(type);
                    code = node.path("code").asText(code);
                    message = node.path("message").asText(message);
                }
            } catch (IOException notJson) {
                message = message + " (body not JSON)";
            }
        }
        return new AttioException(status, type, code, message, retryAfter, null);
    }

    /** Retry-After as an HTTP-date (what Attio sends) or as delta-seconds; absent or unreadable: one second. */
    Instant retryAfter(String header) {
        Instant now = clock.instant();
        if (header == null || header.isBlank()) {
            return now.plusSeconds(1);
        }
        String value = header.trim();
        try {
            return now.plusSeconds(Long.parseLong(value));
        } catch (NumberFormatException notSeconds) {
            try {
                return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            } catch (DateTimeParseException notDate) {
                return now.plusSeconds(1);
            }
        }
    }

    private static <T extends Throwable> T findCause(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }
}
