package io.github.attiocamel.contacts;

import io.github.attiocamel.gateway.AttioGateway;
import io.github.attiocamel.sandbox.FaultRule;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** While the gateway's breaker is open, POST /api/contacts answers 503 with Retry-After without calling Attio. */
class ContactsBreakerTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    @Test
    void anOpenBreakerAnswers503WithRetryAfterWithoutCallingAttio() {
        try (RunningBundle bundle = RunningBundle.against(ATTIO.baseUrl(), ATTIO.apiKey())
                .property("attio.breaker.minimum-number-of-calls", "2")
                .property("attio.breaker.sliding-window-size", "2")
                .property("attio.retry.max-redeliveries", "0")
                .start()) {
            ContactsHttp api = new ContactsHttp(bundle);
            AttioGateway gateway = bundle.camelContext().getRegistry().lookupByNameAndType("attioGateway", AttioGateway.class);
            ATTIO.simulator().faults().add(FaultRule.always().respond(500));

            await().atMost(Duration.ofSeconds(30)).until(() -> {
                api.post("/api/contacts", "{\"email\":\"outage@gmail.com\"}");
                return "OPEN".equals(gateway.circuitBreakerState());
            });
            ATTIO.simulator().clearRequests();

            ContactsHttp.Answer a = api.post("/api/contacts", "{\"email\":\"during-outage@gmail.com\"}");

            assertThat(a.status()).as(a.raw().body()).isEqualTo(503);
            assertThat(a.json().path("error").asText()).isEqualTo("attio_unavailable");
            assertThat(a.raw().headers().firstValue("Retry-After")).hasValueSatisfying(v ->
                    assertThat(Long.parseLong(v)).isPositive());
            assertThat(ATTIO.simulator().requests()).as("failed fast, Attio not called").isEmpty();
        }
    }
}
