package io.github.attiocamel.contacts;

import io.github.attiocamel.sandbox.FaultRule;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Acceptance: a contact whose writes stay rate limited past the gateway's retries is "try later", not "refused". */
class ContactsRateLimitTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    @Test
    void aContactThatExhaustsItsRetriesAnswers503WithRetryAfter() {
        try (RunningBundle bundle = RunningBundle.against(ATTIO.baseUrl(), ATTIO.apiKey())
                .property("attio.retry.rate-limited-max-redeliveries", "2")
                .start()) {
            ATTIO.simulator().faults().add(FaultRule.on("PUT", "/v2/objects/.*/records").retryAfter(Duration.ofSeconds(1)));

            ContactsHttp.Answer answer = new ContactsHttp(bundle).post("/api/contacts",
                    "{\"email\": \"limited@rate-limited.example\", \"first_name\": \"Rate\", \"last_name\": \"Limited\"}");

            assertThat(answer.status()).as(answer.raw().body()).isEqualTo(503);
            assertThat(answer.json().path("error").asText()).isEqualTo("attio_unavailable");
            assertThat(answer.json().path("status").asInt()).isEqualTo(429);
            assertThat(answer.raw().headers().firstValue("Retry-After")).hasValueSatisfying(
                    v -> assertThat(Long.parseLong(v)).isPositive());
        }
    }
}
