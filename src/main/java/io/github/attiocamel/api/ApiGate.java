package io.github.attiocamel.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.Ordered;
import org.apache.camel.StartupListener;
import org.apache.camel.model.Model;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two Vert.x handlers on the HTTP port's router (the one Camel's platform-http routes are on), installed before any
 * route starts:
 * <ul>
 * <li>first of all: a request under a REST DSL path ({@code /api}) must carry the bearer token
 * ({@link BearerTokenGuard}), else 401 JSON with {@code WWW-Authenticate: Bearer}, answered before a byte of the body
 * is read. Auth comes before routing, so without the token /api tells nothing, not even which paths exist. The path
 * is judged both as Vert.x normalised it (dot segments removed, what the routes are matched on) and as sent, with
 * repeated slashes collapsed, percent-escapes decoded and case ignored, so no spelling of /api slips past. A
 * literal-colon verb path ({@code /api/contacts:batch}) then answers only to itself. A request from one of the
 * configured browser origins ({@code attio.ops.allowed-origins}: the operations page's, on the management port) gets
 * the CORS headers that let that page read the answer; its preflight ({@code OPTIONS} with
 * {@code Access-Control-Request-Method}) is answered 204 without the token, since a browser never sends one with it.
 * Any other origin gets no CORS header at all, so browsers keep its pages from reading /api.</li>
 * <li>last of all: a request no route took answers the JSON error contract, 405 with the {@code Allow} header when
 * routes exist for the path under other methods (read from the router's own routes), else 404.</li>
 * </ul>
 */
final class ApiGate implements StartupListener, Ordered {

    /** Marks the gate's own routes, which are no endpoint of the bundle and so never count for Allow. */
    static final String OWN_ROUTE = "attio.api.gate";
    private static final Pattern PATH_PARAM = Pattern.compile(":([A-Za-z][A-Za-z0-9_]*)");

    /** A colon inside a segment, which Vert.x reads as a path parameter though the REST path means it literally. */
    private static final Pattern MID_SEGMENT_COLON = Pattern.compile("[^/]:[A-Za-z]");

    private final BearerTokenGuard guard;
    private final Set<String> allowedOrigins;
    private Set<String> apiPaths;
    private Set<String> literalColonPaths;
    private final Map<String, Pattern> templates = new ConcurrentHashMap<>();
    private VertxPlatformHttpRouter router;

    ApiGate(BearerTokenGuard guard, Set<String> allowedOrigins) {
        this.guard = guard;
        this.allowedOrigins = Set.copyOf(allowedOrigins);
    }

    /**
     * Last among the starting listeners, as Camel's own that starts the HTTP server (DeferServiceStartupListener, also
     * LOWEST, registered first), so the router exists; and before the routes start, so no /api route ever serves a
     * request the guard has not seen.
     */
    @Override
    public int getOrder() {
        return Ordered.LOWEST;
    }

    /** Installs both handlers (see the class comment). */
    @Override
    public void onCamelContextStarting(CamelContext context, boolean alreadyStarted) {
        apiPaths = guardedPaths(context);
        literalColonPaths = literalColonPaths(context);
        router = context.getRegistry().findByType(VertxPlatformHttpRouter.class).stream()
                .filter(VertxPlatformHttpRouter::isMainServer)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no platform-http server for the bundle API"));
        router.route().order(Integer.MIN_VALUE).putMetadata(OWN_ROUTE, true).handler(this::authenticate);
        router.route().order(Integer.MAX_VALUE).putMetadata(OWN_ROUTE, true).handler(this::unrouted);
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // installed in onCamelContextStarting
    }

    private void authenticate(RoutingContext ctx) {
        if (!underApi(ctx.normalizedPath()) && !underApi(ctx.request().path())) {
            ctx.next();
            return;
        }
        if (crossOrigin(ctx)) {
            return;
        }
        // two Authorization headers are refused: a proxy in front could judge the other one than this check does
        String refusal = ctx.request().headers().getAll(HttpHeaders.AUTHORIZATION).size() > 1
                ? "more than one Authorization header"
                : guard.refusal(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
        // checked once here: the token never reaches a route, a log line or a response
        ctx.request().headers().remove(HttpHeaders.AUTHORIZATION);
        if (refusal == null) {
            if (spoofsLiteralColon(ctx.normalizedPath())) {
                answer(ctx, 404, ApiErrors.body("not_found", "nothing is served at this path"));
                return;
            }
            ctx.next();
            return;
        }
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
        answer(ctx, 401, ApiErrors.body("unauthorized", refusal));
    }

    /**
     * CORS for the allowed origins: the headers on whatever the answer turns out to be (401 included, so the page can
     * say the token is wrong), and the preflight answered here. True when the request is answered.
     */
    private boolean crossOrigin(RoutingContext ctx) {
        String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
        ctx.response().headers().add(HttpHeaders.VARY, "Origin");
        if (origin == null || !allowedOrigins.contains(origin)) {
            return false;
        }
        ctx.response().putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        if (ctx.request().method() != HttpMethod.OPTIONS
                || ctx.request().getHeader(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD) == null) {
            return false;
        }
        ctx.response().setStatusCode(204)
                .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST")
                .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, "Authorization, Content-Type")
                .putHeader(HttpHeaders.ACCESS_CONTROL_MAX_AGE, "600")
                .end();
        return true;
    }

    private void unrouted(RoutingContext ctx) {
        Set<String> allowed = allowedMethods(ctx.normalizedPath());
        if (allowed.isEmpty()) {
            answer(ctx, 404, ApiErrors.body("not_found", "nothing is served at this path"));
            return;
        }
        String allow = String.join(", ", allowed);
        ctx.response().putHeader(HttpHeaders.ALLOW, allow);
        answer(ctx, 405, ApiErrors.body("method_not_allowed",
                ctx.request().method().name() + " is not allowed here; allowed: " + allow));
    }

    /** The methods of the bundle's routes that match this path (a route without methods takes every method). */
    Set<String> allowedMethods(String path) {
        Set<String> methods = new TreeSet<>();
        if (path == null) {
            return methods;
        }
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        for (Route route : router.getRoutes()) {
            // a path template (/api/jobs/:id) is a regex route too, but keeps its path; a raw regex route has none
            if (Boolean.TRUE.equals(route.getMetadata(OWN_ROUTE)) || route.getPath() == null
                    || route.methods() == null || route.methods().isEmpty()) {
                continue;
            }
            if (route.isExactPath() ? matches(route.getPath(), p) : p.startsWith(route.getPath())) {
                route.methods().stream().map(HttpMethod::name).forEach(methods::add);
            }
        }
        return methods;
    }

    /** Vert.x's path syntax: {@code :name} is one segment's worth of characters (a prefix route is not exact). */
    private boolean matches(String template, String path) {
        return templates.computeIfAbsent(template, ApiGate::compile).matcher(path).matches();
    }

    private static Pattern compile(String template) {
        StringBuilder regex = new StringBuilder();
        Matcher m = PATH_PARAM.matcher(template);
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(template.substring(last, m.start()))).append("[^/]+");
            last = m.end();
        }
        regex.append(Pattern.quote(template.substring(last)));
        return Pattern.compile(regex.toString());
    }

    /**
     * The path of every {@code rest:} declaration and of the OpenAPI document: what the REST DSL really serves, so a
     * new rest: block is guarded without anyone remembering to. A rest path of / would guard the webhooks too (and
     * lock Attio out), so it is refused at start-up.
     */
    static Set<String> guardedPaths(CamelContext context) {
        Set<String> paths = new TreeSet<>();
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        for (RestDefinition rest : model.getRestDefinitions()) {
            String path = rest.getPath() == null ? "/" : canonical(context.resolvePropertyPlaceholders(rest.getPath()));
            if (path.equals("/")) {
                throw new IllegalStateException("rest " + rest.getId() + " needs a path of its own (such as /api): "
                        + "the bearer token guards every rest path, and / would take the webhooks with it");
            }
            paths.add(path);
        }
        String apiDoc = context.getRestConfiguration().getApiContextPath();
        if (apiDoc != null && !apiDoc.isBlank()) {
            paths.add(canonical(apiDoc));
        }
        return paths;
    }

    /**
     * Verb paths such as {@code /api/contacts:batch}: Vert.x matches {@code /api/contactsanything} to them, taking
     * {@code :batch} for a parameter, so only the literal spelling may reach their route.
     */
    static Set<String> literalColonPaths(CamelContext context) {
        Set<String> paths = new TreeSet<>();
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        for (RestDefinition rest : model.getRestDefinitions()) {
            String base = rest.getPath() == null ? "" : context.resolvePropertyPlaceholders(rest.getPath());
            rest.getVerbs().forEach(verb -> {
                String path = (base + "/" + (verb.getPath() == null ? "" : context.resolvePropertyPlaceholders(
                        verb.getPath()))).replaceAll("/+", "/");
                String trimmed = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
                if (MID_SEGMENT_COLON.matcher(trimmed).find()) {
                    paths.add(trimmed);
                }
            });
        }
        return paths;
    }

    /** True when the path matches a literal-colon verb path as Vert.x reads it, but is not that path. */
    private boolean spoofsLiteralColon(String path) {
        if (path == null || literalColonPaths.isEmpty()) {
            return false;
        }
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        for (String literal : literalColonPaths) {
            if (!p.equals(literal) && matches(literal, p)) {
                return true;
            }
        }
        return false;
    }

    /** True when the path, however spelt, is a guarded path or beneath one. */
    boolean underApi(String path) {
        if (path == null) {
            return false;
        }
        String p = canonical(path);
        for (String api : apiPaths) {
            if (p.equals(api) || p.startsWith(api + "/")) {
                return true;
            }
        }
        return false;
    }

    /** Slashes collapsed, each segment percent-decoded, matrix parameters dropped, lower case. */
    static String canonical(String path) {
        StringBuilder out = new StringBuilder();
        for (String segment : path.split("/+")) {
            if (segment.isEmpty()) {
                continue;
            }
            int semicolon = segment.indexOf(';');
            String s = semicolon >= 0 ? segment.substring(0, semicolon) : segment;
            try {
                s = URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException malformed) {
                // judged as sent
            }
            out.append('/').append(s.toLowerCase(Locale.ROOT));
        }
        return out.length() == 0 ? "/" : out.toString();
    }

    private static void answer(RoutingContext ctx, int status, String body) {
        HttpEdge.answer(ctx, status, body);
    }
}
