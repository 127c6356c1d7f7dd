package io.github.attiocamel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.testing.KafkaBroker;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The two Kafka estates of examples/, each loaded from ROUTES_DIR against a real broker: a CRM's contacts topic into
 * Attio, and the people changes of the change feed to a topic, keyed by record id.
 */
class EstateKafkaExamplesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static KafkaBroker kafka;

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    @BeforeAll
    static void startKafka() {
        kafka = KafkaBroker.start();
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    void contactsPublishedOnATopicBecomeAttioPeople() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        String topic = "crm-contacts-" + UUID.randomUUID().toString().substring(0, 8);
        kafka.createTopic(topic, 1);
        String tag = UUID.randomUUID().toString().substring(0, 8);
        try (RunningBundle bundle = RunningBundle.against(sim.baseUrl(), sim.apiKey())
                .property("attio.sync.schedule-enabled", "false")
                .property("estate.kafka.brokers", kafka.bootstrapServers())
                .property("estate.kafka.contacts-topic", topic)
                .routesDir(Path.of("examples/kafka-to-attio")).start();
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                     ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                     ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
            int people = sim.data().count("people");
            for (String name : List.of("mary", "annie")) {
                producer.send(new ProducerRecord<>(topic, name, """
                        {"mail": "%s.%s@nasa.gov", "given_name": "%s", "family_name": "Jackson", "org_domain": "nasa.gov"}
                        """.formatted(name, tag, name))).get();
            }

            await().atMost(Duration.ofSeconds(60)).until(() -> sim.data().count("people") == people + 2);
            JsonNode mary = sim.data().findRecord("people", "email_addresses", "mary." + tag + "@nasa.gov");
            assertThat(mary.path("values").path("name").path(0).path("last_name").asText()).isEqualTo("Jackson");
        }
    }

    @Test
    void peopleChangesGoToATopicKeyedByRecordAndNothingElseDoes() throws Exception {
        AttioSimulator sim = ATTIO.simulator();
        String topic = "attio-people-" + UUID.randomUUID().toString().substring(0, 8);
        kafka.createTopic(topic, 3);
        sim.data().seedPeople(3);
        List<String> people = sim.data().recordIds("people");
        List<String> chosen = people.subList(people.size() - 3, people.size());
        String company = sim.data().recordIds("companies").get(0);
        try (RunningBundle bundle = RunningBundle.against(sim.baseUrl(), sim.apiKey())
                .property("attio.sync.schedule-enabled", "false")
                .property("attio.changes.uri", "direct:attio-changes")
                .property("estate.kafka.brokers", kafka.bootstrapServers())
                .property("estate.kafka.people-topic", topic)
                .routesDir(Path.of("examples/attio-changes-to-kafka")).start();
             KafkaConsumer<String, String> consumer = kafka.consumer(topic)) {
            String url = bundle.httpUrl() + "/webhooks/attio";
            assertThat(sim.deliver(url, RunningBundle.WEBHOOK_SECRET,
                    sim.recordEvent("record.created", "companies", company), UUID.randomUUID().toString())).isEqualTo(200);
            for (String id : chosen) {
                assertThat(sim.deliver(url, RunningBundle.WEBHOOK_SECRET,
                        sim.recordEvent("record.created", "people", id), UUID.randomUUID().toString())).isEqualTo(200);
            }
            List<ConsumerRecord<String, String>> received = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                received.addAll(KafkaBroker.poll(consumer));
                return received.size() >= chosen.size();
            });
            bundle.awaitChangesRelayed();
            received.addAll(KafkaBroker.poll(consumer));

            assertThat(received).extracting(ConsumerRecord::key).containsExactlyInAnyOrderElementsOf(chosen);
            assertThat(received).allSatisfy(r -> {
                JsonNode change = JSON.readTree(r.value());
                assertThat(change.path("object").asText()).isEqualTo("people");
                assertThat(change.path("record_id").asText()).isEqualTo(r.key());
                assertThat(new String(r.headers().lastHeader("AttioChangeId").value()))
                        .isEqualTo(change.path("change_id").asText());
            });
        }
    }
}
