package io.github.attiocamel.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import io.github.attiocamel.testing.Spans;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.UUID;
import java.util.function.Predicate;

import static io.github.attiocamel.testing.Spans.attribute;
import static io.github.attiocamel.testing.Spans.attributeStarts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One trace per webhook across the inbox's asynchronous hop (attio.tracing.enabled, spans read from an in-memory
 * exporter): the intake's HTTP span, the inbox consumer's delivery span (another thread, or another start of the
 * bundle), the gateway's HTTP call that fetches the record from Attio, and the change feed's send of the change
 * message, all in the intake's trace and each below the one before. The trace context travels in the traceparent
 * columns of the inbox and the outbox.
 */
@BothStores
class WebhookTraceTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    static final ObjectMapper JSON = new ObjectMapper();
    static final String CHANGES = "mock:attio-traced-changes";

    RunningBundle bundle;

    @AfterEach
    void stopBundle() {
        if (bundle != null) {
            bundle.close();
        }
    }

    static AttioSimulator sim() {
        return ATTIO.simulator();
    }

    RunningBundle tracedBundle(InMemorySpanExporter exporter) {
        return RunningBundle.against(ATTIO.baseUrl(), ATTIO.apiKey())
                .property("attio.tracing.enabled", "true")
                .property("attio.tracing.export-interval", "PT0.1S")
                .property("attio.changes.uri", CHANGES)
                .bean("testSpanExporter", exporter);
    }

    @Test
    void aDeliveryIsOneTraceFromIntakeThroughTheInboxAndTheFetchToItsChangeMessage() throws Exception {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        bundle = tracedBundle(exporter).start();
        String recordId = changedPerson();

        deliver(recordId);

        Spans spans = Spans.awaitExported(changeSpan(), exporter);
        String traceId = assertOneTraceFromIntakeToChange(spans);
        assertThat(bundle.queryLong("SELECT COUNT(*) FROM webhook_inbox WHERE traceparent LIKE ?", "00-" + traceId + "-%"))
                .as("the inbox row keeps the intake's trace context").isEqualTo(1);
        assertThat(bundle.queryLong("SELECT COUNT(*) FROM change_outbox WHERE traceparent LIKE ?", "00-" + traceId + "-%"))
                .as("the change message keeps it too").isEqualTo(1);
    }

    @Test
    void aDeliveryStoredBeforeARestartIsProcessedAfterItInTheSameTrace() throws Exception {
        InMemorySpanExporter before = InMemorySpanExporter.create();
        // the delivery waits in the inbox past the stop: nothing claims it within the first start
        bundle = tracedBundle(before).property("attio.webhook.coalesce-window", "PT1H").start();
        String recordId = changedPerson();
        deliver(recordId);
        assertThat(bundle.queryLong("SELECT COUNT(*) FROM webhook_inbox WHERE state = 'received'")).isEqualTo(1);
        // read before the stop, which shuts the exporter down (and so empties it)
        java.util.List<SpanData> firstStart = Spans.awaitExported(intakeSpan(), before).list();
        bundle.stop();

        InMemorySpanExporter after = InMemorySpanExporter.create();
        bundle.property("attio.webhook.coalesce-window", "PT0S").bean("testSpanExporter", after).start();

        Spans secondStart = Spans.awaitExported(changeSpan(), after);
        assertThat(secondStart.first(intakeSpan())).as("the intake was the first start's").isEmpty();
        assertThat(secondStart.first(attribute("camel.uri", "direct://attio-webhook-delivery")))
                .as("the delivery is the second start's").isPresent();
        assertOneTraceFromIntakeToChange(secondStart.plus(firstStart));
    }

    private static String assertOneTraceFromIntakeToChange(Spans spans) {
        SpanData intake = spans.one(intakeSpan(), "intake");
        String traceId = intake.getTraceId();
        Predicate<SpanData> inTrace = s -> s.getTraceId().equals(traceId);
        SpanData delivery = spans.one(inTrace.and(attribute("camel.uri", "direct://attio-webhook-delivery"))
                .and(attribute("op", "EVENT_RECEIVED")), "inbox delivery");
        SpanData fetch = spans.one(inTrace.and(attribute("component", "camel-http"))
                .and(attribute("http.method", "GET")).and(attributeStarts("http.url", ATTIO.baseUrl())), "Attio fetch");
        SpanData change = spans.one(inTrace.and(changeSpan()), "change feed send");

        assertThat(spans.descends(delivery, intake)).as("the inbox consumer continues the intake's span").isTrue();
        assertThat(spans.descends(fetch, delivery)).as("the fetch happens within the delivery").isTrue();
        assertThat(spans.descends(change, delivery)).as("the change message was made by the delivery").isTrue();
        assertThat(intake.getParentSpanContext().isValid()).as("the intake starts the trace").isFalse();
        return traceId;
    }

    private static Predicate<SpanData> intakeSpan() {
        return attribute("component", "camel-platform-http").and(attribute("url.path", "webhooks/attio"));
    }

    private static Predicate<SpanData> changeSpan() {
        return attributeStarts("camel.uri", "mock://attio-traced-changes");
    }

    /** A person whose values differ from what the mirror may hold, so its webhook makes a change message. */
    private static String changedPerson() throws Exception {
        sim().data().seedPeople(1);
        String recordId = sim().data().recordIds("people").get(0);
        sim().data().updateRecord("people", recordId,
                JSON.readTree("{\"job_title\":[\"Traced " + UUID.randomUUID() + "\"]}"));
        return recordId;
    }

    private void deliver(String recordId) {
        String envelope = sim().recordUpdatedEvent("people", recordId, "job_title");
        assertThat(sim().deliver(bundle.httpUrl() + "/webhooks/attio", RunningBundle.WEBHOOK_SECRET, envelope,
                UUID.randomUUID().toString())).isEqualTo(200);
    }
}
