package io.github.attiocamel.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.health.HealthCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class AttioHealthCheckTest {

    private final AtomicReference<String> breaker = new AtomicReference<>("CLOSED");
    private final AtomicReference<Object> selfAnswer = new AtomicReference<>(json("{\"active\":true}"));
    private final AtomicInteger selfCalls = new AtomicInteger();
    private final MutableClock clock = new MutableClock();
    private final ExecutorService prober = Executors.newSingleThreadExecutor();
    private final AttioHealthCheck check = new AttioHealthCheck(this::gateway, Duration.ofSeconds(5), Duration.ofSeconds(2),
            clock, prober);

    @AfterEach
    void stopProber() {
        prober.shutdownNow();
    }

    @Test
    void upWhenAttioAnswersWithAnActiveToken() {
        HealthCheck.Result result = check.call();
        assertThat(result.getState()).isEqualTo(HealthCheck.State.UP);
        assertThat(result.getDetails()).containsEntry("breaker", "CLOSED");
        assertThat(check.isReadiness()).isTrue();
        assertThat(check.isLiveness()).isFalse();
    }

    @Test
    void downWhenAttioIsUnreachable() {
        selfAnswer.set(new AttioException(503, "api_error", "attio_unavailable", "connection refused"));
        HealthCheck.Result result = check.call();
        assertThat(result.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(result.getMessage()).hasValueSatisfying(m -> assertThat(m).contains("503", "attio_unavailable"));
    }

    @Test
    void downWhenTheBreakerIsOpenWithoutCallingAttio() {
        breaker.set("OPEN");
        HealthCheck.Result result = check.call();
        assertThat(result.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(result.getDetails()).containsEntry("breaker", "OPEN");
        assertThat(selfCalls).hasValue(0);
    }

    @Test
    void downWhenTheTokenIsNoLongerActive() {
        selfAnswer.set(json("{\"active\":false}"));
        assertThat(check.call().getState()).isEqualTo(HealthCheck.State.DOWN);
    }

    @Test
    void probeIsReusedWithinTheCacheTtlThenRefreshed() {
        check.call();
        check.call();
        assertThat(selfCalls).hasValue(1);

        selfAnswer.set(new AttioException(503, "api_error", "attio_unavailable", "down"));
        assertThat(check.call().getState()).as("cached").isEqualTo(HealthCheck.State.UP);
        clock.advance(Duration.ofSeconds(6));
        assertThat(check.call().getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(selfCalls).hasValue(2);
    }

    @Test
    void downWhenNoGatewayIsBound() {
        AttioHealthCheck orphan = new AttioHealthCheck(() -> null, Duration.ofSeconds(5), Duration.ofSeconds(2), clock,
                prober);
        assertThat(orphan.call().getState()).isEqualTo(HealthCheck.State.DOWN);
    }

    @Test
    void downWithinTheTimeoutWhenAttioNeverAnswers() {
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        selfAnswer.set(never);
        AttioHealthCheck quick = new AttioHealthCheck(this::gateway, Duration.ofSeconds(5), Duration.ofMillis(200), clock,
                prober);
        long started = System.nanoTime();
        HealthCheck.Result result = quick.call();
        assertThat(result.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(result.getMessage()).hasValueSatisfying(m -> assertThat(m).contains("did not answer"));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        never.countDown();
    }

    private AttioGateway gateway() {
        return (AttioGateway) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {AttioGateway.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "circuitBreakerState" -> breaker.get();
                    case "self" -> {
                        selfCalls.incrementAndGet();
                        Object answer = selfAnswer.get();
                        if (answer instanceof RuntimeException e) {
                            throw e;
                        }
                        if (answer instanceof java.util.concurrent.CountDownLatch hang) {
                            hang.await();
                            yield null;
                        }
                        yield answer;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static Object json(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-11-28T04:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
