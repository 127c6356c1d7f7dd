package io.github.attiocamel.config;

import io.github.attiocamel.testing.SourceFiles;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every default lives once, in config/application.properties: no YAML placeholder carries a default of its own, no
 * Java code falls back to a value when a key is missing, and every key the routes and configuration classes ask
 * for exists there (with a comment saying why).
 */
class SettingsOnceTest {

    private static final Path PROPERTIES = Path.of("config/application.properties");
    private static final Path ROUTES = Path.of("routes");
    private static final Path MAIN = Path.of("src/main/java/io/github/attiocamel");
    /** Keys the gateway derives from the rate budgets at start-up, for the routes only. */
    private static final Set<String> DERIVED = Set.of("attio.gateway.read-permits", "attio.gateway.write-permits",
            "attio.gateway.slice-millis");

    /** A route template's parameters block, and the names it declares. */
    private static final Pattern TEMPLATE_PARAMETERS = Pattern.compile("(?s)- routeTemplate:.*?\\n\\s+parameters:\\n(.*?)\\n\\s+route:");
    private static final Pattern TEMPLATE_PARAMETER = Pattern.compile("(?m)^\\s+- name: (\\S+)$");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([\\w.-]+)(?::([^}]*))?}}");
    private static final Pattern PROPERTY_INJECT = Pattern.compile("@PropertyInject\\(([^)]*)\\)");
    private static final Pattern FALLBACK = Pattern.compile(
            "resolveProperty\\([^;]*?\\.(orElse|orElseGet)\\(", Pattern.DOTALL);

    @Test
    void noYamlPlaceholderCarriesADefault() {
        List<String> defaults = new ArrayList<>();
        for (Path file : SourceFiles.list(ROUTES, ".camel.yaml")) {
            Matcher m = PLACEHOLDER.matcher(SourceFiles.read(file));
            while (m.find()) {
                if (m.group(2) != null && !m.group(1).equals("env")) {
                    defaults.add(file.getFileName() + ": {{" + m.group(1) + ":" + m.group(2) + "}}");
                }
            }
        }
        assertThat(defaults).as("defaults written in routes instead of config/application.properties").isEmpty();
    }

    @Test
    void noJavaCodeFallsBackToADefault() {
        List<String> fallbacks = new ArrayList<>();
        for (Path file : SourceFiles.list(MAIN, ".java")) {
            String code = SourceFiles.read(file);
            Matcher inject = PROPERTY_INJECT.matcher(code);
            while (inject.find()) {
                if (inject.group(1).contains("defaultValue")) {
                    fallbacks.add(MAIN.relativize(file) + ": @PropertyInject(" + inject.group(1) + ")");
                }
            }
            Matcher fallback = FALLBACK.matcher(code);
            while (fallback.find()) {
                fallbacks.add(MAIN.relativize(file) + ": resolveProperty(...)." + fallback.group(1) + "(...)");
            }
        }
        assertThat(fallbacks).as("defaults written in Java instead of config/application.properties").isEmpty();
    }

    @Test
    void everyKeyTheBundleReadsIsInTheProperties() {
        Properties defaults = properties();
        Set<String> missing = new TreeSet<>();
        for (Path file : SourceFiles.list(ROUTES, ".camel.yaml")) {
            // what a comment shows is not read, and a route template's {{parameter}} is the template's, not a setting
            String routes = SourceFiles.read(file).replaceAll("(?m)^\\s*#.*$", "");
            Set<String> parameters = new TreeSet<>();
            Matcher block = TEMPLATE_PARAMETERS.matcher(routes);
            while (block.find()) {
                Matcher name = TEMPLATE_PARAMETER.matcher(block.group(1));
                while (name.find()) {
                    parameters.add(name.group(1));
                }
            }
            Matcher m = PLACEHOLDER.matcher(routes);
            while (m.find()) {
                if (!m.group(1).equals("env") && !DERIVED.contains(m.group(1)) && !defaults.containsKey(m.group(1))
                        && !parameters.contains(m.group(1))) {
                    missing.add(file.getFileName() + ": " + m.group(1));
                }
            }
        }
        for (Path file : SourceFiles.list(MAIN, ".java")) {
            Matcher inject = PROPERTY_INJECT.matcher(SourceFiles.read(file));
            while (inject.find()) {
                String key = inject.group(1).replaceAll("^(value\\s*=\\s*)?\"([^\"]+)\".*$", "$2");
                if (!defaults.containsKey(key)) {
                    missing.add(MAIN.relativize(file) + ": " + key);
                }
            }
        }
        assertThat(missing).as("keys read but not defined in config/application.properties").isEmpty();
    }

    @Test
    void everyKeyInThePropertiesIsCommented() throws IOException {
        List<String> lines = Files.readAllLines(PROPERTIES);
        List<String> bare = new ArrayList<>();
        boolean commented = false;
        for (String line : lines) {
            String trimmed = line.trim();
            if (trimmed.startsWith("#")) {
                commented = true;
            } else if (trimmed.isEmpty()) {
                commented = false;
            } else if (!line.startsWith(" ") && trimmed.contains("=")) {
                if (!commented) {
                    bare.add(trimmed);
                }
                // a comment covers the group of keys right below it
            }
        }
        assertThat(bare).as("keys without a comment above their group").isEmpty();
    }

    /** The checks must be able to fail. */
    @Test
    void aDefaultInARouteOrInJavaIsFound() {
        assertThat(PLACEHOLDER.matcher("\"{{attio.sync.cron:0 0 2 * * ?}}\"").results().map(r -> r.group(2)))
                .containsExactly("0 0 2 * * ?");
        assertThat(FALLBACK.matcher("pc.resolveProperty(\"attio.x\")\n    .orElse(\"8\")").find()).isTrue();
    }

    private static Properties properties() {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(PROPERTIES)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

}
