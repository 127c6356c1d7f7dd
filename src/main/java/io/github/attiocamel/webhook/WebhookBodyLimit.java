package io.github.attiocamel.webhook;

import io.vertx.ext.web.handler.BodyHandler;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * A body limit for the webhook path only. {@code camel.server.maxBodySize} (Vert.x {@code BodyHandler.setBodyLimit})
 * limits every path of the server, and the bundle's /api may legitimately take larger bodies (batch imports). So a
 * Vert.x route placed before Camel's on the webhook path installs its own limited BodyHandler: a Content-Length
 * above the limit is answered 413 before the body is read, a chunked body is cut off with 413 as soon as it passes
 * the limit, and Camel's own BodyHandler then sees the body already handled (Vert.x runs one body handler per
 * request).
 */
public final class WebhookBodyLimit implements StartupListener {

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
        router.route(path)
                .order(Integer.MIN_VALUE)
                .handler(BodyHandler.create(false).setBodyLimit(maxBytes));
    }
}
