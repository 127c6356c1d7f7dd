package io.github.attiocamel.webhook;

import io.vertx.core.http.HttpHeaders;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * A body limit for the webhook path only, checked before the body is read. {@code camel.server.maxBodySize}
 * (Vert.x {@code BodyHandler.setBodyLimit}) would limit every path of the server, and the bundle's /api may take
 * larger bodies; a second limited BodyHandler on this path cannot be used either, because Camel's body handler then
 * fails resuming an already-read request. So a Vert.x handler placed before Camel's route answers 413 when the
 * declared Content-Length is over the limit, without reading a byte. A body without Content-Length (chunked) is
 * read by Camel under the server-wide limit and then refused 413 by {@link WebhookVerifier} if it is too long.
 */
final class WebhookBodyLimit implements StartupListener {

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
        router.route(path).order(Integer.MIN_VALUE).handler(ctx -> {
            String declared = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (declared != null && tooLong(declared)) {
                ctx.response().setStatusCode(413).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .putHeader(HttpHeaders.CONNECTION, "close")
                        .end(new WebhookRejection(413, "payload_too_large", "body over " + maxBytes + " bytes")
                                .getResponseBody());
                return;
            }
            ctx.next();
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
