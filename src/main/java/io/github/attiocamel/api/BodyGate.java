package io.github.attiocamel.api;

import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.Ordered;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP port's admission of request bodies, a Vert.x handler right after the bearer token's ({@link ApiGate})
 * and before anything reads a body: a declared length over the path's limit is answered 413 unread, and beyond
 * {@code attio.server.max-bodies-in-flight} bodies being received or served at once a request is answered 503 with
 * Retry-After, so the heap a stranger can fill is bounded by bodies in flight times the largest limit. A limit
 * exceeded while a body arrives (chunked ones included) fails the read with 413, answered here in JSON; a body not
 * complete within {@code attio.server.body-timeout} is answered 408 (streamed uploads excepted), and each refusal
 * closes its connection.
 */
final class BodyGate implements StartupListener, Ordered {

    /** Right after {@link ApiGate}'s token check, so a refused /api request never takes a slot. */
    static final int ORDER = Integer.MIN_VALUE + 1;
    private static final String RETRY_AFTER_SECONDS = "1";

    private final long maxBodyBytes;
    private final long maxUploadBytes;
    private final Set<String> streamedPaths;
    private final int maxInFlight;
    private final long bodyTimeoutMillis;
    private final AtomicInteger inFlight = new AtomicInteger();

    BodyGate(long maxBodyBytes, long maxUploadBytes, Set<String> streamedPaths, int maxInFlight,
             Duration bodyTimeout) {
        this.maxBodyBytes = maxBodyBytes;
        this.maxUploadBytes = maxUploadBytes;
        this.streamedPaths = streamedPaths;
        this.maxInFlight = maxInFlight;
        this.bodyTimeoutMillis = bodyTimeout.toMillis();
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST;
    }

    @Override
    public void onCamelContextStarting(CamelContext context, boolean alreadyStarted) {
        VertxPlatformHttpRouter router = context.getRegistry().findByType(VertxPlatformHttpRouter.class).stream()
                .filter(VertxPlatformHttpRouter::isMainServer)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no platform-http server to admit bodies on"));
        router.route().order(ORDER).putMetadata(ApiGate.OWN_ROUTE, true).handler(this::admit)
                .failureHandler(BodyGate::failed);
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // installed in onCamelContextStarting
    }

    private void admit(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (request.isEnded() || !hasBody(request)) {
            ctx.next();
            return;
        }
        boolean streamed = streamedPaths.contains(ctx.normalizedPath());
        long limit = streamed ? maxUploadBytes : maxBodyBytes;
        long declared = declaredLength(request);
        if (declared > limit) {
            HttpEdge.answer(ctx, 413, ApiErrors.body("payload_too_large", "body over " + limit + " bytes"));
            return;
        }
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            ctx.response().putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
            HttpEdge.answer(ctx, 503, ApiErrors.body("busy", "too many request bodies in flight; retry later"));
            return;
        }
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                inFlight.decrementAndGet();
            }
        };
        // a body still arriving after the timeout (a sender dripping bytes past the idle timeout) is answered 408;
        // a streamed upload, sent by the token's holder and possibly over a slow link, has only the idle timeout
        long timer = streamed ? -1 : ctx.vertx().setTimer(bodyTimeoutMillis, fired -> {
            if (!request.isEnded()) {
                HttpEdge.answer(ctx, 408, ApiErrors.body("request_timeout", "body not received within "
                        + bodyTimeoutMillis + " ms"));
            }
        });
        ctx.addEndHandler(done -> {
            if (timer >= 0) {
                ctx.vertx().cancelTimer(timer);
            }
            release.run();
        });
        ctx.next();
    }

    private static void failed(RoutingContext ctx) {
        if (ctx.statusCode() == 413) {
            HttpEdge.answer(ctx, 413, ApiErrors.body("payload_too_large", "body over the limit of this path"));
        } else if (!(ctx.failure() instanceof HttpClosedException)) {
            ctx.next();
        }
        // a sender gone mid-body (or closed by a timeout) has nobody to answer, and is no error worth a log line
    }

    private static boolean hasBody(HttpServerRequest request) {
        return request.headers().contains(HttpHeaders.TRANSFER_ENCODING) || declaredLength(request) > 0;
    }

    private static long declaredLength(HttpServerRequest request) {
        String value = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
