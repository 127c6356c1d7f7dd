package io.github.attiocamel.mirror;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ValuesHashTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VALUES = "{\"name\":[{\"first_name\":\"Ada\",\"last_name\":\"Lovelace\","
            + "\"active_from\":\"2024-01-01T00:00:00.000000000Z\"}],\"b\":[{\"value\":1.5},{\"value\":3},"
            + "{\"value\":12345678901234},{\"value\":true},{\"value\":null}],\"a\":{\"z\":\"é\\u2028\\\"q\",\"y\":[]}}";

    @Test
    void hashIsStableAcrossReleases() throws Exception {
        // computed by the first release (tree -> sorted Map -> JSON bytes): hashes already in a mirror stay valid
        assertThat(ValuesHash.of(JSON.readTree(VALUES)))
                .isEqualTo("e313da199787ce030d37e756ba9f2e3ef7871faa768736f6407071477d256ccc");
    }

    @Test
    void attributeOrderDoesNotMatterButValuesDo() throws Exception {
        String reordered = "{\"a\":{\"y\":[],\"z\":\"é\\u2028\\\"q\"},\"b\":[{\"value\":1.5},{\"value\":3},"
                + "{\"value\":12345678901234},{\"value\":true},{\"value\":null}],\"name\":[{\"last_name\":\"Lovelace\","
                + "\"first_name\":\"Ada\",\"active_from\":\"2024-01-01T00:00:00.000000000Z\"}]}";
        assertThat(ValuesHash.of(reordered)).isEqualTo(ValuesHash.of(VALUES));
        assertThat(ValuesHash.of(VALUES.replace("Lovelace", "Byron"))).isNotEqualTo(ValuesHash.of(VALUES));
        assertThat(ValuesHash.of("{\"b\":[{\"value\":3},{\"value\":1.5}]}"))
                .as("array order is data").isNotEqualTo(ValuesHash.of("{\"b\":[{\"value\":1.5},{\"value\":3}]}"));
    }

    @Test
    void theCanonicalTextIsTheSameJsonWithSortedKeysAndHashesToTheSameHash() throws Exception {
        ValuesHash.Canonical canonical = ValuesHash.canonical(JSON.readTree(VALUES));

        assertThat(JSON.readTree(canonical.json())).isEqualTo(JSON.readTree(VALUES));
        assertThat(canonical.json()).startsWith("{\"a\":{\"y\":[],\"z\":")
                .contains("\"first_name\":\"Ada\",\"last_name\"");
        assertThat(canonical.hash()).isEqualTo("e313da199787ce030d37e756ba9f2e3ef7871faa768736f6407071477d256ccc")
                .as("the stored text hashes to the stored hash").isEqualTo(ValuesHash.of(canonical.json()));
    }
}
