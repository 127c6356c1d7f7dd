package io.github.attiocamel.gateway;

import io.github.attiocamel.config.MessageContract;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs before each redelivery of the gateway's retry policy (onRedeliveryRef): counts and logs the retry. */
class GatewayRetryListener implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayRetryListener.class);

    private final GatewayMetrics metrics;

    GatewayRetryListener(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void process(Exchange exchange) {
        AttioRequest request = exchange.getVariable(MessageContract.REQUEST, AttioRequest.class);
        metrics.retry(request.endpoint(), request.budget());
        LOG.info("[attio-gateway] retry {} of {} {} {}", exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER),
                request.method(), request.path(), request.endpoint());
    }
}
