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
import org.apache.hc.client5.http.impl.ChainElement;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.support.service.ServiceSupport;
import io.github.attiocamel.config.StartupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Binds the gateway's beans (listed in {@code camel.main.configuration-classes}; no classpath scanning):
 * {@code attioGateway}, {@code attioResponses}, {@code attioRetryAfterGate}, {@code attioGatewayRetryListener},
 * {@code attioHttpClientConfigurer}, {@code attioGatewayStatus}. Settings come from config/application.properties ({@code attio.rate.*},
 * {@code attio.cache.*}, {@code attio.http.*}, {@code attio.health.*}, {@code attio.retry.max-redeliveries} for
 * creates, {@code attio.budget.*}); the other retry keys and the breaker keys are read by the YAML routes. Also
 * registers the {@code attio} and {@code attio-schema} readiness checks.
 */
public class GatewayConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayConfiguration.class);
    /** How soon a failed {@code GET /v2/self} for the workspace's id is tried again. */
    private static final long WORKSPACE_RETRY_SECONDS = 10;

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
    @PropertyInject("attio.budget.scope")
    String budgetScope;
    @PropertyInject("attio.budget.arrival-jitter-millis")
    long arrivalJitterMillis;
    @PropertyInject("attio.budget.hold-poll-millis")
    long holdPollMillis;
    @PropertyInject("attio.api-key")
    String apiKey;

    private final ObjectMapper mapper = new ObjectMapper();
    @PropertyInject("attio.retry.rate-limited-floor-millis")
    long rateLimitedFloorMillis;

    private RetryAfterGate gate;
    private GatewayMetrics metrics;
    private WireBudget wireBudget;

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
        WireBudget guard = wireBudget(context);
        // after the connection is leased and open: what follows the guard's permit is only sending the request
        return builder -> builder.disableAutomaticRetries().addExecInterceptorAfter(ChainElement.CONNECT.name(),
                "attio-wire-budget", guard);
    }

    private synchronized WireBudget wireBudget(CamelContext context) {
        if (wireBudget == null) {
            wireBudget = new WireBudget(readsPerSecond, writesPerSecond, metrics(context));
        }
        return wireBudget;
    }

    /** Breaker state and budgets in use for GET /api/operations; the gateway is looked up per call, as health does. */
    @BindToRegistry("attioGatewayStatus")
    public GatewayStatus gatewayStatus(CamelContext context) {
        return new GatewayStatus(() -> context.getRegistry().lookupByNameAndType("attioGateway", AttioGateway.class),
                wireBudget(context), readsPerSecond, writesPerSecond);
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
    public void configure(CamelContext context) throws Exception {
        deriveThrottleSlices(context);
        configureHttp(context, "http");
        configureHttp(context, "https");
        registerHealthCheck(context);
        configureBudgetScope(context);
    }

    /**
     * Workspace scope: the wire guard also draws on the budget every process sharing the PostgreSQL store draws on,
     * keyed by the token's hash until Attio's {@code GET /v2/self} names the workspace (then by its id), and a
     * background task reads the holds the other processes recorded.
     */
    private void configureBudgetScope(CamelContext context) throws Exception {
        DataSource dataSource = context.getRegistry().lookupByNameAndType("dataSource", DataSource.class);
        String vendor = dataSource == null ? "none" : vendor(dataSource);
        boolean postgres = vendor.toLowerCase(Locale.ROOT).contains("postgresql");
        boolean workspace = switch (budgetScope.trim()) {
            case "process" -> false;
            case "workspace" -> {
                if (!postgres) {
                    throw new StartupException("invalid setting attio.budget.scope=workspace (env ATTIO_BUDGET_SCOPE): "
                            + "a workspace budget needs the PostgreSQL store (attio.store.jdbc-url), the store is " + vendor);
                }
                yield true;
            }
            case "auto" -> postgres;
            default -> throw new StartupException("invalid setting attio.budget.scope=" + budgetScope
                    + " (env ATTIO_BUDGET_SCOPE): auto, process or workspace");
        };
        if (!workspace) {
            return;
        }
        if (arrivalJitterMillis < 0 || holdPollMillis < 1) {
            throw new StartupException("invalid setting attio.budget.arrival-jitter-millis / hold-poll-millis: "
                    + "the jitter must be >= 0 and the poll period >= 1 ms");
        }
        WorkspaceBudget budget = new WorkspaceBudget(dataSource, gate(), readsPerSecond, writesPerSecond,
                // a slot whose holder died is free once its request would have timed out anyway
                Duration.ofMillis(arrivalJitterMillis), responseTimeout.plusSeconds(1), "token:" + sha256(apiKey == null ? "" : apiKey),
                Clock.systemUTC());
        wireBudget(context).shareWorkspace(budget);
        LOG.info("[attio-gateway] rate budgets shared by every process on this store: {} reads/s, {} writes/s, permits "
                + "spaced for {} ms of arrival jitter", readsPerSecond, writesPerSecond, arrivalJitterMillis);
        var holds = new ServiceSupport() {
            private ScheduledExecutorService executor;

            @Override
            protected void doStart() {
                executor = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "attio-budget");
                executor.scheduleWithFixedDelay(budget::pollHolds, 0, holdPollMillis, TimeUnit.MILLISECONDS);
            }

            /** Once the routes run: GET /v2/self names the workspace whose budget this is. */
            void routesStarted() {
                executor.execute(() -> learnWorkspace(context, budget));
            }

            /** GET /v2/self through the gateway, on a thread of its own so holds are read meanwhile. */
            private void learnWorkspace(CamelContext context, WorkspaceBudget budget) {
                context.getExecutorServiceManager().newThread("attio-budget-workspace", () -> {
                    try {
                        String id = context.getRegistry().lookupByNameAndType("attioGateway", AttioGateway.class)
                                .self().path("workspace_id").asText("");
                        if (!id.isEmpty()) {
                            budget.useWorkspace("workspace:" + id);
                            return;
                        }
                    } catch (RuntimeException e) {
                        LOG.info("[attio-gateway] workspace not known yet ({}); budgets keyed by the token meanwhile",
                                e.getMessage());
                    }
                    if (!executor.isShutdown()) {
                        executor.schedule(() -> learnWorkspace(context, budget), WORKSPACE_RETRY_SECONDS,
                                TimeUnit.SECONDS);
                    }
                }).start();
            }

            @Override
            protected void doStop() {
                context.getExecutorServiceManager().shutdownNow(executor);
            }
        };
        context.addService(holds, true, true);
        context.addStartupListener(new ExtendedStartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                // the routes are not running yet
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                holds.routesStarted();
            }
        });
    }

    private static String vendor(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return c.getMetaData().getDatabaseProductName();
        }
    }

    private static String sha256(String text) throws NoSuchAlgorithmException {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest, 0, 16);
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
