package io.github.attiocamel.webhook;

import io.github.attiocamel.config.MessageContract;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real router YAML sends each of Attio's 27 event types to its handler route, and a type it does not know to
 * attio-event-unknown (which fails it as unprocessable, to be dead-lettered); the handlers are stand-ins that only record what reached them.
 */
class EventRouterTest {

    /** Event type -> the handler endpoint it must reach. */
    private static final Map<String, String> HANDLERS = Map.ofEntries(
            Map.entry("record.created", "attio-record-changed"),
            Map.entry("record.updated", "attio-record-changed"),
            Map.entry("record.deleted", "attio-record-deleted"),
            Map.entry("record.merged", "attio-record-merged"),
            Map.entry("list-entry.created", "attio-list-entry-changed"),
            Map.entry("list-entry.updated", "attio-list-entry-changed"),
            Map.entry("list-entry.deleted", "attio-list-entry-deleted"),
            Map.entry("note.created", "attio-activity-event"),
            Map.entry("note.updated", "attio-activity-event"),
            Map.entry("note.deleted", "attio-activity-event"),
            Map.entry("note-content.updated", "attio-activity-event"),
            Map.entry("task.created", "attio-activity-event"),
            Map.entry("task.updated", "attio-activity-event"),
            Map.entry("task.deleted", "attio-activity-event"),
            Map.entry("comment.created", "attio-activity-event"),
            Map.entry("comment.resolved", "attio-activity-event"),
            Map.entry("comment.unresolved", "attio-activity-event"),
            Map.entry("comment.deleted", "attio-activity-event"),
            Map.entry("call-recording.created", "attio-call-recording-event"),
            Map.entry("list.created", "attio-schema-changed"),
            Map.entry("list.updated", "attio-schema-changed"),
            Map.entry("list.deleted", "attio-schema-changed"),
            Map.entry("list-attribute.created", "attio-schema-changed"),
            Map.entry("list-attribute.updated", "attio-schema-changed"),
            Map.entry("object-attribute.created", "attio-schema-changed"),
            Map.entry("object-attribute.updated", "attio-schema-changed"),
            Map.entry("workspace-member.created", "attio-workspace-event"));

    private static final List<String> HANDLER_ROUTES = HANDLERS.values().stream().distinct().sorted().toList();

    private static final SimpleMeterRegistry METERS = new SimpleMeterRegistry();
    private static CamelContext camel;
    private static ProducerTemplate template;

    @BeforeAll
    static void startRouter() throws Exception {
        camel = new DefaultCamelContext();
        camel.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME, METERS);
        PluginHelper.getRoutesLoader(camel).loadRoutes(
                PluginHelper.getResourceLoader(camel).resolveResource("file:routes/attio-error-policies.camel.yaml"),
                PluginHelper.getResourceLoader(camel).resolveResource("file:routes/attio-event-router.camel.yaml"));
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                for (String handler : HANDLER_ROUTES) {
                    from("direct:" + handler).routeId("stand-in-" + handler).to("mock:" + handler);
                }
            }
        });
        camel.start();
        template = camel.createProducerTemplate();
    }

    @AfterAll
    static void stopRouter() {
        camel.stop();
    }

    @BeforeEach
    void resetMocks() {
        MockEndpoint.resetMocks(camel);
    }

    static Stream<String> eventTypes() {
        return HANDLERS.keySet().stream().sorted();
    }

    @ParameterizedTest
    @MethodSource("eventTypes")
    void eachEventTypeReachesItsHandlerOnly(String eventType) throws Exception {
        String expected = HANDLERS.get(eventType);
        for (String handler : HANDLER_ROUTES) {
            camel.getEndpoint("mock:" + handler, MockEndpoint.class).expectedMessageCount(handler.equals(expected) ? 1 : 0);
        }

        route(eventType);

        MockEndpoint.assertIsSatisfied(camel);
    }

    @Test
    void anUnknownTypeIsCountedReachesNoHandlerAndFailsAsUnprocessable() throws Exception {
        for (String handler : HANDLER_ROUTES) {
            camel.getEndpoint("mock:" + handler, MockEndpoint.class).expectedMessageCount(0);
        }
        double before = unknownCount();

        Exchange result = route("record.archived");

        MockEndpoint.assertIsSatisfied(camel);
        assertThat(unknownCount()).isEqualTo(before + 1);
        // unprocessable: the inbox dead-letters it at once instead of dropping it
        assertThat(result.getException()).isInstanceOf(UnprocessableEventException.class)
                .hasMessageContaining("record.archived");
    }

    private static double unknownCount() {
        Counter counter = METERS.find("attio.webhook.events.unknown").counter();
        return counter == null ? 0 : counter.count();
    }

    private static Exchange route(String eventType) {
        return template.send("direct:attio-event-router", exchange -> {
            exchange.setVariable(MessageContract.EVENT_TYPE, eventType);
            exchange.setVariable(MessageContract.INBOX_ID, 1L);
            exchange.getMessage().setBody(Map.of("event_type", eventType, "id", Map.of()));
        });
    }
}
