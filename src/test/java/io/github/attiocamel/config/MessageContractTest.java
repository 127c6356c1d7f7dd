package io.github.attiocamel.config;

import io.github.attiocamel.testing.SourceFiles;
import org.apache.camel.spi.Metadata;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The message contract is the whole truth: every header, property and variable a route or bean reads or sets is
 * declared in {@link MessageContract} (or is Camel's or HTTP's own), every variable a route reads is set by a YAML
 * step a reader sees, and no Java code sets one behind the routes' back.
 */
class MessageContractTest {

    private static final Path ROUTES = Path.of("routes");
    private static final Path MAIN = Path.of("src/main/java/io/github/attiocamel");
    private static final String NAME = "([A-Za-z][\\w-]*)";
    /** Headers HTTP and Camel define; the bundle sets or reads them but does not own them. */
    private static final Set<String> STANDARD_HEADERS = Set.of("Content-Type", "Accept", "Authorization",
            "Retry-After", "WWW-Authenticate", "Allow", "Location", "Cache-Control");

    private static final Pattern YAML_READ = Pattern.compile(
            "\\$\\{(variable|header|headers|exchangeProperty)(?:\\.|\\[)" + NAME);
    /** A name a step sets may hold dots (camel-kafka's kafka.KEY): it is written out whole, never followed by a path. */
    private static final Pattern YAML_SET = Pattern.compile(
            "\\b(setVariable|setHeader|setProperty):\\s*\\n(?:\\s+id: [\\w-]+\\n)?\\s+name: ([A-Za-z][\\w.-]*)");
    private static final Pattern YAML_VARIABLE_SEND = Pattern.compile("\\bvariable(?:Send|Receive): " + NAME);
    private static final Pattern JAVA_ANNOTATION = Pattern.compile(
            "@(Variable|Header|ExchangeProperty)\\((?:\"([^\"]+)\"|MessageContract\\.(\\w+)|(Exchange\\.\\w+))\\)");
    private static final Pattern JAVA_ACCESS = Pattern.compile(
            "\\.(getVariable|setVariable|getHeader|setHeader|removeHeader|getProperty|setProperty)\\("
                    + "(?:\"([^\"]+)\"|MessageContract\\.(\\w+))");

    @Test
    void everyNameARouteOrBeanUsesIsDeclared() {
        Map<String, String> declared = declared();
        List<String> undeclared = new ArrayList<>();
        for (Use use : uses()) {
            if (!declared.containsValue(use.name()) && !isCamelsOrHttps(use.name())) {
                undeclared.add(use.where() + ": " + use.kind() + " " + use.name());
            }
        }
        assertThat(undeclared).as("names not declared in MessageContract").isEmpty();
    }

    @Test
    void everyVariableIsSetByAStepOfTheRoutes() {
        Set<String> setInYaml = new TreeSet<>();
        for (Path file : routeFiles()) {
            Matcher m = YAML_SET.matcher(SourceFiles.read(file));
            while (m.find()) {
                if (m.group(1).equals("setVariable")) {
                    setInYaml.add(m.group(2));
                }
            }
        }
        List<String> unset = new ArrayList<>();
        for (Use use : uses()) {
            if (use.kind().equals("variable") && !setInYaml.contains(use.name())) {
                unset.add(use.where() + " reads variable " + use.name() + ", which no route sets");
            }
        }
        assertThat(unset).isEmpty();
    }

    @Test
    void noJavaCodeSetsAVariableOrOneOfOurHeaders() {
        List<String> hidden = new ArrayList<>();
        for (Path file : javaFiles()) {
            if (file.endsWith("MessageContract.java") || file.toString().contains("/sandbox/")) {
                continue;
            }
            Matcher m = JAVA_ACCESS.matcher(SourceFiles.read(file));
            while (m.find()) {
                String name = m.group(2) != null ? m.group(2) : "MessageContract." + m.group(3);
                boolean ours = m.group(3) != null || name.startsWith("Attio");
                if (m.group(1).equals("setVariable") || m.group(1).equals("setProperty")
                        || (m.group(1).equals("setHeader") && ours)) {
                    hidden.add(MAIN.relativize(file) + ": " + m.group(1) + "(" + name + ")");
                }
            }
            if (SourceFiles.read(file).contains("@Headers")) {
                hidden.add(MAIN.relativize(file) + ": writes into @Headers");
            }
        }
        assertThat(hidden).as("values set in Java where the routes do not show them").isEmpty();
    }

    @Test
    void everyDeclarationIsUsedAndDescribed() throws Exception {
        Set<String> used = new TreeSet<>();
        uses().forEach(u -> used.add(u.name()));
        List<String> problems = new ArrayList<>();
        for (Field field : MessageContract.class.getDeclaredFields()) {
            if (!Modifier.isStatic(field.getModifiers()) || field.getType() != String.class) {
                continue;
            }
            Metadata metadata = field.getAnnotation(Metadata.class);
            String value = (String) field.get(null);
            if (metadata == null || metadata.description().isBlank() || metadata.label().isBlank()) {
                problems.add(field.getName() + " has no @Metadata label and description");
            }
            if (!used.contains(value)) {
                problems.add(field.getName() + " (" + value + ") is declared but no route or bean uses it");
            }
        }
        assertThat(problems).isEmpty();
    }

    /** The scanner must be able to fail: an undeclared name in a route is found. */
    @Test
    void anUndeclaredNameIsFound() {
        List<Use> found = new ArrayList<>();
        scanYaml("probe.camel.yaml", "- setVariable:\n    name: Mystery\n    simple: \"${header.Unknown}\"\n", found);
        assertThat(found).extracting(Use::name).contains("Mystery", "Unknown");
        assertThat(declared().values()).doesNotContain("Mystery", "Unknown");
    }

    private record Use(String where, String kind, String name) {}

    private static List<Use> uses() {
        List<Use> uses = new ArrayList<>();
        for (Path file : routeFiles()) {
            scanYaml(ROUTES.relativize(file).toString(), SourceFiles.read(file), uses);
        }
        Map<String, String> declared = declared();
        for (Path file : javaFiles()) {
            // the simulator is Attio, not the bundle: its HTTP headers are Vert.x's, not messages'
            if (file.endsWith("MessageContract.java") || file.toString().contains("/sandbox/")) {
                continue;
            }
            String code = SourceFiles.read(file);
            String where = MAIN.relativize(file).toString();
            Matcher a = JAVA_ANNOTATION.matcher(code);
            while (a.find()) {
                String kind = a.group(1).equals("Variable") ? "variable"
                        : a.group(1).equals("Header") ? "header" : "property";
                if (a.group(4) != null) {
                    continue; // Camel's own Exchange constant
                }
                uses.add(new Use(where, kind, a.group(2) != null ? a.group(2) : declared.getOrDefault(a.group(3),
                        "MessageContract." + a.group(3) + " (no such constant)")));
            }
            Matcher m = JAVA_ACCESS.matcher(code);
            while (m.find()) {
                String kind = m.group(1).contains("Variable") ? "variable"
                        : m.group(1).contains("Header") ? "header" : "property";
                uses.add(new Use(where, kind, m.group(2) != null ? m.group(2) : declared.getOrDefault(m.group(3),
                        "MessageContract." + m.group(3) + " (no such constant)")));
            }
        }
        return uses;
    }

    private static void scanYaml(String where, String yaml, List<Use> uses) {
        Matcher read = YAML_READ.matcher(yaml);
        while (read.find()) {
            String kind = read.group(1).startsWith("header") ? "header"
                    : read.group(1).equals("variable") ? "variable" : "property";
            uses.add(new Use(where, kind, read.group(2)));
        }
        Matcher set = YAML_SET.matcher(yaml);
        while (set.find()) {
            String kind = set.group(1).equals("setVariable") ? "variable"
                    : set.group(1).equals("setHeader") ? "header" : "property";
            uses.add(new Use(where, kind, set.group(2)));
        }
        Matcher send = YAML_VARIABLE_SEND.matcher(yaml);
        while (send.find()) {
            uses.add(new Use(where, "variable", send.group(1)));
        }
    }

    private static boolean isCamelsOrHttps(String name) {
        return name.startsWith("Camel") || STANDARD_HEADERS.contains(name);
    }

    /** Constant name -> value. */
    private static Map<String, String> declared() {
        Map<String, String> names = new LinkedHashMap<>();
        for (Field field : MessageContract.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                try {
                    names.put(field.getName(), (String) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return names;
    }

    private static List<Path> routeFiles() {
        return SourceFiles.list(ROUTES, ".camel.yaml");
    }

    private static List<Path> javaFiles() {
        return SourceFiles.list(MAIN, ".java");
    }

}
