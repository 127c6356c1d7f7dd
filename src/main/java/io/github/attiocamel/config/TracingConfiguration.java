package io.github.attiocamel.config;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;

import java.time.Duration;

/**
 * Traces (off by default, {@code attio.tracing.enabled}): builds the OpenTelemetry SDK, exporting by OTLP/HTTP to
 * {@code attio.tracing.otlp-endpoint} (or to a {@code SpanExporter} bean already in the registry: the tests' in-memory
 * one), and installs Camel's OpenTelemetry 2 tracer, which opens a span per route and per endpoint sent to. Off,
 * nothing of OpenTelemetry is loaded.
 */
public class TracingConfiguration implements CamelConfiguration {

    @PropertyInject("attio.tracing.enabled")
    boolean enabled;
    @PropertyInject("attio.tracing.otlp-endpoint")
    String otlpEndpoint;
    @PropertyInject("attio.tracing.service-name")
    String serviceName;
    @PropertyInject("attio.tracing.export-interval")
    Duration exportInterval;

    @Override
    public void configure(CamelContext context) throws Exception {
        if (!enabled) {
            return;
        }
        try {
            OpenTelemetrySetup.install(context, otlpEndpoint, serviceName, exportInterval);
        } catch (NoClassDefFoundError missing) {
            throw new StartupException("attio.tracing.enabled needs camel-opentelemetry2 and the OpenTelemetry SDK,"
                    + " which this installation lacks (" + missing.getMessage() + ")");
        }
    }
}
