package io.github.attiocamel.contacts;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.attiocamel.sandbox.RecordedRequest;
import io.github.attiocamel.sandbox.SimulatorData;
import io.github.attiocamel.testing.BothStores;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The conflict policy on the real bundle against the simulator over HTTP: a workspace member changes a person's
 * job_title in Attio after the local system last saw the contact (its updated_at), then the local system sends the
 * contact again with its own job_title. What happens to job_title depends on attio.contacts.conflict-policy.job_title.
 */
@BothStores
class ContactConflictsTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    private RunningBundle bundle;
    private ContactsHttp api;

    private void boot(String jobTitlePolicy) {
        RunningBundle b = RunningBundle.against(ATTIO.baseUrl(), ATTIO.apiKey());
        if (jobTitlePolicy != null) {
            b.property("attio.contacts.conflict-policy.job_title", jobTitlePolicy);
        }
        bundle = b.start();
        api = new ContactsHttp(bundle);
    }

    @AfterEach
    void shutdown() {
        if (bundle != null) {
            bundle.close();
        }
    }

    private static SimulatorData data() {
        return ATTIO.simulator().data();
    }

    /** The person the bundle wrote as an Engineer, then made CTO by a workspace member: the edit's active_from. */
    private Instant memberMadeCto(String email) {
        ContactsHttp.Answer created = api.post("/api/contacts", """
                {"email": "%s", "first_name": "Ada", "last_name": "Byron", "job_title": "Engineer"}""".formatted(email));
        assertThat(created.status()).as(created.raw().body()).isEqualTo(200);
        String personId = created.json().path("person_id").asText();
        data().updateRecordInUi("people", personId, ContactsHttp.JSON.createObjectNode().put("job_title", "CTO"));
        JsonNode title = data().getRecord("people", personId).path("values").path("job_title").path(0);
        assertThat(title.path("value").asText()).isEqualTo("CTO");
        assertThat(title.path("created_by_actor").path("type").asText()).isEqualTo("workspace-member");
        return Instant.parse(title.path("active_from").asText());
    }

    /** The same person sent again by the local system: a new last name and job title, as of updatedAt. */
    private ContactsHttp.Answer sendAgain(String email, Instant updatedAt) {
        return api.post("/api/contacts", """
                {"email": "%s", "first_name": "Ada", "last_name": "Lovelace", "job_title": "Staff Engineer",
                 "updated_at": "%s"}""".formatted(email, updatedAt));
    }

    private static JsonNode person(String email) {
        return data().findRecord("people", "email_addresses", email).path("values");
    }

    private static String jobTitle(String email) {
        return person(email).path("job_title").path(0).path("value").asText();
    }

    private static String email() {
        return "conflict-" + UUID.randomUUID().toString().substring(0, 8) + "@acme.com";
    }

    @Test
    void attioWinsKeepsTheMembersNewerValueQueuesTheConflictAndResolvingWithLocalWritesIt() throws Exception {
        boot("attio-wins");
        String email = email();
        Instant edit = memberMadeCto(email);
        double countedBefore = metric("attio_contacts_conflicts_total");

        ContactsHttp.Answer answer = sendAgain(email, edit.minusSeconds(60));

        assertThat(answer.status()).as(answer.raw().body()).isEqualTo(200);
        assertThat(jobTitle(email)).as("Attio keeps the member's value").isEqualTo("CTO");
        assertThat(person(email).path("name").path(0).path("last_name").asText())
                .as("the contact's other attributes are written").isEqualTo("Lovelace");
        JsonNode conflicts = answer.json().path("conflicts");
        assertThat(conflicts).hasSize(1);
        JsonNode conflict = conflicts.get(0);
        assertThat(conflict.path("attribute").asText()).isEqualTo("job_title");
        assertThat(conflict.path("policy").asText()).isEqualTo("attio-wins");
        assertThat(conflict.path("record_id").asText()).isEqualTo(answer.json().path("person_id").asText());
        assertThat(conflict.path("local_value").toString()).contains("Staff Engineer");
        assertThat(conflict.path("attio_value").path(0).path("value").asText()).isEqualTo("CTO");
        assertThat(Instant.parse(conflict.path("attio_active_from").asText())).isEqualTo(edit);
        assertThat(Instant.parse(conflict.path("local_updated_at").asText())).isEqualTo(edit.minusSeconds(60));
        assertThat(metric("attio_contacts_conflicts_total")).isEqualTo(countedBefore + 1);

        String recordId = conflict.path("record_id").asText();
        ContactsHttp.Answer listed = api.get("/api/conflicts?record_id=" + recordId);
        assertThat(listed.status()).as(listed.raw().body()).isEqualTo(200);
        assertThat(listed.json().path("total").asInt()).isEqualTo(1);
        assertThat(listed.json().path("data").get(0).path("id").asLong()).isEqualTo(conflict.path("id").asLong());
        assertThat(api.get("/api/conflicts").json().path("data").findValuesAsText("record_id")).contains(recordId);

        ContactsHttp.Answer replay = sendAgain(email, edit.minusSeconds(60));
        assertThat(replay.json().path("conflicts").get(0).path("id").asLong())
                .as("a replayed contact refreshes its open conflict rather than queueing it twice")
                .isEqualTo(conflict.path("id").asLong());
        assertThat(api.get("/api/conflicts?record_id=" + recordId).json().path("total").asInt()).isEqualTo(1);

        long id = conflict.path("id").asLong();
        ContactsHttp.Answer resolved = api.post("/api/conflicts/" + id + ":resolve", "{\"use\": \"local\"}");

        assertThat(resolved.status()).as(resolved.raw().body()).isEqualTo(200);
        assertThat(resolved.json().path("conflict").path("resolution").asText()).isEqualTo("local");
        assertThat(jobTitle(email)).as("resolving with local writes the local value to Attio").isEqualTo("Staff Engineer");
        assertThat(api.get("/api/conflicts?record_id=" + recordId).json().path("total").asInt()).isZero();
        ContactsHttp.Answer again = api.post("/api/conflicts/" + id + ":resolve", "{\"use\": \"attio\"}");
        assertThat(again.status()).as(again.raw().body()).isEqualTo(409);
        assertThat(again.json().path("message").asText()).contains("resolved already");
    }

    @Test
    void resolvingWithAttioClosesTheConflictAndWritesNothing() {
        // a policy given through a placeholder, as a YAML or env override would give it
        boot("{{env:ATTIO_TEST_NO_SUCH_VARIABLE:attio-wins}}");
        String email = email();
        Instant edit = memberMadeCto(email);
        long id = sendAgain(email, edit.minusSeconds(1)).json().path("conflicts").get(0).path("id").asLong();
        long writesBefore = writes();

        ContactsHttp.Answer resolved = api.post("/api/conflicts/" + id + ":resolve", "{\"use\": \"attio\"}");

        assertThat(resolved.status()).as(resolved.raw().body()).isEqualTo(200);
        assertThat(writes()).isEqualTo(writesBefore);
        assertThat(jobTitle(email)).isEqualTo("CTO");
        assertThat(api.get("/api/conflicts?record_id=" + resolved.json().path("conflict").path("record_id").asText())
                .json().path("total").asInt()).isZero();
    }

    @Test
    void resolveRefusesBadIdsBodiesAndUnknownConflictsClearly() {
        boot("attio-wins");
        ContactsHttp.Answer badId = api.post("/api/conflicts/abc:resolve", "{\"use\": \"local\"}");
        assertThat(badId.status()).isEqualTo(400);
        assertThat(badId.json().path("fields").path("id").asText()).contains("integer");
        ContactsHttp.Answer badUse = api.post("/api/conflicts/1:resolve", "{\"use\": \"mine\"}");
        assertThat(badUse.status()).isEqualTo(400);
        assertThat(badUse.json().path("fields").path("use").asText()).contains("\"local\"");
        ContactsHttp.Answer noBody = api.post("/api/conflicts/1:resolve", "[]");
        assertThat(noBody.status()).isEqualTo(400);
        assertThat(api.post("/api/conflicts/999999999:resolve", "{\"use\": \"local\"}").status()).isEqualTo(404);
        assertThat(api.post("/api/conflicts/1", "{\"use\": \"local\"}").status()).as("no :resolve verb").isEqualTo(404);
        assertThat(api.get("/api/conflicts?limit=0").status()).isEqualTo(400);
    }

    @Test
    void attioWinsWritesALocalValueThatSawAttiosValueAndKeepsAttiosWhenUpdatedAtIsMissing() {
        boot("attio-wins");
        String email = email();
        Instant edit = memberMadeCto(email);

        ContactsHttp.Answer answer = sendAgain(email, edit.plusSeconds(1));

        assertThat(answer.status()).as(answer.raw().body()).isEqualTo(200);
        assertThat(answer.json().path("conflicts")).isEmpty();
        assertThat(jobTitle(email)).isEqualTo("Staff Engineer");

        String unsaid = email();
        memberMadeCto(unsaid);
        ContactsHttp.Answer noUpdatedAt = api.post("/api/contacts",
                "{\"email\": \"" + unsaid + "\", \"job_title\": \"Staff Engineer\"}");
        assertThat(noUpdatedAt.json().path("conflicts")).as("without updated_at nothing proves Attio's value was seen")
                .hasSize(1);
        assertThat(jobTitle(unsaid)).isEqualTo("CTO");
    }

    @Test
    void lastWriteWinsBothWays() {
        boot("last-write-wins");
        String localNewer = email();
        Instant edit = memberMadeCto(localNewer);
        ContactsHttp.Answer written = sendAgain(localNewer, edit.plusSeconds(30));
        assertThat(written.status()).as(written.raw().body()).isEqualTo(200);
        assertThat(written.json().path("conflicts")).isEmpty();
        assertThat(jobTitle(localNewer)).as("the local change is later: written").isEqualTo("Staff Engineer");

        String attioNewer = email();
        Instant edit2 = memberMadeCto(attioNewer);
        ContactsHttp.Answer kept = sendAgain(attioNewer, edit2.minusSeconds(30));
        assertThat(kept.status()).as(kept.raw().body()).isEqualTo(200);
        assertThat(jobTitle(attioNewer)).as("the member's change is later: kept").isEqualTo("CTO");
        assertThat(person(attioNewer).path("name").path(0).path("last_name").asText()).isEqualTo("Lovelace");
        assertThat(kept.json().path("conflicts").get(0).path("policy").asText()).isEqualTo("last-write-wins");
        assertThat(api.get("/api/conflicts?record_id=" + kept.json().path("person_id").asText()).json()
                .path("total").asInt()).isEqualTo(1);

        String unsaid = email();
        memberMadeCto(unsaid);
        ContactsHttp.Answer asOfNow = api.post("/api/contacts",
                "{\"email\": \"" + unsaid + "\", \"job_title\": \"Staff Engineer\"}");
        assertThat(asOfNow.json().path("conflicts")).as("a contact without updated_at is as of now: later").isEmpty();
        assertThat(jobTitle(unsaid)).isEqualTo("Staff Engineer");
    }

    @Test
    void localWinsOverwritesAsBeforeWithoutAnExtraRead() {
        boot(null);
        String email = email();
        Instant edit = memberMadeCto(email);
        long readsBefore = peopleQueries();

        ContactsHttp.Answer answer = sendAgain(email, edit.minusSeconds(60));

        assertThat(answer.status()).as(answer.raw().body()).isEqualTo(200);
        assertThat(answer.json().path("conflicts")).isEmpty();
        assertThat(jobTitle(email)).isEqualTo("Staff Engineer");
        // the writer's own look-up of the person (created flags) is the only one
        assertThat(peopleQueries() - readsBefore).isEqualTo(1);
    }

    @Test
    void aBatchJobListsTheConflictsOfItsRows() {
        boot("attio-wins");
        String email = email();
        Instant edit = memberMadeCto(email);
        String rows = """
                {"email": "%s", "job_title": "Staff Engineer", "updated_at": "%s"}
                {"email": "%s", "job_title": "Engineer"}
                """.formatted(email(), edit, email, edit.minusSeconds(5));
        ContactsHttp.Answer accepted = api.post("/api/contacts:batch", rows);
        assertThat(accepted.status()).as(accepted.raw().body()).isEqualTo(202);
        String jobId = accepted.json().path("job_id").asText();

        AtomicReference<JsonNode> job = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            job.set(api.get("/api/jobs/" + jobId).json());
            return job.get().path("state").asText().equals("COMPLETED") || job.get().path("state").asText().equals("FAILED");
        });

        assertThat(job.get().path("done").asInt()).as(job.get().toString()).isEqualTo(2);
        assertThat(job.get().path("conflicts_open").asInt()).isEqualTo(1);
        JsonNode conflict = job.get().path("conflicts").get(0);
        assertThat(conflict.path("row").asInt()).isEqualTo(2);
        assertThat(conflict.path("email").asText()).isEqualTo(email);
        assertThat(conflict.path("job_id").asText()).isEqualTo(jobId);
        assertThat(jobTitle(email)).isEqualTo("CTO");
    }

    @Test
    void aMalformedUpdatedAtIsAFieldError() {
        boot("attio-wins");
        ContactsHttp.Answer answer = api.post("/api/contacts",
                "{\"email\": \"" + email() + "\", \"updated_at\": \"yesterday\"}");
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.json().path("fields").path("updated_at").asText()).contains("ISO-8601");
    }

    private static long writes() {
        return ATTIO.simulator().requests().stream().filter(r -> r.kind() == RecordedRequest.Kind.WRITE).count();
    }

    private static long peopleQueries() {
        return ATTIO.simulator().requests().stream().filter(r -> r.path().equals("/v2/objects/people/records/query")).count();
    }

    private double metric(String name) throws IOException, InterruptedException {
        String text = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(
                URI.create(bundle.managementUrl() + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
