package io.github.attiocamel.gateway;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs before each redelivery of the gateway's retry policy (onRedeliveryRef): counts and logs the retry. */
class GatewayRetryListener implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayRetryListener.class);

    private final GatewayMetrics metrics;

    public GatewayRetryListener(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void process(Exchange exchange) {
        String endpoint = exchange.getProperty(AttioResponses.ENDPOINT, "other", String.class);
        String budget = exchange.getProperty(AttioResponses.BUDGET, "read", String.class);
        metrics.retry(endpoint, budget);
        LOG.info("[attio-gateway] retry {} of {} {} {}", exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER),
                exchange.getProperty(AttioResponses.METHOD), exchange.getProperty(AttioResponses.PATH), endpoint);
    }
}
