package io.github.attiocamel.api;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

import java.time.Clock;
import java.time.Duration;

/** Binds {@code bundleApiGuard} and {@code bundleApiErrors}, used by route configuration {@code attio-api}. */
public class ApiConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        PropertiesComponent pc = context.getPropertiesComponent();
        context.getRegistry().bind("bundleApiGuard", new BearerTokenGuard(pc.resolveProperty("attio.api-token").orElse("")));
        // an open breaker is retried by Attio callers after its wait duration, so that is the honest Retry-After
        // whole seconds, as the breaker in routes/attio-gateway.camel.yaml reads the same key; ISO-8601 accepted too
        String wait = pc.resolveProperty("attio.breaker.wait-duration-in-open-state").orElse("30").trim();
        Duration retryAfter = wait.matches("\\d+") ? Duration.ofSeconds(Long.parseLong(wait)) : Duration.parse(wait);
        context.getRegistry().bind("bundleApiErrors", new ApiErrors(retryAfter, Clock.systemUTC()));
    }
}
