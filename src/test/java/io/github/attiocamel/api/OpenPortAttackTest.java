package io.github.attiocamel.api;

import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.BundleProcess;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A stranger without any secret cannot take the bundle down: the bundle runs as its own JVM with the Dockerfile's
 * 256 MB heap and {@code -XX:+ExitOnOutOfMemoryError} while 12 connections on loopback each send a 60 MiB chunked
 * body, unsigned to the webhook path or without a token to /api. The process survives, health answers within a
 * second throughout, and a signed delivery sent during the attack is accepted and processed.
 */
class OpenPortAttackTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    private static final int CONNECTIONS = 12;
    private static final long BODY_BYTES = 60L * 1024 * 1024;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void chunkedUnsignedWebhookBodiesLeaveTheProcessUpAndASignedDeliveryProcessed() throws Exception {
        attack("/webhooks/attio", "");
    }

    @Test
    void chunkedUnauthenticatedApiBodiesLeaveTheProcessUpAndASignedDeliveryProcessed() throws Exception {
        attack("/api/contacts", "");
        attack("/api/contacts:batch", "Content-Type: application/x-ndjson\r\n");
    }

    private void attack(String path, String extraHeaders) throws Exception {
        attack(path, extraHeaders, CONNECTIONS);
    }

    private void attack(String path, String extraHeaders, int connections) throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        sim.data().seedPeople(1);
        String personId = sim.data().recordIds("people").get(0);
        try (BundleProcess bundle = BundleProcess.against(sim.baseUrl(), sim.apiKey())
                .jvmOption("-Xmx256m").jvmOption("-XX:+ExitOnOutOfMemoryError")
                .start()) {
            ExecutorService pool = Executors.newFixedThreadPool(connections);
            AtomicLong sent = new AtomicLong();
            List<CompletableFuture<Void>> uploads = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                uploads.add(CompletableFuture.runAsync(() -> upload(bundle.httpPort(), path, extraHeaders, sent), pool));
            }
            long slowest = 0;
            int delivered = -1;
            Instant attackEnds = Instant.now().plusSeconds(8);
            while (Instant.now().isBefore(attackEnds) || !CompletableFuture.allOf(uploads.toArray(
                    CompletableFuture[]::new)).isDone()) {
                long started = System.nanoTime();
                int health = bundle.health(Duration.ofSeconds(1));
                long tookMillis = (System.nanoTime() - started) / 1_000_000;
                slowest = Math.max(slowest, tookMillis);
                assertThat(health).as("health within 1 s while %d bytes were sent (took %d ms); the bundle's log:%n%s",
                        sent.get(), tookMillis, bundle.logTail()).isEqualTo(200);
                if (delivered == -1 && sent.get() > 4L * 1024 * 1024) {
                    delivered = sim.deliver(bundle.httpUrl() + "/webhooks/attio", RunningBundle.WEBHOOK_SECRET,
                            sim.recordEvent("record.created", "people", personId), "attack-" + path);
                }
                if (Instant.now().isAfter(attackEnds.plusSeconds(60))) {
                    break;
                }
            }
            pool.shutdownNow();
            assertThat(bundle.isAlive()).as(bundle.logTail()).isTrue();
            assertThat(delivered).as("the signed delivery sent during the attack").isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> mirror(bundle, personId) == 200);
            assertThat(slowest).isLessThan(1000);
        }
    }

    /** One connection after another, each a chunked 60 MiB body, until 60 MiB went out or the attack is over. */
    private static void upload(int port, String path, String extraHeaders, AtomicLong sent) {
        // short lines, as a body of rows would be: one 60 MiB line would test the row parser, not the port
        byte[] chunk = "x\n".repeat(32 * 1024).getBytes(StandardCharsets.US_ASCII);
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + extraHeaders + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] chunkHead = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] crlf = "\r\n".getBytes(StandardCharsets.US_ASCII);
        long mine = 0;
        Instant until = Instant.now().plusSeconds(8);
        while (mine < BODY_BYTES && Instant.now().isBefore(until) && !Thread.currentThread().isInterrupted()) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                OutputStream out = socket.getOutputStream();
                out.write(head);
                while (mine < BODY_BYTES) {
                    out.write(chunkHead);
                    out.write(chunk);
                    out.write(crlf);
                    mine += chunk.length;
                    sent.addAndGet(chunk.length);
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException refused) {
                // the bundle answered and closed: the next connection goes on with the rest of the 60 MiB
            }
        }
    }

    private static int mirror(BundleProcess bundle, String recordId) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(bundle.httpUrl() + "/api/mirror/people/" + recordId))
                .header("Authorization", "Bearer " + RunningBundle.API_TOKEN).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
