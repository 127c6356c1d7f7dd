package io.github.attiocamel.sync;

import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Settings that name what the workspace lacks: readiness says which (object, list, attribute, and the setting),
 * and a sync trigger for an unknown target is a 404 naming the known ones instead of a run that fails later.
 */
class SyncTargetsTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    static RunningBundle bundle;
    static SyncApi api;

    @BeforeAll
    static void boot() {
        bundle = RunningBundle.against(ATTIO.baseUrl(), ATTIO.apiKey())
                .property("attio.sync.objects", "people,dealz")
                .property("attio.sync.lists", "sales,pipeline")
                .property("attio.sync.schedule-enabled", "false")
                .property("attio.contacts.mapping.person.nickname", "nickname")
                .property("attio.schema-check.period", "200")
                .start();
        api = new SyncApi(bundle);
    }

    @AfterAll
    static void shutdown() {
        bundle.close();
    }

    @Test
    void anUnknownObjectOrListIsA404NamingTheKnownOnesAndStartsNoRun() {
        HttpResponse<String> object = api.post("/api/sync/dealz");
        assertThat(object.statusCode()).as(object.body()).isEqualTo(404);
        assertThat(SyncApi.json(object.body()).path("message").asText())
                .contains("dealz").contains("known: people, companies, deals");

        HttpResponse<String> list = api.post("/api/sync/lists/pipeline");
        assertThat(list.statusCode()).as(list.body()).isEqualTo(404);
        assertThat(SyncApi.json(list.body()).path("message").asText()).contains("pipeline").contains("sales");

        assertThat(api.post("/api/sync/people").statusCode()).isEqualTo(202);
    }

    @Test
    void readinessNamesWhatTheSettingsNameAndTheWorkspaceLacks() {
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(bundle.managementUrl() + "/observe/health"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("attio-schema")
                    .contains("object dealz (attio.sync.objects)")
                    .contains("list pipeline (attio.sync.lists)")
                    .contains("attribute people.nickname (attio.contacts.mapping.person.nickname)")
                    .doesNotContain("object people (");
        });
    }
}
