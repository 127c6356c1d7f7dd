package io.github.attiocamel.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.health.HealthCheckRegistry;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Binds the gateway's beans (listed in {@code camel.main.configuration-classes}; no classpath scanning):
 * {@code attioGateway}, {@code attioResponses}, {@code attioRetryAfterGate}, {@code attioGatewayRetryListener},
 * {@code attioHttpClientConfigurer}. Settings come from config/application.properties ({@code attio.rate.*},
 * {@code attio.cache.*}, {@code attio.http.*}, {@code attio.health.*}, {@code attio.retry.max-redeliveries} for
 * creates); the other retry keys and the breaker keys are read by the YAML routes. Also registers the {@code attio}
 * and {@code attio-schema} readiness checks.
 */
public class GatewayConfiguration implements CamelConfiguration {

    @PropertyInject("attio.rate.reads-per-second")
    int readsPerSecond;
    @PropertyInject("attio.rate.writes-per-second")
    int writesPerSecond;
    @PropertyInject("attio.rate.slices-per-second")
    int slicesPerSecond;
    @PropertyInject("attio.rate.margin-millis")
    int marginMillis;
    @PropertyInject("attio.http.connect-timeout")
    Duration connectTimeout;
    @PropertyInject("attio.http.response-timeout")
    Duration responseTimeout;
    @PropertyInject("attio.health.cache-ttl")
    Duration healthCacheTtl;
    @PropertyInject("attio.health.timeout")
    Duration healthTimeout;

    private final ObjectMapper mapper = new ObjectMapper();
    @PropertyInject("attio.retry.rate-limited-floor-millis")
    long rateLimitedFloorMillis;

    private RetryAfterGate gate;
    private GatewayMetrics metrics;

    @BindToRegistry("attioRetryAfterGate")
    public RetryAfterGate retryAfterGate() {
        return gate();
    }

    @BindToRegistry("attioResponses")
    public AttioResponses responses(CamelContext context) {
        return new AttioResponses(mapper, gate(), metrics(context), Clock.systemUTC());
    }

    /** One gate for the attempt route and the classifier, made once the settings are injected. */
    private synchronized RetryAfterGate gate() {
        if (gate == null) {
            gate = new RetryAfterGate(rateLimitedFloorMillis);
        }
        return gate;
    }

    @BindToRegistry("attioGatewayRetryListener")
    public GatewayRetryListener retryListener(CamelContext context) {
        return new GatewayRetryListener(metrics(context));
    }

    /**
     * httpclient5 silently repeats 429/503 answers once by itself: retries are the routes' decision alone. The wire
     * budget holds each budget exactly where requests leave for Attio.
     */
    @BindToRegistry("attioHttpClientConfigurer")
    public HttpClientConfigurer httpClientConfigurer(CamelContext context) {
        WireBudget wireBudget = new WireBudget(readsPerSecond, writesPerSecond, metrics(context));
        return builder -> builder.disableAutomaticRetries().addExecInterceptorFirst("attio-wire-budget", wireBudget);
    }

    @BindToRegistry("attioGateway")
    public AttioGateway gateway(CamelContext context,
                                @PropertyInject("attio.cache.schema-ttl") Duration schemaTtl,
                                @PropertyInject("attio.cache.schema-max-entries") long schemaMaxEntries,
                                @PropertyInject("attio.cache.record-ttl") Duration recordTtl,
                                @PropertyInject("attio.cache.record-max-entries") long recordMaxEntries,
                                @PropertyInject("attio.retry.max-redeliveries") int maxRedeliveries) {
        return new CamelAttioGateway(context, mapper,
                Caffeine.newBuilder().expireAfterWrite(schemaTtl).maximumSize(schemaMaxEntries).<String, List<JsonNode>>build(),
                Caffeine.newBuilder().expireAfterWrite(recordTtl).maximumSize(recordMaxEntries).<String, JsonNode>build(),
                maxRedeliveries);
    }

    @Override
    public void configure(CamelContext context) {
        deriveThrottleSlices(context);
        configureHttp(context, "http");
        configureHttp(context, "https");
        registerHealthCheck(context);
    }

    /** Readiness check {@code attio}; the gateway is looked up per probe, so binding order never matters. */
    private void registerHealthCheck(CamelContext context) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry == null) {
            throw new IllegalStateException("camel.health.enabled must be true: the attio readiness check needs camel-health");
        }
        // Camel's executor service manager owns the probe's thread and shuts it down with the context
        AttioHealthCheck check = new AttioHealthCheck(
                () -> context.getRegistry().lookupByNameAndType("attioGateway", AttioGateway.class), healthCacheTtl,
                healthTimeout, Clock.systemUTC(),
                context.getExecutorServiceManager().newSingleThreadExecutor(this, "attio-health-probe"));
        check.setCamelContext(context);
        registry.register(check);
        SchemaCheck schema = context.getRegistry().lookupByNameAndType("attioSchemaCheck", SchemaCheck.class);
        schema.setCamelContext(context);
        registry.register(schema);
    }

    /** Readiness check {@code attio-schema}; the flows' configuration classes declare what their settings name. */
    @BindToRegistry("attioSchemaCheck")
    public SchemaCheck schemaCheck(CamelContext context) {
        return new SchemaCheck(() -> context.getRegistry().lookupByNameAndType("attioGateway", AttioGateway.class));
    }

    private synchronized GatewayMetrics metrics(CamelContext context) {
        if (metrics == null) {
            metrics = new GatewayMetrics(context);
        }
        return metrics;
    }

    /**
     * The throttles release a budget in slices: {@code budget / slices} permits per {@code (1000 ms + margin) / slices}.
     * One burst of the whole budget per second arrives at Attio smeared over tens of milliseconds and spills into
     * Attio's next second; small slices keep every sliding 1 s window at or under the budget while still using
     * {@code 1000 / (1000 + margin)} of it. The exact guarantee is {@link WireBudget} at the wire.
     * Derived keys, for the routes only: {@code attio.gateway.read-permits}, {@code attio.gateway.write-permits},
     * {@code attio.gateway.slice-millis}.
     */
    private void deriveThrottleSlices(CamelContext context) {
        if (readsPerSecond < 1 || writesPerSecond < 1 || marginMillis < 0 || slicesPerSecond < 1) {
            throw new IllegalArgumentException("attio.rate.*: budgets and slices must be >= 1 and the margin >= 0");
        }
        // a slice must hold a whole number of permits: fewer slices for small budgets
        int slices = Math.min(slicesPerSecond, Math.min(readsPerSecond, writesPerSecond));
        long sliceMillis = Math.round((1000.0 + marginMillis) / slices);
        var properties = context.getPropertiesComponent();
        properties.addOverrideProperty("attio.gateway.read-permits", Integer.toString(readsPerSecond / slices));
        properties.addOverrideProperty("attio.gateway.write-permits", Integer.toString(writesPerSecond / slices));
        properties.addOverrideProperty("attio.gateway.slice-millis", Long.toString(sliceMillis));
    }

    /** Timeouts so that a silent Attio is an I/O failure (retried, counted by the breaker), not a hang. */
    private void configureHttp(CamelContext context, String scheme) {
        HttpComponent http = context.getComponent(scheme, HttpComponent.class);
        if (http == null) {
            return;
        }
        http.setConnectTimeout((int) connectTimeout.toMillis());
        http.setConnectionRequestTimeout((int) responseTimeout.toMillis());
        http.setSoTimeout((int) responseTimeout.toMillis());
        http.setResponseTimeout((int) responseTimeout.toMillis());
    }
}
