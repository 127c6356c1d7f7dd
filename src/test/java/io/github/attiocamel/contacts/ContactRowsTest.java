package io.github.attiocamel.contacts;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContactRowsTest {

    @TempDir
    Path dir;

    private List<ContactRows.Row> read(String name, String content) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        List<ContactRows.Row> rows = new ArrayList<>();
        try (ContactRows.RowIterator it = ContactRows.open(file, ContactRows.formatOf(name))) {
            it.forEachRemaining(rows::add);
        }
        return rows;
    }

    @Test
    void csvHeadersWithDotsBuildNestedFieldsAndEmptyCellsAreLeftOut() throws Exception {
        List<ContactRows.Row> rows = read("a.csv", "email,company.domain,pipeline.stage,note.title\n"
                + "ada@acme.com,acme.com,Lead,\"Hello, world\"\nbob@gmail.com,,,\n");

        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).contact().toString()).isEqualTo(
                "{\"email\":\"ada@acme.com\",\"company\":{\"domain\":\"acme.com\"},\"pipeline\":{\"stage\":\"Lead\"},"
                        + "\"note\":{\"title\":\"Hello, world\"}}");
        assertThat(rows.get(1).contact().toString()).isEqualTo("{\"email\":\"bob@gmail.com\"}");
        assertThat(rows.get(1).rowNo()).isEqualTo(2);
    }

    @Test
    void ndjsonBadLinesAreRowErrorsAndBlankLinesAreSkipped() throws Exception {
        List<ContactRows.Row> rows = read("b.json", "{\"email\":\"a@b.com\"}\n\n{bad\n[1]\n{\"email\":\"c@d.com\"}");

        assertThat(rows).extracting(ContactRows.Row::rowNo).containsExactly(1, 2, 3, 4);
        assertThat(rows.get(1).error()).contains("not valid JSON");
        assertThat(rows.get(2).error()).isEqualTo("not a JSON object");
        assertThat(rows.get(3).contact().path("email").asText()).isEqualTo("c@d.com");
    }

    @Test
    void aJsonArrayIsStreamedAndABrokenOneFailsAsAWhole() throws Exception {
        assertThat(read("c.json", " [ {\"email\":\"a@b.com\"}, {\"email\":\"c@d.com\"} ] ")).hasSize(2);
        Path broken = dir.resolve("d.json");
        Files.writeString(broken, "[{\"email\":\"a@b.com\"}, {\"email\":");
        assertThatThrownBy(() -> ContactRows.count(broken, ContactRows.Format.JSON))
                .isInstanceOf(ContactRows.BatchFormatException.class);
    }
}
