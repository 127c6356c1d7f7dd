package io.github.attiocamel.contacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.sandbox.AttioSimulator;
import io.github.attiocamel.sandbox.FaultRule;
import io.github.attiocamel.sandbox.RecordedRequest;
import io.github.attiocamel.sandbox.SimulatorData;
import io.github.attiocamel.testing.RunningBundle;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * POST /api/contacts on the real bundle (packed YAML routes, real gateway, H2) against the simulator over HTTP.
 * The mapping adds lead_source by configuration only, as an integration engineer would.
 */
class ContactsApiTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    static RunningBundle bundle;
    static ContactsHttp api;

    @BeforeAll
    static void boot() {
        bundle = RunningBundle.against(ATTIO.baseUrl(), ATTIO.apiKey())
                .property("attio.contacts.mapping.person.lead_source", "lead_source")
                .start();
        api = new ContactsHttp(bundle);
    }

    @AfterAll
    static void shutdown() {
        bundle.close();
    }

    private static SimulatorData data() {
        return ATTIO.simulator().data();
    }

    private static long writes() {
        return ATTIO.simulator().requests().stream().filter(r -> r.kind() == RecordedRequest.Kind.WRITE).count();
    }

    @Test
    void oneRequestCreatesCompanyPersonEntryAndNoteAndTheReplayCreatesNothing() {
        int people = data().count("people");
        int companies = data().count("companies");
        int entries = data().entryCount("sales");
        int notes = data().noteCount();
        String body = """
                {"email": "  Ada@Lovelace-Engines.com ", "first_name": "Ada", "last_name": "Lovelace", "job_title": "CTO",
                 "phone": "+44 20 7946 0958", "company": {"domain": "https://www.lovelace-engines.com/", "name": "Lovelace Engines"},
                 "pipeline": {"list": "sales", "stage": "Lead", "value": 5000},
                 "note": {"title": "Signed up", "content": "Came from the **pricing** page"}}""";

        ContactsHttp.Answer first = api.post("/api/contacts", body);

        assertThat(first.status()).as(first.raw().body()).isEqualTo(200);
        JsonNode r = first.json();
        assertThat(r.path("created").path("company").asBoolean()).isTrue();
        assertThat(r.path("created").path("person").asBoolean()).isTrue();
        assertThat(r.path("created").path("entry").asBoolean()).isTrue();
        assertThat(r.path("created").path("note").asBoolean()).isTrue();
        assertThat(data().count("people")).isEqualTo(people + 1);
        assertThat(data().count("companies")).isEqualTo(companies + 1);
        assertThat(data().entryCount("sales")).isEqualTo(entries + 1);
        assertThat(data().noteCount()).isEqualTo(notes + 1);

        JsonNode person = data().getRecord("people", r.path("person_id").asText());
        assertThat(person.path("values").path("email_addresses").path(0).path("email_address").asText())
                .isEqualTo("ada@lovelace-engines.com");
        assertThat(person.path("values").path("company").path(0).path("target_record_id").asText())
                .isEqualTo(r.path("company_id").asText());
        assertThat(person.path("values").path("job_title").path(0).path("value").asText()).isEqualTo("CTO");
        JsonNode company = data().getRecord("companies", r.path("company_id").asText());
        assertThat(company.path("values").path("domains").path(0).path("domain").asText()).isEqualTo("lovelace-engines.com");
        assertThat(company.path("values").path("name").path(0).path("value").asText()).isEqualTo("Lovelace Engines");
        JsonNode entry = data().getEntry("sales", r.path("entry_id").asText());
        assertThat(entry.path("parent_record_id").asText()).isEqualTo(r.path("person_id").asText());
        assertThat(entry.path("entry_values").path("stage").path(0).path("status").path("title").asText()).isEqualTo("Lead");
        assertThat(entry.path("entry_values").path("value").path(0).path("currency_value").asDouble()).isEqualTo(5000);

        ContactsHttp.Answer replay = api.post("/api/contacts", body);

        assertThat(replay.status()).as(replay.raw().body()).isEqualTo(200);
        assertThat(replay.json().path("person_id").asText()).isEqualTo(r.path("person_id").asText());
        assertThat(replay.json().path("company_id").asText()).isEqualTo(r.path("company_id").asText());
        assertThat(replay.json().path("entry_id").asText()).isEqualTo(r.path("entry_id").asText());
        assertThat(replay.json().path("note_id").asText()).isEqualTo(r.path("note_id").asText());
        assertThat(replay.json().path("created").toString()).isEqualTo(
                "{\"company\":false,\"person\":false,\"entry\":false,\"note\":false}");
        assertThat(data().count("people")).isEqualTo(people + 1);
        assertThat(data().count("companies")).isEqualTo(companies + 1);
        assertThat(data().entryCount("sales")).isEqualTo(entries + 1);
        assertThat(data().noteCount()).isEqualTo(notes + 1);
        assertThat(ATTIO.simulator().requests()).allSatisfy(q -> {
            if (q.kind() == RecordedRequest.Kind.WRITE) {
                assertThat(q.method()).as(q.path()).isIn("PUT", "POST");
                if (q.path().endsWith("/records")) {
                    assertThat(q.method()).isEqualTo("PUT");
                    assertThat(q.query()).contains("matching_attribute=");
                }
            }
        });
    }

    @Test
    void twentyConcurrentRequestsForOneEmailCreateOnePerson() {
        int people = data().count("people");
        int companies = data().count("companies");
        int notes = data().noteCount();
        String body = """
                {"email": "grace@hopper-systems.com", "first_name": "Grace", "company": {"domain": "hopper-systems.com"},
                 "note": {"title": "Hello", "content": "Twenty at once"}}""";
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<CompletableFuture<ContactsHttp.Answer>> calls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> api.post("/api/contacts", body), pool));
            }
            List<ContactsHttp.Answer> answers = calls.stream().map(CompletableFuture::join).toList();

            assertThat(answers).allSatisfy(a -> assertThat(a.status()).as(a.raw().body()).isEqualTo(200));
            assertThat(answers.stream().map(a -> a.json().path("person_id").asText()).distinct()).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(data().count("people")).isEqualTo(people + 1);
        assertThat(data().count("companies")).isEqualTo(companies + 1);
        assertThat(data().noteCount()).isEqualTo(notes + 1);
        assertThat(data().findRecord("people", "email_addresses", "grace@hopper-systems.com")).isNotNull();
    }

    @Test
    void aFreeMailAddressCreatesNoCompany() {
        int companies = data().count("companies");

        ContactsHttp.Answer a = api.post("/api/contacts", "{\"email\": \"someone.private@gmail.com\", \"first_name\": \"Sam\"}");

        assertThat(a.status()).as(a.raw().body()).isEqualTo(200);
        assertThat(a.json().path("company_id").isNull()).isTrue();
        assertThat(a.json().path("created").path("company").isNull()).isTrue();
        assertThat(data().count("companies")).isEqualTo(companies);
        assertThat(data().getRecord("people", a.json().path("person_id").asText()).path("values").path("company"))
                .isEmpty();
    }

    @Test
    void theEmailDomainNamesTheCompanyWhenNoneIsGiven() {
        ContactsHttp.Answer a = api.post("/api/contacts", "{\"email\": \"lin@babbage-works.io\"}");

        assertThat(a.status()).as(a.raw().body()).isEqualTo(200);
        JsonNode company = data().getRecord("companies", a.json().path("company_id").asText());
        assertThat(company.path("values").path("domains").path(0).path("domain").asText()).isEqualTo("babbage-works.io");
    }

    @Test
    void anExistingCompanyIsLinkedWithoutAWrite() {
        ContactsHttp.Answer a = api.post("/api/contacts", "{\"email\": \"new.person@acme.com\"}");

        assertThat(a.status()).as(a.raw().body()).isEqualTo(200);
        assertThat(a.json().path("created").path("company").asBoolean()).isFalse();
        assertThat(ATTIO.simulator().requests()).noneSatisfy(q ->
                assertThat(q.kind() == RecordedRequest.Kind.WRITE && q.path().contains("/companies/")).isTrue());
        assertThat(data().getRecord("companies", a.json().path("company_id").asText()).path("values").path("domains")
                .path(0).path("domain").asText()).isEqualTo("acme.com");
    }

    @Test
    void anUnknownStageAnswers422ListingTheStagesAndWritesNothing() {
        ContactsHttp.Answer a = api.post("/api/contacts", """
                {"email": "stage.typo@new-company.org", "company": {"domain": "new-company.org"},
                 "pipeline": {"list": "sales", "stage": "Leed"}, "note": {"title": "t", "content": "c"}}""");

        assertThat(a.status()).as(a.raw().body()).isEqualTo(422);
        assertThat(a.json().path("code").asText()).isEqualTo("value_not_found");
        assertThat(a.json().path("message").asText()).contains("Leed", "Lead", "Qualified", "Proposal", "Won", "Lost");
        assertThat(writes()).isZero();
        assertThat(data().findRecord("people", "email_addresses", "stage.typo@new-company.org")).isNull();
    }

    @Test
    void anUnknownSelectOptionAnswers422ListingTheOptionsAndWritesNothing() {
        ContactsHttp.Answer a = api.post("/api/contacts",
                "{\"email\": \"select@new-company.org\", \"lead_source\": \"Billboard\"}");

        assertThat(a.status()).as(a.raw().body()).isEqualTo(422);
        assertThat(a.json().path("message").asText()).contains("Billboard", "Website", "Referral", "Event", "Outbound");
        assertThat(writes()).isZero();
    }

    @Test
    void aCustomAttributeMappedInConfigurationIsWritten() {
        ContactsHttp.Answer a = api.post("/api/contacts",
                "{\"email\": \"referred@gmail.com\", \"lead_source\": \"Referral\"}");

        assertThat(a.status()).as(a.raw().body()).isEqualTo(200);
        assertThat(data().getRecord("people", a.json().path("person_id").asText()).path("values").path("lead_source")
                .path(0).path("option").path("title").asText()).isEqualTo("Referral");
    }

    @Test
    void invalidEmailAndPhoneAnswer400WithEveryField() {
        ContactsHttp.Answer a = api.post("/api/contacts",
                "{\"email\": \"not-an-email\", \"phone\": \"call me\", \"nickname\": \"x\"}");

        assertThat(a.status()).as(a.raw().body()).isEqualTo(400);
        assertThat(a.json().path("error").asText()).isEqualTo("validation");
        assertThat(a.json().path("fields").has("email")).isTrue();
        assertThat(a.json().path("fields").has("nickname")).isTrue();
        assertThat(writes()).isZero();

        ContactsHttp.Answer phone = api.post("/api/contacts", "{\"email\": \"ok@gmail.com\", \"phone\": \"12345\"}");
        assertThat(phone.status()).as(phone.raw().body()).isEqualTo(400);
        assertThat(phone.json().path("fields").path("phone").asText()).contains("international");
        assertThat(writes()).isZero();
    }

    @Test
    void aListThatIsNoSlugAnswers400BeforeAnyAttioCall() {
        for (String list : List.of("..", ".", "sales/../people", "%2e%2e", "sales?x=1")) {
            ContactsHttp.Answer a = api.post("/api/contacts", "{\"email\": \"dots@acme-dots.com\", \"pipeline\": "
                    + "{\"list\": " + new ObjectMapper().valueToTree(list) + ", \"stage\": \"Lead\"}}");

            assertThat(a.status()).as(list + ": " + a.raw().body()).isEqualTo(400);
            assertThat(a.json().path("fields").path("pipeline.list").asText()).as(list).contains("slug");
        }
        assertThat(ATTIO.simulator().requests()).isEmpty();
    }

    @Test
    void aMissingEmailOrABodyThatIsNotJsonAnswers400() {
        assertThat(api.post("/api/contacts", "{\"first_name\": \"Nobody\"}").json().path("fields").path("email").asText())
                .isEqualTo("required");
        ContactsHttp.Answer notJson = api.post("/api/contacts", "email=ada@acme.com");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().path("fields").has("body")).isTrue();
    }

    @Test
    void aNewPhoneIsAddedWithoutWipingTheNumbersAlreadyThere() {
        String email = "phones@gmail.com";
        assertThat(api.post("/api/contacts", "{\"email\": \"" + email + "\", \"phone\": \"+44 20 7946 0958\"}").status())
                .isEqualTo(200);

        ContactsHttp.Answer second = api.post("/api/contacts", "{\"email\": \"" + email + "\", \"phone\": \"+1 415 555 0100\"}");
        ContactsHttp.Answer noPhone = api.post("/api/contacts", "{\"email\": \"" + email + "\", \"job_title\": \"CEO\"}");

        assertThat(second.status()).isEqualTo(200);
        assertThat(noPhone.status()).isEqualTo(200);
        JsonNode phones = data().findRecord("people", "email_addresses", email).path("values").path("phone_numbers");
        List<String> numbers = new ArrayList<>();
        phones.forEach(p -> numbers.add(p.path("phone_number").asText()));
        assertThat(numbers).containsExactlyInAnyOrder("+442079460958", "+14155550100");
    }

    @Test
    void attioRefusingAWriteAnswers422WithAttiosCodeAndMessage() {
        ATTIO.simulator().faults().add(FaultRule.on("PUT", ".*/objects/people/records").respond(400,
                "{\"status_code\":400,\"type\":\"invalid_request_error\",\"code\":\"immutable_value\","
                        + "\"message\":\"Cannot change that\"}"));

        ContactsHttp.Answer a = api.post("/api/contacts", "{\"email\": \"refused@gmail.com\"}");

        assertThat(a.status()).as(a.raw().body()).isEqualTo(422);
        assertThat(a.json().path("code").asText()).isEqualTo("immutable_value");
        assertThat(a.json().path("message").asText()).isEqualTo("Cannot change that");
    }

    @Test
    void withoutTheBearerTokenNothingHappens() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(bundle.httpUrl() + "/api/contacts"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"email\":\"x@gmail.com\"}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(ATTIO.simulator().requests()).isEmpty();
    }

    static AttioSimulator sim() {
        return ATTIO.simulator();
    }
}
