package io.github.attiocamel.contacts;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.github.attiocamel.api.ValidationException;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContactNormaliserTest {

    private final ContactMapping mapping = ContactMapping.fromProperties(props(
            "attio.contacts.mapping.person.job_title", "job_title",
            "attio.contacts.mapping.company.name", "name",
            "attio.contacts.mapping.entry.stage", "stage"));
    private final ContactNormaliser normaliser = new ContactNormaliser(mapping, Set.of("Gmail.com"), "sales");

    static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void trimsAndLowerCasesAndTakesTheCompanyFromTheEmail() {
        ContactUpsert c = normaliser.normalise("{\"email\":\"  Ada@Acme.COM \",\"first_name\":\" Ada \",\"job_title\":\" CTO\"}");

        assertThat(c.email).isEqualTo("ada@acme.com");
        assertThat(c.firstName).isEqualTo("Ada");
        assertThat(c.personFields.get("job_title").asText()).isEqualTo("CTO");
        assertThat(c.companyDomain).isEqualTo("acme.com");
        assertThat(c.companyFromEmail).isTrue();
        assertThat(c.fieldErrors).isEmpty();
    }

    @Test
    void freeMailDomainsFromConfigurationGiveNoCompany() {
        assertThat(normaliser.normalise(Map.of("email", "someone@gmail.com")).companyDomain).isNull();
    }

    @Test
    void anExplicitCompanyDomainIsCleanedAndWins() {
        ContactUpsert c = normaliser.normalise("{\"email\":\"a@gmail.com\",\"company\":{\"domain\":\"HTTPS://www.Acme.com/about\",\"name\":\"Acme\"}}");

        assertThat(c.companyDomain).isEqualTo("acme.com");
        assertThat(c.companyFromEmail).isFalse();
        assertThat(c.companyFields).containsKey("name");
    }

    @Test
    void collectsEveryFieldError() {
        ContactUpsert c = normaliser.normalise("{\"email\":\"nope\",\"company\":{\"name\":\"X\"},\"pipeline\":{\"colour\":\"red\"},"
                + "\"note\":{\"title\":\"t\"},\"extra\":1}");

        assertThat(c.fieldErrors).containsOnlyKeys("email", "company.domain", "pipeline.colour", "note.content", "extra");
    }

    @Test
    void pipelineDefaultsToTheConfiguredList() {
        assertThat(normaliser.normalise("{\"email\":\"a@gmail.com\",\"pipeline\":{\"stage\":\"Lead\"}}").pipelineList)
                .isEqualTo("sales");
    }

    @Test
    void aBodyThatIsNotAnObjectIsRefused() {
        assertThatThrownBy(() -> normaliser.normalise("[1,2]")).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> normaliser.normalise("{oops")).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> normaliser.normalise(JsonNodeFactory.instance.textNode("x")))
                .isInstanceOf(ValidationException.class);
    }

    @Test
    void mappingKeysOutsidePersonCompanyEntryAreAConfigurationError() {
        assertThatThrownBy(() -> ContactMapping.fromProperties(props("attio.contacts.mapping.deal.x", "y")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
