package io.github.attiocamel.contacts;

import io.github.attiocamel.sandbox.RecordedRequest;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import io.github.attiocamel.testing.Spans;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.function.Predicate;

import static io.github.attiocamel.testing.Spans.attribute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A contact's trace (attio.tracing.enabled, spans read from an in-memory exporter): POST /api/contacts is one trace
 * holding every call the upsert made to Attio (the company, person, list entry and note writes, and the queries
 * before them), each below the API call's span.
 */
class ContactTraceTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
    static RunningBundle bundle;

    @BeforeAll
    static void boot() {
        bundle = RunningBundle.against(ATTIO.baseUrl(), ATTIO.apiKey())
                .property("attio.tracing.enabled", "true")
                .property("attio.tracing.export-interval", "PT0.1S")
                .bean("testSpanExporter", SPANS)
                .start();
    }

    @AfterAll
    static void shutdown() {
        bundle.close();
    }

    @Test
    void anUpsertIsOneTraceWithItsFourWritesToAttio() {
        ATTIO.simulator().clearRequests();
        ContactsHttp.Answer answer = new ContactsHttp(bundle).post("/api/contacts", """
                {"email": "ada@lovelace-engines.com", "first_name": "Ada", "last_name": "Lovelace",
                 "company": {"domain": "lovelace-engines.com", "name": "Lovelace Engines"},
                 "pipeline": {"list": "sales", "stage": "Lead", "value": 5000},
                 "note": {"title": "Signed up", "content": "Came from the pricing page"}}""");
        assertThat(answer.status()).as(answer.raw().body()).isEqualTo(200);
        List<RecordedRequest> writes = ATTIO.simulator().requests().stream()
                .filter(r -> r.kind() == RecordedRequest.Kind.WRITE).toList();
        assertThat(writes).extracting(RecordedRequest::path).as("company, person, entry, note")
                .containsExactly("/v2/objects/companies/records", "/v2/objects/people/records",
                        "/v2/lists/sales/entries", "/v2/notes");

        Predicate<SpanData> api = attribute("url.scheme", "rest").and(attribute("http.method", "POST"))
                .and(Spans.attributeStarts("camel.uri", "rest://post:/api:/contacts?"));
        Spans spans = Spans.awaitExported(api, SPANS);
        SpanData call = spans.one(api, "POST /api/contacts");
        assertThat(call.getParentSpanContext().isValid()).as("the API call starts the trace").isFalse();
        for (String method : List.of("PUT", "POST")) {
            // nothing but this upsert writes or queries Attio in this test: every such request is one of its spans
            long sent = ATTIO.simulator().requests().stream().filter(r -> r.method().equals(method)).count();
            List<SpanData> http = spans.all(attribute("component", "camel-http").and(attribute("http.method", method)));
            assertThat(http).as(method + " calls to Attio").hasSize((int) sent);
            assertThat(http).allSatisfy(s -> {
                assertThat(s.getTraceId()).isEqualTo(call.getTraceId());
                assertThat(spans.descends(s, call)).as(s.getName() + " below the API call").isTrue();
            });
        }
    }
}
