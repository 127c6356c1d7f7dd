package io.github.attiocamel.api;

import io.github.attiocamel.gateway.AttioException;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ApiErrorsTest {

    private static final Instant NOW = Instant.parse("2026-11-28T04:00:00Z");
    private final ApiErrors errors = new ApiErrors(Duration.ofSeconds(30), Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void validationIs400WithEveryField() {
        Exchange e = respond(new ValidationException(Map.of("email", "must be an email address")));
        assertThat(e.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(400);
        assertThat(e.getMessage().getBody(String.class))
                .isEqualTo("{\"error\":\"validation\",\"fields\":{\"email\":\"must be an email address\"}}");
    }

    @Test
    void attioRefusalIs422WithAttiosCode() {
        Exchange e = respond(new AttioException(400, "invalid_request_error", "value_not_found", "no such stage"));
        assertThat(e.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(422);
        assertThat(e.getMessage().getBody(String.class)).contains("\"error\":\"attio\"", "\"status\":400",
                "\"code\":\"value_not_found\"", "no such stage");
    }

    @Test
    void attioUnavailableIs503WithRetryAfter() {
        Exchange e = respond(new AttioException(503, "api_error", "attio_unavailable", "breaker open",
                NOW.plusSeconds(7), null));
        assertThat(e.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(503);
        assertThat(e.getMessage().getHeader("Retry-After")).isEqualTo(7L);

        Exchange noDate = respond(new AttioException(502, "api_error", "bad_gateway", "upstream"));
        assertThat(noDate.getMessage().getHeader("Retry-After")).isEqualTo(30L);
    }

    @Test
    void aRateLimitTheRetriesCouldNotOutwaitIs503WithItsRetryAfter() {
        Exchange e = respond(new AttioException(429, "rate_limit_error", "rate_limit_exceeded", "slow down",
                NOW.plusSeconds(3), null));
        assertThat(e.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(503);
        assertThat(e.getMessage().getHeader("Retry-After")).isEqualTo(3L);
        assertThat(e.getMessage().getBody(String.class)).contains("\"error\":\"attio_unavailable\"");
    }

    @Test
    void anythingElseIs500WithoutDetails() {
        Exchange e = respond(new IllegalStateException("secret internals"));
        assertThat(e.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(500);
        assertThat(e.getMessage().getBody(String.class)).doesNotContain("secret internals");
    }

    private Exchange respond(Exception failure) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, failure);
        errors.respond(exchange);
        return exchange;
    }
}
