package io.github.attiocamel.api;

import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import org.apache.camel.CamelContext;
import org.apache.camel.Ordered;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

import java.lang.reflect.Field;
import java.util.concurrent.TimeUnit;

/**
 * The idle timeout of both HTTP servers (webhooks and /api; health and metrics): a connection on which nothing is
 * read or written for {@code attio.server.idle-timeout} is closed, so connections that never finish their headers,
 * bodies that stall and forgotten keep-alives cannot pile up. Camel 4.18 builds each server's HttpServerOptions
 * itself and offers no setting for it, so the timeout is set on the options the running Vert.x server reads for
 * every new connection; start-up fails if a Vert.x upgrade moves them, rather than running without a timeout.
 */
final class ServerTimeouts implements StartupListener, Ordered {

    private final int idleSeconds;

    ServerTimeouts(int idleSeconds) {
        this.idleSeconds = idleSeconds;
    }

    /** After Camel's own listener that starts the servers (see {@link ApiGate#getOrder()}), before routes start. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST;
    }

    @Override
    public void onCamelContextStarting(CamelContext context, boolean alreadyStarted) {
        for (VertxPlatformHttpRouter router : context.getRegistry().findByType(VertxPlatformHttpRouter.class)) {
            HttpServer server = router.getServer() == null ? null : router.getServer().getServer();
            if (server != null) {
                optionsOf(server).setIdleTimeout(idleSeconds).setIdleTimeoutUnit(TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // set in onCamelContextStarting
    }

    static HttpServerOptions optionsOf(HttpServer server) {
        for (Class<?> c = server.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field field = c.getDeclaredField("options");
                if (HttpServerOptions.class.isAssignableFrom(field.getType())) {
                    field.setAccessible(true);
                    return (HttpServerOptions) field.get(server);
                }
            } catch (NoSuchFieldException next) {
                // look in the superclass
            } catch (IllegalAccessException | RuntimeException e) {
                throw new IllegalStateException("cannot set the HTTP servers' idle timeout on " + server.getClass(), e);
            }
        }
        throw new IllegalStateException("cannot set the HTTP servers' idle timeout: no options in " + server.getClass());
    }
}
