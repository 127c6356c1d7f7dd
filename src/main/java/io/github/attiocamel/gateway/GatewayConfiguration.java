package io.github.attiocamel.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.camel.component.http.HttpComponent;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Binds the gateway's beans (listed in {@code camel.main.configuration-classes}; no classpath scanning):
 * {@code attioGateway}, {@code attioResponses}, {@code attioRetryAfterGate}, {@code attioGatewayMetrics},
 * {@code attioGatewayRetryListener}, {@code attioHttpClientConfigurer}. Reads the {@code attio.cache.*} and {@code attio.http.*} keys; the rate, retry
 * and breaker keys are read by the YAML routes. Every key has a default.
 */
public class GatewayConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext camelContext) {
        Duration schemaTtl = Duration.parse(property(camelContext, "attio.cache.schema-ttl", "PT30M"));
        long schemaSize = Long.parseLong(property(camelContext, "attio.cache.schema-max-entries", "1000"));
        Duration recordTtl = Duration.parse(property(camelContext, "attio.cache.record-ttl", "PT5M"));
        long recordSize = Long.parseLong(property(camelContext, "attio.cache.record-max-entries", "10000"));
        String sortAttribute = property(camelContext, "attio.paging.sort-attribute", "created_at");

        deriveThrottleSlices(camelContext);
        configureHttp(camelContext, "http");
        configureHttp(camelContext, "https");

        ObjectMapper mapper = new ObjectMapper();
        RetryAfterGate gate = new RetryAfterGate();
        GatewayMetrics metrics = new GatewayMetrics(camelContext);
        Cache<String, List<JsonNode>> schemaCache = Caffeine.newBuilder()
                .expireAfterWrite(schemaTtl).maximumSize(schemaSize).build();
        Cache<String, JsonNode> recordCache = Caffeine.newBuilder()
                .expireAfterWrite(recordTtl).maximumSize(recordSize).build();

        // httpclient5 silently repeats 429/503 answers once by itself; retries are the routes' decision alone
        HttpClientConfigurer noClientRetries = HttpClientBuilder::disableAutomaticRetries;
        camelContext.getRegistry().bind("attioHttpClientConfigurer", noClientRetries);
        camelContext.getRegistry().bind("attioRetryAfterGate", gate);
        camelContext.getRegistry().bind("attioGatewayMetrics", metrics);
        camelContext.getRegistry().bind("attioResponses", new AttioResponses(mapper, gate, metrics, Clock.systemUTC()));
        camelContext.getRegistry().bind("attioGatewayRetryListener", new GatewayRetryListener(metrics));
        camelContext.getRegistry().bind("attioGateway",
                new CamelAttioGateway(camelContext, mapper, schemaCache, recordCache, sortAttribute));
    }

    /**
     * The throttles release a budget in slices: {@code budget / slices} permits per {@code (1000 ms + margin) / slices}.
     * One burst of the whole budget per second arrives at Attio smeared over tens of milliseconds (connection set-up,
     * scheduling on 2 cores) and spills into Attio's next second; small slices keep every sliding 1 s window at or
     * under the budget while still using {@code 1000 / (1000 + margin)} of it (92.6% by default).
     * Derived keys (not for users): {@code attio.gateway.read-permits}, {@code attio.gateway.write-permits},
     * {@code attio.gateway.slice-millis}.
     */
    private static void deriveThrottleSlices(CamelContext camelContext) {
        int reads = Integer.parseInt(property(camelContext, "attio.rate.reads-per-second", "100"));
        int writes = Integer.parseInt(property(camelContext, "attio.rate.writes-per-second", "25"));
        int margin = Integer.parseInt(property(camelContext, "attio.rate.margin-millis", "80"));
        int slices = Integer.parseInt(property(camelContext, "attio.rate.slices-per-second", "5"));
        if (reads < 1 || writes < 1 || margin < 0 || slices < 1) {
            throw new IllegalArgumentException("attio.rate.*: budgets and slices must be >= 1 and the margin >= 0");
        }
        // a slice must hold a whole number of permits: fewer slices for small budgets
        int readSlices = Math.min(slices, reads);
        int writeSlices = Math.min(slices, writes);
        int common = Math.min(readSlices, writeSlices);
        long sliceMillis = Math.round((1000.0 + margin) / common);
        camelContext.getPropertiesComponent().addOverrideProperty("attio.gateway.read-permits", Integer.toString(reads / common));
        camelContext.getPropertiesComponent().addOverrideProperty("attio.gateway.write-permits", Integer.toString(writes / common));
        camelContext.getPropertiesComponent().addOverrideProperty("attio.gateway.slice-millis", Long.toString(sliceMillis));
    }

    /** Timeouts so that a silent Attio is an I/O failure (retried, counted by the breaker), not a hang. */
    private static void configureHttp(CamelContext camelContext, String scheme) {
        HttpComponent http = camelContext.getComponent(scheme, HttpComponent.class);
        if (http == null) {
            return;
        }
        int connect = (int) Duration.parse(property(camelContext, "attio.http.connect-timeout", "PT5S")).toMillis();
        int response = (int) Duration.parse(property(camelContext, "attio.http.response-timeout", "PT30S")).toMillis();
        http.setConnectTimeout(connect);
        http.setConnectionRequestTimeout(response);
        http.setSoTimeout(response);
        http.setResponseTimeout(response);
    }

    private static String property(CamelContext camelContext, String key, String defaultValue) {
        return camelContext.getPropertiesComponent().resolveProperty(key).orElse(defaultValue);
    }
}
