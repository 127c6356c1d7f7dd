package io.github.attiocamel.gateway;

import io.github.attiocamel.sandbox.FaultRule;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/** The breaker opens on 5xx, then fails fast without calling Attio, and closes again after Attio recovers. */
class GatewayCircuitBreakerTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    private static GatewayContext context;

    @BeforeAll
    static void startGateway() throws Exception {
        var props = GatewayContext.properties(ATTIO.baseUrl(), ATTIO.apiKey());
        props.setProperty("attio.breaker.minimum-number-of-calls", "4");
        props.setProperty("attio.breaker.sliding-window-size", "4");
        props.setProperty("attio.breaker.wait-duration-in-open-state", "1");
        props.setProperty("attio.breaker.permitted-calls-in-half-open-state", "2");
        props.setProperty("attio.retry.max-redeliveries", "1");
        props.setProperty("attio.retry.initial-delay-millis", "10");
        context = new GatewayContext(props);
    }

    @AfterAll
    static void stopGateway() {
        context.close();
    }

    @Test
    void opensOnServerErrorsFailsFastAndClosesAfterRecovery() {
        ATTIO.simulator().faults().add(FaultRule.always().respond(503));
        AttioGateway gateway = context.gateway;
        assertThat(gateway.circuitBreakerState()).isEqualTo("CLOSED");

        await().atMost(10, TimeUnit.SECONDS).until(() -> {
            AttioException e = catchThrowableOfType(AttioException.class, gateway::self);
            assertThat(e.status()).isEqualTo(503);
            return gateway.circuitBreakerState().equals("OPEN");
        });

        int seenBefore = ATTIO.simulator().requests().size();
        long started = System.nanoTime();
        AttioException open = catchThrowableOfType(AttioException.class, gateway::self);
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(open.status()).isEqualTo(503);
        assertThat(open.code()).isEqualTo("attio_unavailable");
        assertThat(open.getMessage()).startsWith("Attio unavailable");
        assertThat(took).isLessThan(Duration.ofMillis(200));
        assertThat(ATTIO.simulator().requests()).hasSize(seenBefore); // refused without calling Attio, not retried

        ATTIO.simulator().faults().clear();
        await().atMost(10, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200)).until(() -> {
            try {
                gateway.self();
            } catch (AttioException stillOpen) {
                assertThat(stillOpen.code()).isEqualTo("attio_unavailable");
            }
            return gateway.circuitBreakerState().equals("CLOSED");
        });
    }

    @Test
    void clientErrorsAndRateLimitsDoNotOpenTheBreaker() {
        ATTIO.simulator().faults().add(FaultRule.on("GET", "/v2/objects").respond(404).times(6));
        for (int i = 0; i < 6; i++) {
            assertThat(catchThrowableOfType(AttioException.class, context.gateway::objects).status()).isEqualTo(404);
            context.gateway.invalidateSchema();
        }
        assertThat(context.gateway.circuitBreakerState()).isEqualTo("CLOSED");
    }
}
