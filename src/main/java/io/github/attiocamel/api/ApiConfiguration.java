package io.github.attiocamel.api;

import io.github.attiocamel.config.StartupException;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.spi.DataFormatFactory;
import org.apache.camel.spi.HeaderFilterStrategy;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The bundle API's beans and Vert.x handlers. Settings are injected by Camel from the property files (no defaults
 * here: config/application.properties holds them all, and a missing key fails start-up); beans are bound by
 * {@code @BindToRegistry}: {@code bundleApiGuard} (the bearer token check of {@link ApiGate}), {@code bundleApiErrors}
 * (route configuration {@code attio-api}'s error answers) and {@code responseHeaderFilter}, the outbound header
 * allow-list of every platform-http endpoint, and the factory of the REST binding's JSON data format.
 */
public class ApiConfiguration implements CamelConfiguration {

    @PropertyInject("attio.api-token")
    private String apiToken;

    /** An open breaker is retried by Attio callers after its wait duration, so that is the honest Retry-After. */
    @PropertyInject("attio.breaker.wait-duration-in-open-state")
    private long breakerWaitSeconds;

    @PropertyInject("attio.api.streamed-paths")
    private String streamedPaths;

    @PropertyInject("camel.server.max-body-size")
    private long maxBodyBytes;

    @PropertyInject("attio.api.max-upload-bytes")
    private long maxUploadBytes;

    @PropertyInject("attio.server.max-bodies-in-flight")
    private int maxBodiesInFlight;

    @PropertyInject("attio.server.body-timeout")
    private Duration bodyTimeout;

    @PropertyInject("attio.server.idle-timeout")
    private Duration idleTimeout;

    @PropertyInject("attio.http-port")
    private int httpPort;

    @PropertyInject("attio.ops.api-url")
    private String opsApiUrl;

    @PropertyInject("attio.ops.refresh-millis")
    private long opsRefreshMillis;

    @PropertyInject("attio.ops.allowed-origins")
    private String opsAllowedOrigins;

    @BindToRegistry("bundleApiGuard")
    public BearerTokenGuard bundleApiGuard() {
        return new BearerTokenGuard(apiToken);
    }

    @BindToRegistry("bundleApiErrors")
    public ApiErrors bundleApiErrors() {
        return new ApiErrors(Duration.ofSeconds(breakerWaitSeconds), Clock.systemUTC());
    }

    @BindToRegistry("responseHeaderFilter")
    public HeaderFilterStrategy responseHeaderFilter() {
        return new ResponseHeaderFilter();
    }

    /** The REST binding's JSON (camel.rest.json-data-format = bundleApiJson): Jackson, lenient with non-JSON bodies. */
    @BindToRegistry(LenientJsonBinding.FACTORY)
    public DataFormatFactory bundleApiJson() {
        return LenientJsonBinding::new;
    }

    /** The browser origins whose pages may read /api: each exactly scheme://host[:port], never a wildcard. */
    static Set<String> allowedOrigins(String setting) {
        Set<String> origins = Arrays.stream(setting.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        for (String origin : origins) {
            if (!origin.matches("https?://[A-Za-z0-9.\\[\\]:-]+")) {
                throw new StartupException("invalid setting attio.ops.allowed-origins=" + setting + " (env "
                        + "ATTIO_OPS_ALLOWED_ORIGINS): each origin is scheme://host[:port] exactly, no path, no wildcard");
            }
        }
        return origins;
    }

    private OperationsPage operationsPage() {
        String apiUrl = opsApiUrl.trim().replaceAll("/+$", "");
        if (opsRefreshMillis < 100) {
            throw new StartupException("invalid setting attio.ops.refresh-millis=" + opsRefreshMillis
                    + ": the operations page refreshes at most every 100 ms");
        }
        if (!apiUrl.isEmpty()) {
            try {
                OperationsPage.origin(apiUrl);
            } catch (IllegalArgumentException e) {
                throw new StartupException("invalid setting attio.ops.api-url=" + apiUrl + " (env ATTIO_OPS_API_URL): "
                        + "an http(s) URL of the bundle's HTTP port as browsers reach it, or empty");
            }
        }
        return new OperationsPage(apiUrl, httpPort, opsRefreshMillis);
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        BearerTokenGuard guard = context.getRegistry().lookupByNameAndType("bundleApiGuard", BearerTokenGuard.class);
        context.addStartupListener(new ApiGate(guard, allowedOrigins(opsAllowedOrigins)));
        context.addStartupListener(operationsPage());
        Set<String> streamed = Arrays.stream(streamedPaths.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        context.getCamelContextExtension().registerEndpointCallback(new StreamedUploads(streamed));
        context.addStartupListener(new BodyGate(maxBodyBytes, maxUploadBytes, streamed, maxBodiesInFlight, bodyTimeout));
        context.addStartupListener(new ServerTimeouts((int) Math.max(1, idleTimeout.toSeconds())));
    }
}
