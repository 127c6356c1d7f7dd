package io.github.attiocamel.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.gateway.AttioException;
import io.github.attiocamel.store.AttioStore;
import io.github.attiocamel.store.WorkRepository;
import io.github.attiocamel.store.WorkTracker;
import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.TestStores;
import io.github.attiocamel.webhook.EventFailureCollector.EventFailure;
import io.github.attiocamel.webhook.EventFailureCollector.Failures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@BothStores
class WebhookInboxServiceTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TestStores.Store db;
    private AttioStore store;
    private DeadLetterRepository deadLetters;
    private WebhookInboxService service;

    @BeforeEach
    void openStore() throws SQLException {
        db = TestStores.open("inbox_service", 4);
        store = db.store();
        deadLetters = new DeadLetterRepository(store.dataSource());
        WorkTracker tracker = new WorkTracker(new WorkRepository(store.dataSource(), "test-holder"),
                Duration.ofSeconds(10), Clock.systemUTC());
        service = new WebhookInboxService(new WebhookInboxRepository(store.dataSource(), deadLetters, "test-holder"),
                deadLetters, new WebhookInboxService.Settings(10, Duration.ZERO, 3, Duration.ZERO,
                        Duration.ZERO, Duration.ZERO, Duration.ofHours(96), Duration.ofDays(7)), tracker, true);
    }

    @AfterEach
    void closeStore() throws SQLException {
        db.close();
    }

    private static Map<String, Object> event(String type, String id) {
        return Map.of("event_type", type, "id", Map.of("record_id", id));
    }

    private static String delivery(Map<?, ?>... events) throws Exception {
        return MAPPER.writeValueAsString(Map.of("webhook_id", "w", "events", List.of(events)));
    }

    private InboxRow claimOne() {
        return service.claim().get(0);
    }

    private static Failures failures(EventFailure... list) {
        Failures f = new Failures();
        f.list().addAll(List.of(list));
        return f;
    }

    @Test
    void onlyTheFailedEventIsRetriedAndPermanentFailuresAreDeadLetteredAtOnce() throws Exception {
        Map<String, Object> ok = event("record.updated", "r1");
        Map<String, Object> flaky = event("record.updated", "r2");
        Map<String, Object> gone = event("record.updated", "r3");
        assertThat(service.accept("k", delivery(ok, flaky, gone).getBytes(), null)).isTrue();
        assertThat(service.accept("k", delivery(ok).getBytes(), null)).isFalse();

        InboxRow row = claimOne();
        assertThat(service.events(row)).hasSize(3);

        service.complete(row, failures(
                new EventFailure(flaky, new AttioException(503, "server_error", "unavailable", "down")),
                new EventFailure(gone, new AttioException(400, "invalid_request_error", "value_not_found", "no"))));
        assertThat(deadLetters.page(10, 0)).singleElement().satisfies(d -> {
            assertThat(d.attioCode()).isEqualTo("value_not_found");
            assertThat(MAPPER.readTree(d.payload()).path("id").path("record_id").asText()).isEqualTo("r3");
        });

        InboxRow retry = claimOne();
        assertThat(retry.attempts()).isEqualTo(2);
        assertThat(service.events(retry)).containsExactly(flaky);
    }

    @Test
    void retriableFailuresBecomeDeadLettersAfterTheConfiguredAttempts() throws Exception {
        Map<String, Object> flaky = event("record.updated", "r2");
        service.accept("k", delivery(flaky).getBytes(), null);
        for (int attempt = 1; attempt <= 3; attempt++) {
            InboxRow row = claimOne();
            assertThat(row.attempts()).isEqualTo(attempt);
            service.complete(row, failures(new EventFailure(flaky, new IllegalStateException("boom " + attempt))));
        }
        assertThat(service.claim()).isEmpty();
        assertThat(deadLetters.page(10, 0)).singleElement()
                .satisfies(d -> assertThat(d.error()).isEqualTo("IllegalStateException: boom 3"));

        long id = deadLetters.page(10, 0).get(0).id();
        service.replay(id);
        assertThat(service.events(claimOne())).containsExactly(flaky);
        assertThatThrownBy(() -> service.replay(id + 100)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anOpenBreakerNeverUsesUpAttempts() throws Exception {
        Map<String, Object> waiting = event("record.updated", "r9");
        service.accept("k", delivery(waiting).getBytes(), null);
        for (int i = 0; i < 5; i++) {
            InboxRow row = claimOne();
            assertThat(row.attempts()).isEqualTo(1);
            service.complete(row, failures(new EventFailure(waiting,
                    new AttioException(503, "api_error", "attio_unavailable", "circuit breaker open"))));
        }
        assertThat(deadLetters.count()).isZero();
    }

    @Test
    void backoffDoublesUpToTheMaximumAndHonoursRetryAfter() {
        WebhookInboxService slow = new WebhookInboxService(null, null, new WebhookInboxService.Settings(10,
                Duration.ZERO, 6, Duration.ofSeconds(2), Duration.ofSeconds(10),
                Duration.ofSeconds(30), Duration.ofHours(72), Duration.ofDays(1)), null, true);
        EventFailure plain = new EventFailure(Map.of(), new IllegalStateException());
        assertThat(slow.backoff(1, List.of(plain))).isEqualTo(Duration.ofSeconds(2));
        assertThat(slow.backoff(2, List.of(plain))).isEqualTo(Duration.ofSeconds(4));
        assertThat(slow.backoff(5, List.of(plain))).isEqualTo(Duration.ofSeconds(10));
        EventFailure limited = new EventFailure(Map.of(), new AttioException(429, "rate_limit_error",
                "rate_limit_exceeded", "slow down", Instant.now().plusSeconds(60), null));
        assertThat(slow.backoff(1, List.of(limited))).isGreaterThan(Duration.ofSeconds(50));
    }

    @Test
    void keysMustBeKeptAtLeast72Hours() {
        assertThatThrownBy(() -> new WebhookInboxService(null, null, new WebhookInboxService.Settings(10,
                Duration.ZERO, 6, Duration.ofSeconds(2), Duration.ofSeconds(10),
                Duration.ofSeconds(30), Duration.ofHours(24), Duration.ofDays(1)), null, true))
                .hasMessageContaining("PT72H");
    }
}
