package io.github.attiocamel.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Turns what came back from Attio into either the parsed JSON body or one {@link AttioException}, once, for every
 * route of the gateway (bean {@code attioResponses}). Also stamps the wait before sending and feeds the metrics.
 *
 * <p>Exchange properties it reads (set by {@link CamelAttioGateway}): {@value #BUDGET}, {@value #ENDPOINT},
 * {@value #METHOD}, {@value #PATH}.
 */
public class AttioResponses {

    public static final String BUDGET = "attioBudget";
    public static final String ENDPOINT = "attioEndpoint";
    public static final String METHOD = "attioMethod";
    public static final String PATH = "attioPath";
    public static final String QUERY = "attioQuery";
    public static final String QUEUED_AT = "attioQueuedAt";

    static final String UNAVAILABLE_CODE = "attio_unavailable";

    private static final Logger LOG = LoggerFactory.getLogger(AttioResponses.class);

    private final ObjectMapper mapper;
    private final RetryAfterGate gate;
    private final GatewayMetrics metrics;
    private final Clock clock;

    public AttioResponses(ObjectMapper mapper, RetryAfterGate gate, GatewayMetrics metrics, Clock clock) {
        this.mapper = mapper;
        this.gate = gate;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** First step of an attempt: remembers when the request started waiting for the gate and the throttle. */
    public void queued(Exchange exchange) {
        exchange.setProperty(QUEUED_AT, System.nanoTime());
    }

    /** Just before the HTTP call: records how long the gate and the throttle held this attempt. */
    public void released(Exchange exchange) {
        Long queuedAt = exchange.getProperty(QUEUED_AT, Long.class);
        if (queuedAt != null) {
            metrics.throttleDelay(budget(exchange), java.time.Duration.ofNanos(System.nanoTime() - queuedAt));
        }
    }

    /** Inside the circuit breaker: a 5xx becomes an exception so the breaker counts it; 4xx and 429 pass through. */
    public void failOnServerError(Exchange exchange) {
        int status = status(exchange);
        if (status >= 500) {
            metrics.response(endpoint(exchange), budget(exchange), Integer.toString(status));
            AttioException e = fromErrorBody(status, exchange.getMessage().getBody(String.class), null);
            LOG.warn("[attio-gateway] {} {} answered {} ({}); will retry", method(exchange), path(exchange), status, e.code());
            throw e;
        }
    }

    /**
     * The breaker's fallback: whatever failed inside it (or the breaker refusing the call) becomes an AttioException.
     * A refused call has no caught exception: the breaker is open or its half-open probes are taken.
     */
    public void breakerFallback(Exchange exchange) throws Exception {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        exchange.getMessage().removeHeader(Exchange.REDELIVERY_DELAY);
        if (caught == null) {
            metrics.response(endpoint(exchange), budget(exchange), "breaker_open");
            LOG.debug("[attio-gateway] {} {} refused: circuit breaker open", method(exchange), path(exchange));
            throw new AttioException(503, "api_error", UNAVAILABLE_CODE, "Attio unavailable (circuit breaker open)");
        }
        if (caught instanceof AttioException ae) {
            throw ae;
        }
        IOException io = findCause(caught, IOException.class);
        if (io != null) {
            metrics.response(endpoint(exchange), budget(exchange), "io_error");
            LOG.warn("[attio-gateway] {} {} failed: {}; will retry", method(exchange), path(exchange), io.toString());
            throw new AttioException(503, "api_error", "io_error", "Attio unreachable: " + io.getMessage(), null, io);
        }
        throw caught instanceof Exception ex ? ex : new RuntimeException(caught);
    }

    /**
     * After the breaker: 2xx bodies become a JsonNode; 429 closes the Retry-After gate of its budget and asks the
     * error handler (header {@code CamelRedeliveryDelay}) to come back exactly then; any other 4xx is final.
     */
    public JsonNode classify(Exchange exchange) throws IOException {
        int status = status(exchange);
        String endpoint = endpoint(exchange);
        String budget = budget(exchange);
        metrics.response(endpoint, budget, Integer.toString(status));
        exchange.getMessage().removeHeader(Exchange.REDELIVERY_DELAY);
        if (status >= 200 && status < 300) {
            LOG.debug("[attio-gateway] {} {} -> {}", method(exchange), path(exchange), status);
            // parsed from the stream: a 500-record page as one String or byte[] is a "humongous" object for G1,
            // and a full sync reads hundreds of them
            InputStream in = exchange.getMessage().getBody(InputStream.class);
            JsonNode node = in == null ? null : mapper.readTree(in);
            return node == null || node.isMissingNode() ? mapper.createObjectNode() : node;
        }
        String body = exchange.getMessage().getBody(String.class);
        Instant retryAfter = status == 429 ? retryAfter(exchange.getMessage().getHeader("Retry-After", String.class)) : null;
        AttioException e = fromErrorBody(status, body, retryAfter);
        if (status == 429) {
            metrics.rateLimited(endpoint, budget);
            gate.closeUntil(budget, retryAfter);
            long waitMillis = gate.millisUntilOpen(budget);
            exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, waitMillis);
            LOG.warn("[attio-gateway] {} {} rate limited; {} budget paused until {}", method(exchange), path(exchange),
                    budget, retryAfter);
        } else {
            LOG.info("[attio-gateway] {} {} answered {} {} (not retried)", method(exchange), path(exchange), status, e.code());
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

    private static int status(Exchange exchange) {
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        return status == null ? 0 : status;
    }

    private static String budget(Exchange exchange) {
        return exchange.getProperty(BUDGET, "read", String.class);
    }

    private static String endpoint(Exchange exchange) {
        return exchange.getProperty(ENDPOINT, "other", String.class);
    }

    private static String method(Exchange exchange) {
        return exchange.getProperty(METHOD, String.class);
    }

    private static String path(Exchange exchange) {
        return exchange.getProperty(PATH, String.class);
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
