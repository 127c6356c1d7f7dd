package io.github.attiocamel.api;

import io.github.attiocamel.testing.RawHttp;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP port's edge on the real bundle, on raw sockets: refused bodies are answered and their connection closed,
 * limits hold while chunked bodies arrive, bodies in flight are bounded, and a literal-colon path is only itself.
 */
class HttpEdgeTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    private static RunningBundle bundle;

    @BeforeAll
    static void start() {
        bundle = RunningBundle.against(ATTIO.baseUrl(), ATTIO.apiKey())
                .property("attio.server.max-bodies-in-flight", "3").start();
    }

    @AfterAll
    static void stop() {
        bundle.close();
    }

    @Test
    void anUnauthenticatedBodyIsAnswered401AndItsConnectionClosedUnread() throws Exception {
        try (RawHttp c = RawHttp.connect(bundle.httpUrl())) {
            RawHttp.Answer a = c.send("POST /api/contacts HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json"
                    + "\r\nContent-Length: 60000000\r\n\r\n{\"email\":").read(Duration.ofSeconds(5));

            assertThat(a.status()).isEqualTo(401);
            assertThat(c.closedWithin(Duration.ofSeconds(5))).as("a partial body must not hold the connection").isTrue();
        }
    }

    @Test
    void aChunkedBodyOverTheServerCapIs413WhileItArrives() throws Exception {
        try (RawHttp c = RawHttp.connect(bundle.httpUrl())) {
            c.send("POST /api/contacts HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + bundle.apiToken()
                    + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
            String chunk = "x".repeat(64 * 1024);
            // 2 MiB of a body that never ends: only a limit applied while the bytes arrive can answer it
            for (int i = 0; i < 32; i++) {
                try {
                    c.send(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
                } catch (java.io.IOException closed) {
                    break;
                }
            }
            RawHttp.Answer a = c.read(Duration.ofSeconds(5));

            assertThat(a.status()).isEqualTo(413);
            assertThat(a.header("content-type")).isEqualTo("application/json");
            assertThat(a.body()).contains("\"error\":\"payload_too_large\"");
            assertThat(c.closedWithin(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void aChunkedWebhookOverItsLimitIs413WhileItArrives() throws Exception {
        try (RunningBundle small = RunningBundle.against(ATTIO.baseUrl(), ATTIO.apiKey())
                .property("attio.webhook.max-body-bytes", "1000").start();
             RawHttp c = RawHttp.connect(small.httpUrl())) {
            c.send("POST /webhooks/attio HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n" + "800\r\n" + "x".repeat(0x800) + "\r\n");
            RawHttp.Answer a = c.read(Duration.ofSeconds(5));

            assertThat(a.status()).as("refused before the body ended").isEqualTo(413);
            assertThat(a.body()).contains("payload_too_large");
        }
    }

    @Test
    void beyondTheBodiesInFlightA503WithRetryAfterAnswers() throws Exception {
        List<RawHttp> holding = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                holding.add(RawHttp.connect(bundle.httpUrl()).send("POST /webhooks/attio HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"webhook_id\":"));
            }
            // the three above hold their slots as soon as their heads are read; a fourth body is turned away
            RawHttp.Answer a = null;
            for (int attempt = 0; attempt < 50 && (a == null || a.status() != 503); attempt++) {
                a = tinyWebhook();
            }
            assertThat(a.status()).isEqualTo(503);
            assertThat(a.header("retry-after")).isEqualTo("1");
            assertThat(a.body()).contains("\"error\":\"busy\"");
        } finally {
            holding.forEach(RawHttp::close);
        }
        RawHttp.Answer a = null;
        for (int attempt = 0; attempt < 50 && (a == null || a.status() == 503); attempt++) {
            a = tinyWebhook();
        }
        assertThat(a.status()).as("slots come back when their connections go: an unsigned body is judged").isEqualTo(401);
    }

    private static RawHttp.Answer tinyWebhook() throws Exception {
        try (RawHttp probe = RawHttp.connect(bundle.httpUrl())) {
            return probe.send("POST /webhooks/attio HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 2\r\n\r\n{}").read(Duration.ofSeconds(5));
        }
    }

    @Test
    void silentConnectionsAreClosedOnBothServersWithinTheIdleTimeout() throws Exception {
        try (RunningBundle timed = RunningBundle.against(ATTIO.baseUrl(), ATTIO.apiKey())
                .property("attio.server.idle-timeout", "PT2S").start()) {
            for (String url : List.of(timed.httpUrl(), timed.managementUrl())) {
                try (RawHttp unfinishedHeaders = RawHttp.connect(url);
                     RawHttp stalledBody = RawHttp.connect(url)) {
                    unfinishedHeaders.send("GET /observe/health HTTP/1.1\r\nHost: local");
                    stalledBody.send("POST /webhooks/attio HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                            + "application/json\r\nContent-Length: 100\r\n\r\n{");
                    long started = System.nanoTime();

                    assertThat(unfinishedHeaders.closedWithin(Duration.ofSeconds(5))).as(url + " headers").isTrue();
                    assertThat(stalledBody.closedWithin(Duration.ofSeconds(5))).as(url + " body").isTrue();
                    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
                }
            }
        }
    }

    @Test
    void aBodyDrippedPastTheBodyTimeoutIsAnswered408() throws Exception {
        try (RunningBundle timed = RunningBundle.against(ATTIO.baseUrl(), ATTIO.apiKey())
                .property("attio.server.body-timeout", "PT2S").start();
             RawHttp c = RawHttp.connect(timed.httpUrl())) {
            c.send("POST /webhooks/attio HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 1000\r\n\r\n");
            ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();
            try {
                drip.scheduleAtFixedRate(() -> {
                    try {
                        c.send(" ");
                    } catch (java.io.IOException closed) {
                        throw new IllegalStateException(closed);
                    }
                }, 0, 300, TimeUnit.MILLISECONDS);
                RawHttp.Answer a = c.read(Duration.ofSeconds(6));

                assertThat(a.status()).isEqualTo(408);
                assertThat(a.body()).contains("request_timeout");
            } finally {
                drip.shutdownNow();
            }
        }
    }

    @Test
    void onlyTheLiteralColonPathReachesTheBatchRoute() throws Exception {
        for (String path : List.of("/api/contactsfoo", "/api/contacts_batch", "/api/contacts%3Abatch2")) {
            try (RawHttp c = RawHttp.connect(bundle.httpUrl())) {
                RawHttp.Answer a = c.send("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                        + bundle.apiToken() + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                        + "Connection: close\r\n\r\n[]").read(Duration.ofSeconds(5));
                assertThat(a.status()).as(path).isEqualTo(404);
            }
        }
        try (RawHttp c = RawHttp.connect(bundle.httpUrl())) {
            RawHttp.Answer a = c.send("POST /api/contacts:batch HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + bundle.apiToken() + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                    + "Connection: close\r\n\r\n[]").read(Duration.ofSeconds(5));
            assertThat(a.status()).as("the batch route itself: an empty batch").isEqualTo(400);
        }
    }
}
