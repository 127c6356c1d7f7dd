package io.github.attiocamel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's sample requests are what the sandbox answers: every {@code bash} block marked with {@link #MARKER}
 * is run, in README order, against one {@code --sandbox} started in-process, and each answer is compared with the
 * {@code # <status> <json>} lines under its command (same status, same keys at every level, same values; the string
 * {@code "..."} stands for any value, such as an id). Parsed from the README itself, so the two cannot drift apart.
 */
class ReadmeExamplesTest {

    static final String MARKER = "<!-- sandbox-example: ReadmeExamplesTest runs it -->";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ANSWER = Pattern.compile("^# (\\d{3})(?: (.*))?$");
    private static final Pattern URL = Pattern.compile("localhost:8080(/[^\\s'\"]*)");
    private static final Pattern METHOD = Pattern.compile("-X ?([A-Z]+)");
    private static final Pattern BODY = Pattern.compile("-d '(.*?)'", Pattern.DOTALL);
    private static final Pattern TOKEN = Pattern.compile("Bearer (\\$BUNDLE_API_TOKEN|sandbox-api-token)");

    record Example(String command, int status, String answer) {}

    @Test
    void everyMarkedExampleAnswersWhatTheReadmeShows() throws Exception {
        List<Example> examples = examples(Files.readString(Path.of("README.md")));
        assertThat(examples).as("marked examples in README.md").hasSizeGreaterThanOrEqualTo(4);
        try (SandboxRun sandbox = SandboxRun.start(Files.createTempDirectory("attio-readme-"))) {
            for (Example example : examples) {
                assertThat(TOKEN.matcher(example.command()).find()).as("sends the API token: " + example.command())
                        .isTrue();
                Matcher url = URL.matcher(example.command());
                assertThat(url.find()).as("a localhost:8080 URL in " + example.command()).isTrue();
                Matcher body = BODY.matcher(example.command());
                String json = body.find() ? body.group(1) : null;
                Matcher method = METHOD.matcher(example.command());
                String verb = method.find() ? method.group(1) : json == null ? "GET" : "POST";
                HttpResponse<String> answer = sandbox.api(verb, url.group(1), json == null && "POST".equals(verb)
                        ? "" : json);
                assertThat(answer.statusCode()).as(example.command() + "\n answered " + answer.body())
                        .isEqualTo(example.status());
                if (example.answer() != null) {
                    List<String> differences = new ArrayList<>();
                    compare("$", JSON.readTree(example.answer()), JSON.readTree(answer.body()), differences);
                    assertThat(differences).as(example.command() + "\n answered " + answer.body()
                            + "\n README shows " + example.answer()).isEmpty();
                }
            }
        }
    }

    /** The marked blocks' commands, each followed by its {@code # <status> <json>} answer lines. */
    static List<Example> examples(String readme) {
        List<Example> examples = new ArrayList<>();
        String[] lines = readme.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].strip().equals(MARKER)) {
                continue;
            }
            assertThat(lines[i + 1]).as("line after the marker opens a bash block").isEqualTo("```bash");
            StringBuilder command = new StringBuilder();
            int j = i + 2;
            for (; !lines[j].equals("```"); j++) {
                Matcher answer = ANSWER.matcher(lines[j]);
                if (!answer.matches()) {
                    command.append(lines[j]).append('\n');
                    continue;
                }
                StringBuilder json = new StringBuilder(answer.group(2) == null ? "" : answer.group(2));
                while (lines[j + 1].startsWith("#  ")) {
                    json.append(lines[++j].substring(1).strip());
                }
                examples.add(new Example(command.toString().strip(), Integer.parseInt(answer.group(1)),
                        json.isEmpty() ? null : json.toString()));
                command.setLength(0);
            }
            assertThat(command.toString().strip()).as("a command without its answer line").isEmpty();
            i = j;
        }
        return examples;
    }

    private static void compare(String at, JsonNode shown, JsonNode actual, List<String> differences) {
        if (shown.isTextual() && shown.asText().equals("...")) {
            if (actual == null || actual.isMissingNode() || actual.isNull()) {
                differences.add(at + ": missing");
            }
            return;
        }
        if (shown.isObject() && actual.isObject()) {
            TreeSet<String> shownKeys = new TreeSet<>();
            shown.fieldNames().forEachRemaining(shownKeys::add);
            TreeSet<String> actualKeys = new TreeSet<>();
            actual.fieldNames().forEachRemaining(actualKeys::add);
            if (!shownKeys.equals(actualKeys)) {
                differences.add(at + ": keys " + actualKeys + ", README shows " + shownKeys);
            }
            for (Iterator<String> keys = shown.fieldNames(); keys.hasNext(); ) {
                String key = keys.next();
                if (actual.has(key)) {
                    compare(at + "." + key, shown.get(key), actual.get(key), differences);
                }
            }
            return;
        }
        if (shown.isArray() && actual.isArray() && shown.size() == actual.size()) {
            for (int i = 0; i < shown.size(); i++) {
                compare(at + "[" + i + "]", shown.get(i), actual.get(i), differences);
            }
            return;
        }
        if (!shown.equals(actual)) {
            differences.add(at + ": " + actual + ", README shows " + shown);
        }
    }
}
