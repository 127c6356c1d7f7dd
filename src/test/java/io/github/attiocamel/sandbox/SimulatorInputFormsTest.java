package io.github.attiocamel.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.attiocamel.testing.SimulatorExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** The simulator refuses the value forms and bounds Attio refuses, over HTTP, with Attio's 400 body. */
class SimulatorInputFormsTest {

    @RegisterExtension
    static final SimulatorExtension ATTIO = new SimulatorExtension();
    static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(ATTIO.baseUrl() + path))
                .header("Authorization", "Bearer " + ATTIO.apiKey()).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> person(String values) throws Exception {
        return send("PUT", "/v2/objects/people/records?matching_attribute=email_addresses",
                "{\"data\":{\"values\":" + values + "}}");
    }

    private static void refused(HttpResponse<String> r, String code, String says) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("code").asText()).isEqualTo(code);
        assertThat(body.path("message").asText()).contains(says);
    }

    @Test
    void aNameNeedsAllThreeParts() throws Exception {
        refused(person("{\"email_addresses\":[\"n1@forms.example\"],\"name\":[\"Ada Lovelace\"]}"), "validation_type",
                "first_name, last_name and full_name");
        refused(person("{\"email_addresses\":[\"n1@forms.example\"],\"name\":[{\"first_name\":\"Ada\",\"last_name\":\"L\"}]}"),
                "validation_type", "full_name");
        assertThat(person("{\"email_addresses\":[\"n1@forms.example\"],\"name\":[{\"first_name\":\"Ada\",\"last_name\":\"L\","
                + "\"full_name\":\"Ada L\"}]}").statusCode()).isEqualTo(200);
    }

    @Test
    void aPhoneIsNotGivenACountryItDoesNotName() throws Exception {
        refused(person("{\"email_addresses\":[\"p1@forms.example\"],\"phone_numbers\":[{\"original_phone_number\":\"020 7946 0958\"}]}"),
                "validation_type", "country_code");
        HttpResponse<String> ok = person("{\"email_addresses\":[\"p1@forms.example\"],\"phone_numbers\":"
                + "[{\"original_phone_number\":\"020 7946 0958\",\"country_code\":\"GB\"}]}");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(JSON.readTree(ok.body()).path("data").path("values").path("phone_numbers").path(0).path("country_code").asText())
                .isEqualTo("GB");
    }

    @Test
    void aLocationNeedsEveryField() throws Exception {
        refused(person("{\"email_addresses\":[\"l1@forms.example\"],\"primary_location\":[{\"locality\":\"Paris\"}]}"),
                "validation_type", "location field");
        assertThat(person("{\"email_addresses\":[\"l1@forms.example\"],\"primary_location\":[{\"line_1\":null,\"line_2\":null,"
                + "\"line_3\":null,\"line_4\":null,\"locality\":\"Paris\",\"region\":null,\"postcode\":null,"
                + "\"country_code\":\"FR\",\"latitude\":null,\"longitude\":null}]}").statusCode()).isEqualTo(200);
    }

    @Test
    void theCurrencyCodeIsTheAttributes() throws Exception {
        HttpResponse<String> r = send("POST", "/v2/objects/deals/records", "{\"data\":{\"values\":{\"name\":[\"Euro deal\"],"
                + "\"deal_type\":[\"Renewal\"],\"stage\":[\"Lead\"],\"value\":[{\"currency_value\":5,\"currency_code\":\"EUR\"}]}}}");
        refused(r, "validation_type", "currency code belongs to the attribute");
    }

    @Test
    void aRequiredCustomAttributeIsMissingValue() throws Exception {
        refused(send("POST", "/v2/objects/deals/records", "{\"data\":{\"values\":{\"name\":[\"No type\"],\"stage\":[\"Lead\"]}}}"),
                "missing_value", "deal_type");
    }

    @Test
    void anActorReferenceNamesAMember() throws Exception {
        refused(person("{\"email_addresses\":[\"a1@forms.example\"],\"owners\":[{\"workspace_member_email_address\":"
                + "\"nobody@forms.example\"}]}"), "value_not_found", "no such workspace member");
        refused(person("{\"email_addresses\":[\"a1@forms.example\"],\"owners\":[\"sam@sandbox.example\"]}"),
                "value_not_found", "no such workspace member");
    }

    @Test
    void limitsOutsideTheirBoundsAreRefusedNotClamped() throws Exception {
        refused(send("POST", "/v2/objects/people/records/query", "{\"limit\":501}"), "validation_type", "limit must be 1..500");
        refused(send("POST", "/v2/objects/people/records/query", "{\"limit\":0}"), "validation_type", "limit must be 1..500");
        refused(send("GET", "/v2/notes?limit=51", null), "validation_type", "limit must be 1..50");
    }
}
