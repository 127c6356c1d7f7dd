package io.github.attiocamel.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.Ordered;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;

/**
 * {@code GET /ops} on the management port: the operations page ({@code attio/operations.html}), one static page whose
 * script polls {@code GET /api/operations} on the HTTP port with the token the operator types in. A Vert.x handler on
 * the management server's router serves it, since Camel's platform-http routes all live on the HTTP port. The page's
 * settings go into data attributes of its body; its Content-Security-Policy lets only its own inline script and style
 * (by their hashes) run and talk only to the API, and forbids framing, so nothing else runs beside the token and no
 * other site can borrow a click on Replay.
 */
final class OperationsPage implements StartupListener, Ordered {

    static final String PATH = "/ops";
    private static final Logger LOG = LoggerFactory.getLogger(OperationsPage.class);
    private static final String RESOURCE = "/attio/operations.html";

    private final String html;
    private final String policy;
    private final String apiOrigin;
    private final int httpPort;

    /** {@code apiUrl} empty: the API is on the page's own host, port {@code httpPort}. */
    OperationsPage(String apiUrl, int httpPort, long refreshMillis) {
        String template = read();
        this.apiOrigin = apiUrl.isEmpty() ? null : origin(apiUrl);
        this.httpPort = httpPort;
        this.html = template.replace("%API_URL%", attribute(apiUrl)).replace("%API_PORT%", Integer.toString(httpPort))
                .replace("%REFRESH_MILLIS%", Long.toString(refreshMillis));
        this.policy = "default-src 'none'; script-src " + hash(between(template, "<script>", "</script>"))
                + "; style-src " + hash(between(template, "<style>", "</style>"))
                + "; form-action 'none'; frame-ancestors 'none'; base-uri 'none'; connect-src ";
    }

    /** After Camel's listener that starts the servers (see {@link ApiGate#getOrder()}). */
    @Override
    public int getOrder() {
        return Ordered.LOWEST;
    }

    @Override
    public void onCamelContextStarting(CamelContext context, boolean alreadyStarted) {
        List<VertxPlatformHttpRouter> management = context.getRegistry().findByType(VertxPlatformHttpRouter.class)
                .stream().filter(r -> !r.isMainServer()).toList();
        if (management.isEmpty()) {
            LOG.info("[attio-api] no management server (camel.management.enabled): no operations page at {}", PATH);
            return;
        }
        management.forEach(router -> router.route(HttpMethod.GET, PATH).handler(this::serve));
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // installed in onCamelContextStarting
    }

    private void serve(RoutingContext ctx) {
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .putHeader("Content-Security-Policy", policy + (apiOrigin != null ? apiOrigin : sameHost(ctx)))
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer")
                .end(html);
    }

    /** The origin the page's script computes when no API URL is set: this host, the HTTP port. */
    private String sameHost(RoutingContext ctx) {
        String host = ctx.request().authority() == null ? "localhost" : ctx.request().authority().host();
        return ctx.request().scheme() + "://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host)
                + ":" + httpPort;
    }

    static String origin(String url) {
        URI uri = URI.create(url);
        if (uri.getScheme() == null || uri.getHost() == null || !uri.getScheme().matches("https?")) {
            throw new IllegalArgumentException("not an http(s) URL: " + url);
        }
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    private static String read() {
        try (InputStream in = OperationsPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the bundle");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String between(String text, String open, String close) {
        int start = text.indexOf(open);
        int end = text.indexOf(close, start);
        if (start < 0 || end < 0) {
            throw new IllegalStateException(RESOURCE + " has no " + open + " block");
        }
        return text.substring(start + open.length(), end);
    }

    private static String hash(String inline) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(inline.getBytes(StandardCharsets.UTF_8));
            return "'sha256-" + Base64.getEncoder().encodeToString(digest) + "'";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    private static String attribute(String value) {
        return value.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
