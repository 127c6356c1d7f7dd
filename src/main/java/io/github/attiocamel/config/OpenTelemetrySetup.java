package io.github.attiocamel.config;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.apache.camel.CamelContext;
import org.apache.camel.opentelemetry2.OpenTelemetryTracer;
import org.apache.camel.support.service.ServiceSupport;

import java.time.Duration;

/** {@link TracingConfiguration}'s use of OpenTelemetry, in a class of its own so it is loaded only when enabled. */
final class OpenTelemetrySetup {

    /**
     * Pollers whose every tick would be a trace of its own (the inbox and outbox look every 200 ms) and that carry
     * none: what they pick up continues the trace stored with it (the traceparent column), each at its first send.
     */
    static final String UNTRACED = "timer:*";

    private OpenTelemetrySetup() {}

    static void install(CamelContext context, String otlpEndpoint, String serviceName, Duration exportInterval)
            throws Exception {
        SpanExporter exporter = context.getRegistry().findSingleByType(SpanExporter.class);
        if (exporter == null) {
            exporter = OtlpHttpSpanExporter.builder().setEndpoint(otlpEndpoint).build();
        }
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(
                        Attributes.of(AttributeKey.stringKey("service.name"), serviceName))))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(exportInterval).build())
                .build();
        // the stop flushes the spans not yet exported and ends the exporter's thread
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                provider.close();
            }
        }, true, true);
        // Camel's tracer takes the one Tracer and ContextPropagators in the registry. Trace context only, no baggage:
        // the tracer's own baggage entry would otherwise travel to Attio and the change feed's endpoint.
        context.getRegistry().bind("attioOpenTelemetryTracer", Tracer.class, provider.get("attio-camel"));
        context.getRegistry().bind("attioTracePropagators", ContextPropagators.class,
                ContextPropagators.create(W3CTraceContextPropagator.getInstance()));
        OpenTelemetryTracer tracer = new OpenTelemetryTracer();
        tracer.setExcludePatterns(UNTRACED);
        tracer.init(context);
    }
}
