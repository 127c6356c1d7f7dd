package io.github.attiocamel;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One home per flow: every package of the bundle may use only the packages below it. The ground floor (gateway,
 * store, api, config) knows no flow; a flow (webhook, contacts, sync, mirror) uses the ground floor and, where it
 * writes or reads the local mirror, the mirror's public classes, never another flow; the simulator and the Karaf
 * activator stand apart. Package-private classes keep each flow's internals inside it; this test keeps the public
 * ones from becoming a web.
 */
class PackageLayersTest {

    private static final Path MAIN = Path.of("src/main/java/io/github/attiocamel");
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.github\\.attiocamel\\.(\\w+)\\.[A-Z]");

    /** Package -> the bundle packages it may use (its own always). The root package assembles everything. */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("store", Set.of()),
            Map.entry("config", Set.of()),
            Map.entry("gateway", Set.of("config")),
            Map.entry("api", Set.of("gateway", "config")),
            Map.entry("mirror", Set.of("store", "api", "config")),
            Map.entry("webhook", Set.of("mirror", "gateway", "store", "api", "config")),
            Map.entry("sync", Set.of("mirror", "gateway", "store", "api", "config")),
            Map.entry("contacts", Set.of("mirror", "gateway", "store", "api", "config")),
            Map.entry("sandbox", Set.of()),
            Map.entry("karaf", Set.of("", "config")));

    @Test
    void everyPackageUsesOnlyThePackagesBelowIt() {
        List<String> violations = new ArrayList<>();
        for (Path file : javaFiles(MAIN)) {
            String from = packageOf(file);
            if (from.isEmpty()) {
                continue;
            }
            assertThat(ALLOWED).as("the layer of package %s is declared in this test", from).containsKey(from);
            for (String to : referencedPackages(file)) {
                if (!to.equals(from) && !ALLOWED.get(from).contains(to)) {
                    violations.add(MAIN.relativize(file) + " uses " + (to.isEmpty() ? "the root package" : to));
                }
            }
        }
        assertThat(violations).as("uses that cross the layers").isEmpty();
    }

    @Test
    void theServicePackageOfEveryFlowIsGone() {
        assertThat(MAIN.resolve("service")).doesNotExist();
    }

    /** The test itself must be able to fail: a reference up the layers is found. */
    @Test
    void aReferenceUpTheLayersIsFound() throws IOException {
        Path probe = Files.createTempFile("Probe", ".java");
        try {
            Files.writeString(probe, "package io.github.attiocamel.gateway;\n"
                    + "import io.github.attiocamel.webhook.WebhookInboxService;\n"
                    + "class Probe { io.github.attiocamel.sync.FullSyncService s; }\n");
            assertThat(referencedPackages(probe)).contains("webhook", "sync");
        } finally {
            Files.delete(probe);
        }
    }

    private static String packageOf(Path file) {
        Path dir = MAIN.relativize(file).getParent();
        return dir == null ? "" : dir.toString().replace('/', '.');
    }

    /** Bundle packages named by imports or fully qualified names in the code (comments and strings excluded). */
    private static Set<String> referencedPackages(Path file) {
        String code;
        try {
            code = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        code = code.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "")
                .replaceAll("\"[^\"\\\\\\n]*+(?:\\\\.[^\"\\\\\\n]*+)*+\"", "\"\"");
        Set<String> packages = new TreeSet<>();
        Matcher m = REFERENCE.matcher(code);
        while (m.find()) {
            packages.add(m.group(1));
        }
        // classes of the root package are named with a capital right after the prefix
        if (Pattern.compile("\\bio\\.github\\.attiocamel\\.[A-Z]").matcher(code).find()) {
            packages.add("");
        }
        return packages;
    }

    private static List<Path> javaFiles(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
