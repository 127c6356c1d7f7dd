package io.github.attiocamel.contacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.gateway.AttioGateway;
import io.github.attiocamel.mirror.MirrorKind;
import io.github.attiocamel.mirror.MirrorRepository;
import io.github.attiocamel.mirror.MirrorRow;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.sandbox.FaultRule;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Acceptance: a contact batch job and a webhook burst are held through one 20 s outage of Attio (503s and connection
 * resets, a note whose answer is lost, the breaker open) and complete after it by themselves: every row written,
 * every note created once (even the one whose answer was lost while the lookup could not run either), every
 * event's record fetched and mirrored, nothing dead-lettered.
 */
class ContactsAndWebhooksOutageTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROWS = 150;
    private static final int RECORDS = 20;

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    static String rowsWithNotes(String prefix, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append("{\"email\":\"").append(prefix).append(i).append("@gmail.com\",\"first_name\":\"Row\",\"last_name\":\"")
                    .append(i).append("\",\"note\":{\"title\":\"Imported ").append(i)
                    .append("\",\"content\":\"during an outage\"}}\n");
        }
        return b.toString();
    }

    @Test
    void aBatchAndAWebhookBurstRideOutATwentySecondOutage() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        sim.data().seedPeople(RECORDS);
        List<String> records = sim.data().recordIds("people").subList(0, RECORDS);
        AtomicBoolean armed = new AtomicBoolean();
        AtomicInteger n = new AtomicInteger();
        // the outage starts with a note that reaches Attio and whose answer is lost, so the lookup that would tell the
        // bundle it exists cannot run either; from then on Attio answers 503 or resets the connection
        FaultRule lost = sim.faults().add(FaultRule.when(r -> armed.get() && "POST".equals(r.method())
                && r.path().equals("/v2/notes")).loseAnswer().times(1));
        BooleanSupplier down = () -> armed.get() && lost.fired() > 0;
        sim.faults().add(FaultRule.when(r -> down.getAsBoolean() && n.incrementAndGet() % 2 == 0).resetConnection());
        sim.faults().add(FaultRule.when(r -> down.getAsBoolean()).respond(503));
        try (RunningBundle bundle = RunningBundle.against(sim.baseUrl(), sim.apiKey())
                .property("attio.sync.schedule-enabled", "false")
                .property("attio.breaker.wait-duration-in-open-state", "3")
                .start()) {
            ContactsHttp api = new ContactsHttp(bundle);
            AttioGateway gateway = bundle.camelContext().getRegistry().lookupByNameAndType("attioGateway", AttioGateway.class);
            int people = sim.data().count("people");
            int notes = sim.data().noteCount();
            sim.clearRequests();

            ContactsHttp.Answer accepted = api.post("/api/contacts:batch", rowsWithNotes("outage-", ROWS));
            assertThat(accepted.status()).as(accepted.raw().body()).isEqualTo(202);
            String jobId = accepted.json().path("job_id").asText();
            await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/api/jobs/" + jobId).json().path("done").asInt() >= 10);

            armed.set(true);
            await().atMost(Duration.ofSeconds(30)).until(() -> "OPEN".equals(gateway.circuitBreakerState()));
            // a burst of updates while Attio is down: the intake stores them, the inbox cannot fetch the records
            Map<String, String> emails = records.stream().collect(Collectors.toMap(id -> id,
                    id -> "updated." + UUID.randomUUID() + "@example.com"));
            for (String id : records) {
                sim.data().updateRecord("people", id, JSON.readTree("{\"email_addresses\":[\"" + emails.get(id) + "\"]}"));
                assertThat(sim.deliver(bundle.httpUrl() + "/webhooks/attio", RunningBundle.WEBHOOK_SECRET,
                        sim.recordEvent("record.updated", "people", id), UUID.randomUUID().toString())).isEqualTo(200);
            }
            // 20 s down: the job keeps running, no row fails, no event is dead-lettered
            await().during(Duration.ofSeconds(20)).atMost(Duration.ofSeconds(25)).until(() -> {
                JsonNode job = api.get("/api/jobs/" + jobId).json();
                return "RUNNING".equals(job.path("state").asText()) && job.path("failed").asInt() == 0
                        && sql(bundle, "SELECT COUNT(*) FROM dead_letter") == 0;
            });
            armed.set(false);
            assertThat(lost.fired()).as("the outage began with a lost answer").isEqualTo(1);

            await().atMost(Duration.ofSeconds(120)).until(() -> !"RUNNING".equals(
                    api.get("/api/jobs/" + jobId).json().path("state").asText()));
            JsonNode job = api.get("/api/jobs/" + jobId).json();
            assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("COMPLETED");
            assertThat(job.path("done").asInt()).isEqualTo(ROWS);
            assertThat(job.path("failed").asInt()).isZero();
            assertThat(sim.data().count("people")).isEqualTo(people + ROWS);
            assertThat(sim.data().noteCount()).as("each note once").isEqualTo(notes + ROWS);

            MirrorRepository mirror = bundle.camelContext().getRegistry().lookupByNameAndType("mirrorRepository",
                    MirrorRepository.class);
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    sql(bundle, "SELECT COUNT(*) FROM webhook_inbox WHERE state <> 'done'") == 0);
            for (String id : records) {
                MirrorRow row = mirror.find(MirrorKind.RECORDS, "people", id).orElseThrow();
                assertThat(row.valuesJson()).as("record %s mirrored as it is now", id).contains(emails.get(id));
                assertThat(sim.requests()).filteredOn(r -> "GET".equals(r.method())
                        && r.path().equals("/v2/objects/people/records/" + id) && r.status() == 200)
                        .as("record %s fetched once it could be", id).hasSize(1);
            }
            assertThat(sql(bundle, "SELECT COUNT(*) FROM dead_letter")).as("an outage is not the events' fault").isZero();
        } finally {
            sim.faults().clear();
        }
    }

    static long sql(RunningBundle bundle, String query) throws Exception {
        DataSource ds = bundle.camelContext().getRegistry().lookupByNameAndType("dataSource", DataSource.class);
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
