package io.github.attiocamel.sandbox;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Delivers webhooks the way Attio does: signed like {@link AttioSimulator#deliver}, and any answer that is not a 2xx
 * (a timeout and a refused or reset connection too) is retried with the same {@code Idempotency-Key} after an
 * exponentially growing wait, up to {@code maxRetries} times, after which Attio would mark the webhook degraded.
 * Attio spreads its 10 retries over about three days; the simulator takes the first wait as a parameter so a test
 * can compress the schedule without changing its shape.
 */
public final class WebhookRedelivery implements AutoCloseable {

    /** One try: when it was sent and the status answered (0: no answer, the connection failed or timed out). */
    public record Attempt(Instant at, int status) {}

    /** Every try of one delivery; {@code delivered} once a 2xx came back. */
    public record Outcome(String idempotencyKey, List<Attempt> attempts, boolean delivered) {}

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "simulator-webhook-redelivery");
        t.setDaemon(true);
        return t;
    });
    private final Duration firstWait;
    private final int maxRetries;
    private final Duration answerTimeout;

    /** Attio's shape: up to 10 retries, each wait twice the last, starting from {@code firstWait}. */
    public WebhookRedelivery(Duration firstWait, Duration answerTimeout) {
        this(firstWait, 10, answerTimeout);
    }

    public WebhookRedelivery(Duration firstWait, int maxRetries, Duration answerTimeout) {
        this.firstWait = firstWait;
        this.maxRetries = maxRetries;
        this.answerTimeout = answerTimeout;
    }

    /** Starts delivering; completes when a 2xx came back or the retries are spent. */
    public CompletableFuture<Outcome> deliver(String targetUrl, String secret, String envelopeJson,
                                              String idempotencyKey) {
        byte[] bytes = envelopeJson.getBytes(StandardCharsets.UTF_8);
        String signature = AttioSimulator.sign(bytes, secret);
        HttpRequest post = HttpRequest.newBuilder(URI.create(targetUrl)).timeout(answerTimeout)
                .header("Content-Type", "application/json").header("Attio-Signature", signature)
                .header("X-Attio-Signature", signature).header("Idempotency-Key", idempotencyKey)
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        List<Attempt> attempts = Collections.synchronizedList(new ArrayList<>());
        timer.execute(() -> attempt(post, idempotencyKey, attempts, outcome));
        return outcome;
    }

    private void attempt(HttpRequest post, String key, List<Attempt> attempts, CompletableFuture<Outcome> outcome) {
        Instant at = Instant.now();
        int status;
        try {
            status = http.send(post, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            status = 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome.completeExceptionally(e);
            return;
        }
        attempts.add(new Attempt(at, status));
        if (status / 100 == 2 || attempts.size() > maxRetries) {
            outcome.complete(new Outcome(key, List.copyOf(attempts), status / 100 == 2));
            return;
        }
        long wait = firstWait.toMillis() << Math.min(attempts.size() - 1, 30);
        timer.schedule(() -> attempt(post, key, attempts, outcome), wait, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
