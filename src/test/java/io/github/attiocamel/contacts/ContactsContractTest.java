package io.github.attiocamel.contacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contact flow against a workspace shaped like real ones: lists parented by companies and deals, attributes
 * beyond the first page, required custom attributes, multiselects whose read form is no write form, locations.
 */
class ContactsContractTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();

    static RunningBundle bundle;
    static ContactsHttp api;

    @BeforeAll
    static void boot() {
        bundle = RunningBundle.against(ATTIO.baseUrl(), ATTIO.apiKey())
                .property("attio.contacts.mapping.person.owner", "owners")
                .property("attio.contacts.mapping.person.location", "primary_location")
                .property("attio.contacts.mapping.person.linkedin", "linkedin")
                .property("attio.contacts.mapping.entry.tier", "tier")
                // required flags change during a test: no schema cache between the steps
                .property("attio.cache.schema-ttl", "PT0S")
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
    void aCompanyParentedListGetsTheContactsCompanyAsItsEntry() {
        ContactsHttp.Answer a = api.post("/api/contacts", """
                {"email": "lin@partnerco.example", "company": {"domain": "partnerco.example", "name": "PartnerCo"},
                 "pipeline": {"list": "partners", "tier": "Silver"}}""");

        assertThat(a.status()).as(a.raw().body()).isEqualTo(200);
        ObjectNode entry = data().getEntry("partners", a.json().path("entry_id").asText());
        assertThat(entry.path("parent_object").asText()).isEqualTo("companies");
        assertThat(entry.path("parent_record_id").asText()).isEqualTo(a.json().path("company_id").asText());
        assertThat(entry.path("entry_values").path("tier").path(0).path("status").path("title").asText()).isEqualTo("Silver");
        assertThat(a.json().path("created").path("entry").asBoolean()).isTrue();

        ContactsHttp.Answer again = api.post("/api/contacts", """
                {"email": "kim@partnerco.example", "pipeline": {"list": "partners", "tier": "Silver"}}""");
        assertThat(again.status()).as(again.raw().body()).isEqualTo(200);
        assertThat(again.json().path("entry_id").asText()).isEqualTo(a.json().path("entry_id").asText());
        assertThat(again.json().path("created").path("entry").asBoolean()).isFalse();
    }

    @Test
    void aCompanyListContactWithoutACompanyIsRefusedBeforeAnyWrite() {
        int people = data().count("people");

        ContactsHttp.Answer a = api.post("/api/contacts", """
                {"email": "solo@gmail.com", "pipeline": {"list": "partners"}}""");

        assertThat(a.status()).as(a.raw().body()).isEqualTo(422);
        assertThat(a.json().path("message").asText()).contains("partners").contains("companies");
        assertThat(writes()).isZero();
        assertThat(data().count("people")).isEqualTo(people);
    }

    @Test
    void aDealParentedListIsRefusedBeforeAnyWrite() {
        ContactsHttp.Answer a = api.post("/api/contacts", """
                {"email": "deal@acme.com", "pipeline": {"list": "deal_reviews"}}""");

        assertThat(a.status()).as(a.raw().body()).isEqualTo(422);
        assertThat(a.json().path("message").asText()).contains("deal_reviews").contains("deals");
        assertThat(writes()).isZero();
    }

    @Test
    void anExistingEntryIsFoundThroughTheRecordsDocumentedEntriesRead() {
        String ada = data().findRecord("people", "email_addresses", "ada@acme.com").path("id").path("record_id").asText();

        ContactsHttp.Answer a = api.post("/api/contacts", """
                {"email": "ada@acme.com", "pipeline": {"list": "sales", "stage": "Qualified"}}""");

        assertThat(a.status()).as(a.raw().body()).isEqualTo(200);
        assertThat(a.json().path("person_id").asText()).isEqualTo(ada);
        assertThat(a.json().path("created").path("entry").asBoolean()).isFalse();
        assertThat(ATTIO.simulator().requests()).extracting(r -> r.method() + " " + r.path())
                .contains("GET /v2/objects/people/records/" + ada + "/entries")
                .noneMatch(r -> r.endsWith("/entries/query"));
    }

    @Test
    void multiselectAdditionsNeverRewriteTheValuesAlreadyThere() throws Exception {
        String sam = memberId("sam@sandbox.example");
        String id = data().createRecord("people", ContactsHttp.JSON.readTree("""
                {"email_addresses": ["multi@acme.com"],
                 "phone_numbers": [{"original_phone_number": "+1 613 555 0100", "country_code": "CA"}],
                 "owners": [{"referenced_actor_type": "workspace-member", "referenced_actor_id": "%s"}]}""".formatted(sam)))
                .path("id").path("record_id").asText();

        ContactsHttp.Answer a = api.post("/api/contacts", """
                {"email": "multi@acme.com", "phone": "+44 20 7946 0958", "owner": "robin@sandbox.example"}""");

        assertThat(a.status()).as(a.raw().body()).isEqualTo(200);
        JsonNode values = data().getRecord("people", id).path("values");
        List<String> phones = new ArrayList<>();
        values.path("phone_numbers").forEach(p -> phones.add(p.path("phone_number").asText() + " " + p.path("country_code").asText()));
        assertThat(phones).containsExactlyInAnyOrder("+16135550100 CA", "+442079460958 GB");
        List<String> owners = new ArrayList<>();
        values.path("owners").forEach(o -> owners.add(o.path("referenced_actor_id").asText()));
        assertThat(owners).containsExactlyInAnyOrder(sam, memberId("robin@sandbox.example"));

        ATTIO.simulator().clearRequests();
        ContactsHttp.Answer replay = api.post("/api/contacts", """
                {"email": "multi@acme.com", "phone": "+44 20 7946 0958"}""");
        assertThat(replay.status()).as(replay.raw().body()).isEqualTo(200);
        assertThat(ATTIO.simulator().requests()).noneMatch(r -> r.method().equals("PATCH"));
        assertThat(writes()).isEqualTo(1); // the person's assert, nothing appended
    }

    @Test
    void aLocationIsWrittenInAttiosFullInputFormAndMalformedValuesAreFieldErrors() {
        ContactsHttp.Answer a = api.post("/api/contacts", """
                {"email": "loc@acme.com", "location": {"locality": "Paris", "country_code": "FR"}}""");

        assertThat(a.status()).as(a.raw().body()).isEqualTo(200);
        JsonNode location = data().getRecord("people", a.json().path("person_id").asText())
                .path("values").path("primary_location").path(0);
        assertThat(location.path("locality").asText()).isEqualTo("Paris");
        assertThat(location.path("country_code").asText()).isEqualTo("FR");
        assertThat(location.has("line_1")).isTrue();
        assertThat(location.path("line_1").isNull()).isTrue();

        ContactsHttp.Answer bad = api.post("/api/contacts", """
                {"email": "loc2@acme.com", "location": "Paris", "owner": 42}""");
        assertThat(bad.status()).as(bad.raw().body()).isEqualTo(400);
        assertThat(bad.json().path("fields").path("location").asText()).contains("locality");
        assertThat(bad.json().path("fields").path("owner").asText()).contains("workspace member");
        assertThat(writes()).isEqualTo(1);
    }

    @Test
    void anAttributeBeyondTheFirstPageOfTheSchemaIsFound() {
        ContactsHttp.Answer a = api.post("/api/contacts", """
                {"email": "paged@acme.com", "linkedin": "https://linkedin.example/paged"}""");

        assertThat(a.status()).as(a.raw().body()).isEqualTo(200);
        assertThat(data().getRecord("people", a.json().path("person_id").asText())
                .path("values").path("linkedin").path(0).path("value").asText()).isEqualTo("https://linkedin.example/paged");
    }

    @Test
    void aRequiredAttributeTheContactLacksIsA422NamingItBeforeAnyWrite() {
        data().setRequired("people", "job_title", true);
        try {
            int companies = data().count("companies");
            ContactsHttp.Answer a = api.post("/api/contacts", """
                    {"email": "new@required-co.example", "company": {"domain": "required-co.example"}}""");

            assertThat(a.status()).as(a.raw().body()).isEqualTo(422);
            assertThat(a.json().path("message").asText()).contains("job_title");
            assertThat(writes()).isZero();
            assertThat(data().count("companies")).isEqualTo(companies);

            // an existing person already has what the workspace requires
            ContactsHttp.Answer known = api.post("/api/contacts", """
                    {"email": "grace@globex.com"}""");
            assertThat(known.status()).as(known.raw().body()).isEqualTo(200);
            ContactsHttp.Answer given = api.post("/api/contacts", """
                    {"email": "new@required-co.example", "job_title": "CFO"}""");
            assertThat(given.status()).as(given.raw().body()).isEqualTo(200);
        } finally {
            data().setRequired("people", "job_title", false);
        }
    }

    private static String memberId(String email) {
        for (JsonNode m : ATTIO.simulator().data().members()) {
            if (email.equals(m.path("email_address").asText())) {
                return m.path("id").path("workspace_member_id").asText();
            }
        }
        throw new IllegalStateException("no member " + email);
    }
}
