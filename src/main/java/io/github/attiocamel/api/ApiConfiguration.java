package io.github.attiocamel.api;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

import java.time.Clock;
import java.time.Duration;

/**
 * Binds {@code bundleApiGuard} and {@code bundleApiErrors}, used by route configuration {@code attio-api}, and
 * {@code responseHeaderFilter}, the outbound header allow-list of every platform-http endpoint.
 */
public class ApiConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        PropertiesComponent pc = context.getPropertiesComponent();
        context.getRegistry().bind("bundleApiGuard", new BearerTokenGuard(pc.resolveProperty("attio.api-token").orElse("")));
        // an open breaker is retried by Attio callers after its wait duration, so that is the honest Retry-After
        Duration retryAfter = Duration.ofSeconds(Long.parseLong(
                pc.resolveProperty("attio.breaker.wait-duration-in-open-state").orElse("30").trim()));
        context.getRegistry().bind("bundleApiErrors", new ApiErrors(retryAfter, Clock.systemUTC()));
        context.getRegistry().bind("responseHeaderFilter", new ResponseHeaderFilter());
    }
}
