package io.github.attiocamel.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An estate's HTTP endpoint for the change feed ({@code attio.changes.uri = http://127.0.0.1:port/changes}): records
 * every message it accepts with the feed's headers, in arrival order, answers 503 to all while {@link #down}, and
 * can be made slow ({@link #latency}).
 */
public final class ChangeSink implements AutoCloseable {

    /** One accepted message: the feed's headers and the JSON body. */
    public record Received(String changeId, String changeKey, JsonNode body) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final List<Received> received = new ArrayList<>();
    private final AtomicBoolean down = new AtomicBoolean();
    private final AtomicInteger refused = new AtomicInteger();
    private volatile long latencyMillis;

    public ChangeSink() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/changes", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Runnable answer = () -> {
                try (exchange) {
                    int status;
                    if (down.get()) {
                        refused.incrementAndGet();
                        status = 503;
                    } else {
                        synchronized (received) {
                            received.add(new Received(exchange.getRequestHeaders().getFirst("AttioChangeId"),
                                    exchange.getRequestHeaders().getFirst("AttioChangeKey"),
                                    JSON.readTree(new String(body, StandardCharsets.UTF_8))));
                        }
                        status = 200;
                    }
                    exchange.sendResponseHeaders(status, -1);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            };
            long millis = latencyMillis;
            if (millis > 0) {
                // a slow endpoint answers later, from another thread; the request is accepted only then
                CompletableFuture.runAsync(answer, CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS));
            } else {
                answer.run();
            }
        });
        server.start();
    }

    public String uri() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/changes";
    }

    public void down(boolean isDown) {
        down.set(isDown);
    }

    /** Each answer from now on takes this long: a slow endpoint, so that a batch is still in flight when needed. */
    public void latency(java.time.Duration latency) {
        latencyMillis = latency.toMillis();
    }


    /** Requests answered 503 while down. */
    public int refused() {
        return refused.get();
    }

    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** The distinct change ids accepted so far. */
    public Set<String> ids() {
        Set<String> ids = new LinkedHashSet<>();
        received().forEach(r -> ids.add(r.changeId()));
        return ids;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
