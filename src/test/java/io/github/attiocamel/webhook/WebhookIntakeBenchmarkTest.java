package io.github.attiocamel.webhook;

import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Intake throughput and latency: signed record.updated deliveries (20 records, unique Idempotency-Keys) POSTed over
 * HTTP/1.1 keep-alive with {@value #IN_FLIGHT} in flight, while the inbox consumer processes them in the background
 * against the simulator. Three measured rounds after a warm-up; prints deliveries/s and p50/p99 latency (request
 * written to response read) per round and their medians. Run:
 * {@code mvn test -Dgroups=benchmark -DexcludedGroups= -Dtest=WebhookIntakeBenchmarkTest}; add
 * {@code -Dbench.poll=3600000} to measure the intake alone (the inbox consumer then stays idle), and
 * {@code -Dbench.prop.<key>=<value>} to try any bundle setting.
 */
@Tag("benchmark")
class WebhookIntakeBenchmarkTest {

    static final int IN_FLIGHT = 16;
    static final int WARM_UP = 10_000; // C2 needs ~10k deliveries: rounds after 3k still sped up 1.4k -> 2.3k/s
    static final int PER_ROUND = 10_000;
    static final int ROUNDS = 5;

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    @Test
    void signedDeliveriesPerSecondAndIntakeLatency() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        List<String> records = sim.data().recordIds("people");
        Vertx vertx = Vertx.vertx();
        RunningBundle configured = RunningBundle.against(sim.baseUrl(), sim.apiKey())
                .property("attio.webhook.poll-interval-ms", System.getProperty("bench.poll", "200"));
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("bench.prop."))
                .forEach(k -> configured.property(k.substring("bench.prop.".length()), System.getProperty(k)));
        try (RunningBundle bundle = configured.start()) {
            URI uri = URI.create(bundle.httpUrl() + "/webhooks/attio");
            HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
                    .setDefaultHost(uri.getHost()).setDefaultPort(uri.getPort()), new PoolOptions().setHttp1MaxSize(IN_FLIGHT));
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                bodies.add(sim.recordUpdatedEvent("people", records.get(i % Math.min(20, records.size())), "job_title"));
            }
            run(client, uri.getPath(), bodies, WARM_UP);
            double[] rates = new double[ROUNDS];
            double[] p50s = new double[ROUNDS];
            double[] p99s = new double[ROUNDS];
            for (int round = 0; round < ROUNDS; round++) {
                Result r = run(client, uri.getPath(), bodies, PER_ROUND);
                rates[round] = r.perSecond;
                p50s[round] = r.p50Millis;
                p99s[round] = r.p99Millis;
                System.out.printf("[benchmark] round %d: %d signed deliveries, %.0f/s, p50 %.2f ms, p99 %.2f ms%n",
                        round + 1, PER_ROUND, r.perSecond, r.p50Millis, r.p99Millis);
            }
            System.out.printf("[benchmark] median of %d rounds: %.0f deliveries/s, p50 %.2f ms, p99 %.2f ms "
                            + "(%d in flight, HTTP/1.1 keep-alive, %d cores)%n", ROUNDS, median(rates), median(p50s),
                    median(p99s), IN_FLIGHT, Runtime.getRuntime().availableProcessors());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    record Result(double perSecond, double p50Millis, double p99Millis) {}

    private static Result run(HttpClient client, String path, List<String> bodies, int count) throws Exception {
        long[] latencies = new long[count];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        List<String> causes = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(count);
        long start = System.nanoTime();
        for (int i = 0; i < IN_FLIGHT; i++) {
            send(client, path, bodies, next, latencies, failures, causes, done, count);
        }
        assertThat(done.await(5, TimeUnit.MINUTES)).as("every delivery answered or timed out").isTrue();
        long elapsed = System.nanoTime() - start;
        assertThat(failures.get()).as("failed deliveries, first causes: %s", causes).isZero();
        Arrays.sort(latencies);
        return new Result(count / (elapsed / 1e9), latencies[count / 2] / 1e6, latencies[(int) (count * 0.99)] / 1e6);
    }

    private static void send(HttpClient client, String path, List<String> bodies, AtomicInteger next, long[] latencies,
                             AtomicInteger failures, List<String> causes, CountDownLatch done, int count) {
        int i = next.getAndIncrement();
        if (i >= count) {
            return;
        }
        byte[] body = bodies.get(i % bodies.size()).getBytes(StandardCharsets.UTF_8);
        String signature = AttioSimulator.sign(body, RunningBundle.WEBHOOK_SECRET);
        long sent = System.nanoTime();
        client.request(new RequestOptions().setMethod(HttpMethod.POST).setURI(path)
                        .putHeader("Content-Type", "application/json").putHeader("Attio-Signature", signature)
                        .putHeader("Idempotency-Key", UUID.randomUUID().toString())
                        // an unanswered delivery, or one that never gets a pooled connection, must show up as a
                        // failure with its cause, not as a stalled round
                        .setConnectTimeout(20_000).setIdleTimeout(20_000))
                .compose(request -> request.send(Buffer.buffer(body)))
                .compose(response -> response.body().map(b -> response.statusCode()))
                .onComplete(result -> {
                    latencies[i] = System.nanoTime() - sent;
                    if (result.failed() || result.result() != 200) {
                        if (failures.incrementAndGet() <= 5) {
                            causes.add(result.failed() ? String.valueOf(result.cause()) : "HTTP " + result.result());
                        }
                    }
                    done.countDown();
                    send(client, path, bodies, next, latencies, failures, causes, done, count);
                });
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
