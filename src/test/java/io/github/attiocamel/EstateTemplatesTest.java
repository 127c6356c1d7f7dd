package io.github.attiocamel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.ChangeSink;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The route templates an estate instantiates from its own route file under ROUTES_DIR, and the examples that do:
 * contacts from any endpoint (mapped, the refused ones kept with their reason, the others written), the change feed
 * to any endpoint (filtered, with the feed's headers, nothing lost when the destination is down).
 */
class EstateTemplatesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    @TempDir
    Path dir;

    @Test
    void contactsFromAnEndpointAreMappedAndUpsertedAndARefusedOneIsKeptWithItsReason() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Path rejected = dir.resolve("rejected");
        Files.writeString(routes.resolve("estate-contacts.camel.yaml"), """
                - templatedRoute:
                    routeTemplateRef: attio-contacts-from
                    routeId: estate-contacts
                    parameters:
                      - name: from
                        value: direct:estate-contacts
                      - name: mapping
                        value: "email=mail,first_name=given,company.domain=org.domain"
                """);
        String tag = UUID.randomUUID().toString().substring(0, 8);
        try (RunningBundle bundle = RunningBundle.against(sim.baseUrl(), sim.apiKey())
                .property("attio.sync.schedule-enabled", "false")
                .property("attio.contacts.from.rejected-dir", rejected.toString())
                .routesDir(routes).start()) {
            int people = sim.data().count("people");
            bundle.camelContext().createProducerTemplate().sendBody("direct:estate-contacts", """
                    [{"mail": "ada.%1$s@acme.com", "given": "Ada", "org": {"domain": "acme.com"}},
                     {"mail": "not an email", "given": "Nobody"},
                     {"mail": "grace.%1$s@navy.mil", "given": "Grace"}]""".formatted(tag));

            assertThat(sim.data().count("people")).as("the two good ones, the bad one did not stop them")
                    .isEqualTo(people + 2);
            JsonNode ada = sim.data().findRecord("people", "email_addresses", "ada." + tag + "@acme.com");
            assertThat(ada.path("values").path("name").path(0).path("first_name").asText()).isEqualTo("Ada");
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.isDirectory(rejected) && files(rejected).size() == 1);
            String kept = Files.readString(files(rejected).get(0));
            assertThat(JSON.readTree(kept).path("contact").path("given").asText()).isEqualTo("Nobody");
            assertThat(JSON.readTree(kept).path("row").asInt()).isEqualTo(2);
            assertThat(JSON.readTree(kept).path("fields").path("email").asText()).isNotBlank();
        }
    }

    @Test
    void theCsvDropExampleWritesEachRowOfAFile() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        Path drop = Files.createDirectories(dir.resolve("drop"));
        String tag = UUID.randomUUID().toString().substring(0, 8);
        try (RunningBundle bundle = RunningBundle.against(sim.baseUrl(), sim.apiKey())
                .property("attio.sync.schedule-enabled", "false")
                .property("estate.csv-dir", drop.toString())
                .routesDir(Path.of("examples/csv-drop-to-attio")).start()) {
            int people = sim.data().count("people");
            Path csv = dir.resolve("export.csv");
            Files.writeString(csv, "Email,First name,Last name,Title,Company domain\n"
                    + "katherine." + tag + "@nasa.gov,Katherine,Johnson,Mathematician,nasa.gov\n"
                    + "dorothy." + tag + "@nasa.gov,Dorothy,Vaughan,Supervisor,nasa.gov\n");
            Files.move(csv, drop.resolve("export.csv"));

            await().atMost(Duration.ofSeconds(30)).until(() -> sim.data().count("people") == people + 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(drop.resolve(".done/export.csv")));
            JsonNode katherine = sim.data().findRecord("people", "email_addresses", "katherine." + tag + "@nasa.gov");
            assertThat(katherine.path("values").path("job_title").path(0).path("value").asText())
                    .isEqualTo("Mathematician");
        }
    }

    @Test
    void theChangeFeedGoesToAnyEndpointFilteredAndWaitsOutADownDestination() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        Path routes = Files.createDirectories(dir.resolve("routes"));
        try (ChangeSink sink = new ChangeSink()) {
            Files.writeString(routes.resolve("estate-changes.camel.yaml"), """
                    - templatedRoute:
                        routeTemplateRef: attio-changes-to
                        routeId: estate-people-changes
                        parameters:
                          - name: to
                            value: "%s"
                          - name: filter
                            value: "${body[object]} == 'people'"
                    """.formatted(sink.uri()));
            sim.data().seedPeople(1);
            String person = sim.data().recordIds("people").get(sim.data().count("people") - 1);
            String company = sim.data().recordIds("companies").get(0);
            try (RunningBundle bundle = RunningBundle.against(sim.baseUrl(), sim.apiKey())
                    .property("attio.sync.schedule-enabled", "false")
                    .property("attio.changes.uri", "direct:attio-changes")
                    .routesDir(routes).start()) {
                sink.down(true);
                String url = bundle.httpUrl() + "/webhooks/attio";
                for (String[] record : List.of(new String[]{"companies", company}, new String[]{"people", person})) {
                    assertThat(sim.deliver(url, RunningBundle.WEBHOOK_SECRET,
                            sim.recordEvent("record.created", record[0], record[1]), UUID.randomUUID().toString()))
                            .isEqualTo(200);
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> sink.refused() > 0);
                sink.down(false);
                await().atMost(Duration.ofSeconds(30)).until(() -> !sink.received().isEmpty());
                bundle.awaitChangesRelayed();

                assertThat(sink.received()).singleElement().satisfies(r -> {
                    assertThat(r.changeKey()).isEqualTo(person);
                    assertThat(r.body().path("change_id").asText()).isEqualTo(r.changeId());
                    assertThat(r.body().path("object").asText()).isEqualTo("people");
                });
            }
        }
    }

    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
