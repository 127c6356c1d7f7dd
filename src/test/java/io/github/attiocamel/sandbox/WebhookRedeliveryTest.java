package io.github.attiocamel.sandbox;

import com.sun.net.httpserver.HttpServer;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The simulator redelivers webhooks as Attio does: same Idempotency-Key, growing waits, until a 2xx or the limit. */
class WebhookRedeliveryTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    @Test
    void nonSuccessAnswersAreRetriedWithTheSameKeyAndGrowingWaits() throws Exception {
        List<String> keys = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger calls = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            keys.add(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
            exchange.getRequestBody().readAllBytes();
            int status = switch (calls.incrementAndGet()) {
                case 1 -> 503;
                case 2 -> 500;
                case 3 -> 429;
                default -> 200;
            };
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
        try (WebhookRedelivery redelivery = new WebhookRedelivery(Duration.ofMillis(100), Duration.ofSeconds(2))) {
            String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
            WebhookRedelivery.Outcome outcome = redelivery.deliver(url, "secret", "{\"webhook_id\":\"w\",\"events\":[]}",
                    "key-1").get(10, TimeUnit.SECONDS);
            assertThat(outcome.delivered()).isTrue();
            assertThat(outcome.attempts()).extracting(WebhookRedelivery.Attempt::status).containsExactly(503, 500, 429, 200);
            assertThat(keys).containsOnly("key-1").hasSize(4);
            List<WebhookRedelivery.Attempt> a = outcome.attempts();
            for (int i = 1; i < a.size(); i++) {
                long gap = Duration.between(a.get(i - 1).at(), a.get(i).at()).toMillis();
                assertThat(gap).as("wait before try " + (i + 1)).isGreaterThanOrEqualTo(100L << (i - 1));
            }
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void retriesStopAtTheLimit() throws Exception {
        try (WebhookRedelivery redelivery = new WebhookRedelivery(Duration.ofMillis(10), 3, Duration.ofSeconds(1))) {
            // nothing listens there: every try fails to connect
            WebhookRedelivery.Outcome outcome = redelivery.deliver("http://127.0.0.1:9/hook", "s", "{}", "k")
                    .get(10, TimeUnit.SECONDS);
            assertThat(outcome.delivered()).isFalse();
            assertThat(outcome.attempts()).hasSize(4).allSatisfy(t -> assertThat(t.status()).isZero());
        }
    }

    @Test
    void aBundleThatWasDownGetsTheDeliveryOnceWhenItComesUp() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        String record = sim.data().recordIds("people").get(0);
        String key = UUID.randomUUID().toString();
        try (RunningBundle bundle = RunningBundle.against(sim.baseUrl(), sim.apiKey());
             WebhookRedelivery redelivery = new WebhookRedelivery(Duration.ofMillis(250), Duration.ofSeconds(5))) {
            var outcome = redelivery.deliver(bundle.httpUrl() + "/webhooks/attio", RunningBundle.WEBHOOK_SECRET,
                    sim.recordEvent("record.updated", "people", record), key);
            await().atMost(Duration.ofSeconds(5)).until(() -> sim.requests().isEmpty() && !outcome.isDone());
            bundle.start();
            WebhookRedelivery.Outcome done = outcome.get(30, TimeUnit.SECONDS);
            assertThat(done.delivered()).isTrue();
            assertThat(done.attempts().get(0).status()).as("first try, bundle down").isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> sim.requests().stream()
                    .filter(r -> r.path().endsWith("/records/" + record)).count() == 1);
            // Attio's next retry of the same key (its answer lost) is a duplicate, not a second fetch
            assertThat(sim.deliver(bundle.httpUrl() + "/webhooks/attio", RunningBundle.WEBHOOK_SECRET,
                    sim.recordEvent("record.updated", "people", record), key)).isEqualTo(200);
        }
    }
}
