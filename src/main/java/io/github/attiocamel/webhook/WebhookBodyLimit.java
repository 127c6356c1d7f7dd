package io.github.attiocamel.webhook;

import io.github.attiocamel.api.HttpEdge;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.handler.BodyHandler;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * The webhook path's body limit, enforced while the bytes arrive. {@code camel.server.max-body-size} limits every
 * path of the server alike, so this Vert.x handler, placed after the port's body admission and before Camel's
 * route, answers 413 unread when the declared Content-Length is over the limit and otherwise reads the body itself
 * with a Vert.x body handler of the webhook's limit: a chunked body fails with 413 once it passes the limit, never
 * buffered beyond it. Camel's own body handler then finds the body read and passes it on. On HTTP/2 (an h2c
 * upgrade) Camel's handler refuses a request already read, so there it reads the body itself under the server-wide
 * {@code camel.server.max-body-size}, and the verifier holds the webhook's limit once the body is in.
 */
final class WebhookBodyLimit implements StartupListener {

    /** After the HTTP port's body admission (api.BodyGate), before every route. */
    private static final int ORDER = Integer.MIN_VALUE + 2;

    private final String path;
    private final long maxBytes;

    public WebhookBodyLimit(String path, long maxBytes) {
        this.path = path;
        this.maxBytes = maxBytes;
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        VertxPlatformHttpRouter router = context.getRegistry().findByType(VertxPlatformHttpRouter.class).stream()
                .filter(VertxPlatformHttpRouter::isMainServer)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no platform-http server to limit " + path + " on"));
        BodyHandler limited = BodyHandler.create(false).setBodyLimit(maxBytes);
        router.route(path).order(ORDER).handler(ctx -> {
            String declared = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (declared != null && tooLong(declared)) {
                HttpEdge.answer(ctx, 413, new WebhookRejection(413, "payload_too_large", "body over " + maxBytes
                        + " bytes").getResponseBody());
                return;
            }
            if (ctx.request().version() == HttpVersion.HTTP_2) {
                ctx.next();
                return;
            }
            limited.handle(ctx);
        });
    }

    private boolean tooLong(String contentLength) {
        try {
            return Long.parseLong(contentLength.trim()) > maxBytes;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
