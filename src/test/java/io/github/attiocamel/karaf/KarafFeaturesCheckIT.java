package io.github.attiocamel.karaf;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What can be checked here of the thin feature, whose camel-karaf 4.18.x bundles are not served on this machine:
 * both features files validate against Karaf 4.4.10's features XSD; every feature they name is published by
 * camel-karaf (its 4.14.5 features file, the newest served) or by Karaf itself; and every mandatory Import-Package
 * of the thin bundle is exported by a bundle of those features, of our feature, or of Karaf 4.4.10. Camel's own
 * packages are taken from the org.apache.camel 4.18.0 jars that camel-karaf repackages one to one
 * (camel-X -> org.apache.camel.karaf/camel-X), so their export version is assumed to be 4.18.0.
 */
class KarafFeaturesCheckIT {

    private static final Path TARGET = Path.of(System.getProperty("project.build.directory", "target"));
    private static final Path THIN_FEATURES = TARGET.resolve("karaf/features.xml");
    private static final Path STANDALONE_FEATURES = TARGET.resolve("karaf/features-standalone.xml");
    private static final Path CAMEL_KARAF = TARGET.resolve("karaf-it/camel-karaf-features.xml");
    private static final Path CAMEL_KARAF_SPRING = TARGET.resolve("karaf-it/camel-karaf-spring-features.xml");
    private static final Path M2 = Path.of(System.getProperty("user.home"), ".m2/repository");
    private static final String CAMEL_VERSION = "4.18.0";

    @Test
    void featuresFilesValidateAgainstKarafsXsd() throws Exception {
        Path xsd = TARGET.resolve("karaf-it/xsd/org/apache/karaf/features/karaf-features-1.6.0.xsd");
        var validator = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI).newSchema(xsd.toFile()).newValidator();
        for (Path features : List.of(THIN_FEATURES, STANDALONE_FEATURES)) {
            validator.validate(new StreamSource(features.toFile()));
        }
    }

    @Test
    void everyNamedFeatureIsPublishedByCamelKarafOrKaraf() throws Exception {
        Map<String, Element> published = new HashMap<>(features(parse(CAMEL_KARAF)));
        published.putAll(features(parse(CAMEL_KARAF_SPRING)));
        published.putAll(features(parse(karafStandardFeatures())));
        Set<String> ours = features(parse(THIN_FEATURES)).keySet();

        List<String> named = new ArrayList<>();
        for (Element feature : features(parse(THIN_FEATURES)).values()) {
            for (Element dependency : children(feature, "feature")) {
                named.add(dependency.getTextContent().trim());
            }
        }
        assertThat(named).contains("camel-core", "camel-yaml-dsl", "camel-http", "camel-jackson", "camel-caffeine",
                "camel-resilience4j", "camel-quartz", "camel-platform-http-main");
        assertThat(named).allSatisfy(name -> assertThat(published.containsKey(name) || ours.contains(name))
                .as("feature %s is published by camel-karaf 4.14.5 or Karaf 4.4.10", name).isTrue());
    }

    @Test
    void thinBundleImportsAreExportedByTheFeaturesItInstalls() throws Exception {
        Map<String, List<String>> exports = new HashMap<>();     // package -> versions exported
        Map<String, String> exporter = new HashMap<>();          // package -> where it came from
        List<String> unverifiable = new ArrayList<>();

        // Karaf 4.4.10 itself: the framework's system packages, and every bundle of its system repository
        Path karaf = karafHome();
        systemPackages(karaf).forEach(p -> export(p, "0.0.0", "Karaf system bundle", exports, exporter));
        try (Stream<Path> jars = Files.walk(karaf.resolve("system"))) {
            jars.filter(p -> p.toString().endsWith(".jar")).forEach(j -> addExports(j, false, null, exports, exporter));
        }

        // the bundles of the features we name, resolved through camel-karaf's features file, transitively
        List<Element> camelKaraf = new ArrayList<>(children(parse(CAMEL_KARAF).getDocumentElement(), "feature"));
        camelKaraf.addAll(children(parse(CAMEL_KARAF_SPRING).getDocumentElement(), "feature"));
        Element ours = features(parse(THIN_FEATURES)).get("attio-camel");
        Deque<Element> todo = new ArrayDeque<>(List.of(ours));
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            Element feature = todo.pop();
            for (Element dependency : children(feature, "feature")) {
                Element next = pick(camelKaraf, dependency.getTextContent().trim(), dependency.getAttribute("version"));
                if (next != null && seen.add(next.getAttribute("name") + "/" + next.getAttribute("version"))) {
                    todo.push(next);
                }
            }
            for (Element bundle : children(feature, "bundle")) {
                String url = bundle.getTextContent().trim();
                if (url.contains("io.github.attiocamel")) {
                    continue;
                }
                if (!addBundle(url, exports, exporter)) {
                    unverifiable.add(url);
                }
            }
        }

        Map<String, String> unsatisfied = new TreeMap<>();
        Map<String, String> report = new TreeMap<>();
        for (Map.Entry<String, String> clause : clauses(thinManifest().getMainAttributes().getValue("Import-Package"))) {
            String pkg = clause.getKey();
            String attributes = clause.getValue();
            if (attributes.contains("resolution:=optional") || pkg.startsWith("java.")) {
                continue;
            }
            String range = attribute(attributes, "version");
            List<String> versions = exports.get(pkg);
            if (versions == null) {
                unsatisfied.put(pkg, "no exporter");
            } else if (range != null && versions.stream().noneMatch(v -> inRange(v, range))) {
                unsatisfied.put(pkg, "exported at " + versions + " by " + exporter.get(pkg) + ", import needs " + range);
            } else {
                report.put(pkg, versions + " from " + exporter.get(pkg));
            }
        }
        System.out.println("[karaf-check] thin bundle imports satisfied:");
        report.forEach((pkg, from) -> System.out.println("  " + pkg + " <- " + from));
        System.out.println("[karaf-check] feature bundles whose jar is not served here (exports not checked): " + unverifiable.size());
        unverifiable.forEach(u -> System.out.println("  " + u));
        assertThat(report).isNotEmpty();
        assertThat(unsatisfied).as("mandatory imports of the thin bundle nothing exports").isEmpty();
    }

    /** Adds a features-file bundle URL's exports; false when its jar cannot be found here. */
    private static boolean addBundle(String url, Map<String, List<String>> exports, Map<String, String> exporter) {
        boolean wrapped = url.startsWith("wrap:");
        Matcher m = Pattern.compile("mvn:([^/]+)/([^/]+)/([^/$]+)").matcher(url);
        if (!m.find()) {
            return false;
        }
        String group = m.group(1);
        String artifact = m.group(2);
        String version = m.group(3);
        if (group.equals("org.apache.camel.karaf") && artifact.startsWith("camel-")) {
            // camel-karaf repackages org.apache.camel:camel-X one to one; its 4.18 bundles are not served here
            Path jar = m2("org.apache.camel", artifact, CAMEL_VERSION);
            return jar != null && addExports(jar, true, CAMEL_VERSION, exports, exporter);
        }
        Path jar = m2(group, artifact, version);
        if (jar == null) {
            // the exact version is not served here: the same artifact of our own build stands in for it
            jar = classpathJar(artifact);
        }
        return jar != null && addExports(jar, wrapped, wrapped ? version : null, exports, exporter);
    }

    /** Export-Package of a bundle, or every package of a plain jar (camel-karaf and wrap: export them all). */
    private static void export(String pkg, String version, String from, Map<String, List<String>> exports,
                               Map<String, String> exporter) {
        exports.computeIfAbsent(pkg, k -> new ArrayList<>()).add(version);
        exporter.putIfAbsent(pkg, from);
    }

    private static boolean addExports(Path jar, boolean allPackages, String version, Map<String, List<String>> exports,
                                      Map<String, String> exporter) {
        try (JarFile file = new JarFile(jar.toFile())) {
            if (allPackages) {
                file.stream().map(e -> e.getName())
                        .filter(n -> n.endsWith(".class") && n.contains("/") && !n.startsWith("META-INF"))
                        .map(n -> n.substring(0, n.lastIndexOf('/')).replace('/', '.'))
                        .distinct()
                        .forEach(p -> export(p, version, jar.getFileName().toString(), exports, exporter));
                return true;
            }
            Manifest manifest = file.getManifest();
            String header = manifest == null ? null : manifest.getMainAttributes().getValue("Export-Package");
            if (header != null) {
                for (Map.Entry<String, String> clause : clauses(header)) {
                    String v = attribute(clause.getValue(), "version");
                    export(clause.getKey(), v == null ? "0.0.0" : v, jar.getFileName().toString(), exports, exporter);
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Packages of the framework's system bundle as etc/jre.properties lists them (all Java levels: a superset). */
    private static Set<String> systemPackages(Path karaf) throws IOException {
        Set<String> packages = new HashSet<>();
        Matcher m = Pattern.compile("(?m)^\\s+([a-z][\\w.]*)\\s*(?:;[^,\\n]*)?,?\\s*\\\\?$")
                .matcher(Files.readString(karaf.resolve("etc/jre.properties")));
        while (m.find()) {
            packages.add(m.group(1));
        }
        assertThat(packages).as("system packages in etc/jre.properties").contains("javax.sql", "javax.net.ssl");
        return packages;
    }

    /** Manifest header clauses as (package, attributes) pairs; a package may repeat (pax-logging exports several). */
    static List<Map.Entry<String, String>> clauses(String header) {
        List<Map.Entry<String, String>> clauses = new ArrayList<>();
        if (header == null) {
            return clauses;
        }
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (char c : (header + ",").toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                String[] parts = current.toString().trim().split(";", 2);
                for (String pkg : parts[0].split(";")) {
                    if (!pkg.isBlank()) {
                        clauses.add(Map.entry(pkg.trim(), parts.length > 1 ? parts[1] : ""));
                    }
                }
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        return clauses;
    }

    private static String attribute(String attributes, String name) {
        Matcher m = Pattern.compile("(?:^|;)\\s*" + name + "=\"?([^\";]+)\"?").matcher(attributes);
        return m.find() ? m.group(1) : null;
    }

    static boolean inRange(String version, String range) {
        if (!range.startsWith("[") && !range.startsWith("(")) {
            return compare(version, range) >= 0;
        }
        String[] bounds = range.substring(1, range.length() - 1).split(",");
        int low = compare(version, bounds[0]);
        int high = compare(version, bounds[1]);
        return (range.startsWith("[") ? low >= 0 : low > 0) && (range.endsWith("]") ? high <= 0 : high < 0);
    }

    private static int compare(String a, String b) {
        String[] x = a.trim().split("[.-]");
        String[] y = b.trim().split("[.-]");
        for (int i = 0; i < 3; i++) {
            int p = i < x.length && x[i].matches("\\d+") ? Integer.parseInt(x[i]) : 0;
            int q = i < y.length && y[i].matches("\\d+") ? Integer.parseInt(y[i]) : 0;
            if (p != q) {
                return Integer.compare(p, q);
            }
        }
        return 0;
    }

    private static Path classpathJar(String artifact) {
        Pattern name = Pattern.compile(".*/" + Pattern.quote(artifact) + "-\\d[^/]*\\.jar");
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (name.matcher(entry).matches()) {
                return Path.of(entry);
            }
        }
        return null;
    }

    private static Path m2(String group, String artifact, String version) {
        Path jar = M2.resolve(group.replace('.', '/')).resolve(artifact).resolve(version).resolve(artifact + "-" + version + ".jar");
        return Files.isRegularFile(jar) ? jar : null;
    }

    private static Manifest thinManifest() throws IOException {
        Path jar = TARGET.resolve("attio-camel-" + System.getProperty("project.version") + "-karaf.jar");
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getManifest();
        }
    }

    private static Path karafHome() throws IOException {
        try (Stream<Path> children = Files.list(Path.of(System.getProperty("karaf.dist")))) {
            return children.filter(p -> p.getFileName().toString().startsWith("apache-karaf-")).findFirst().orElseThrow();
        }
    }

    private static Path karafStandardFeatures() throws IOException {
        try (Stream<Path> files = Files.walk(karafHome().resolve("system/org/apache/karaf/features/standard"))) {
            return files.filter(p -> p.toString().endsWith("-features.xml")).findFirst().orElseThrow();
        }
    }

    /** The feature of that name whose version is in the range (Karaf's rule), else the newest of that name. */
    private static Element pick(List<Element> features, String name, String range) {
        Element best = null;
        for (Element f : features) {
            if (!f.getAttribute("name").equals(name)) {
                continue;
            }
            String version = f.getAttribute("version");
            if (!range.isBlank() && !inRange(version, range.startsWith("[4.18") ? "[4.14,4.19)" : range)) {
                continue;
            }
            if (best == null || compare(version, best.getAttribute("version")) > 0) {
                best = f;
            }
        }
        return best;
    }

    private static Document parse(Path xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(xml.toFile());
    }

    private static Map<String, Element> features(Document document) {
        Map<String, Element> features = new HashMap<>();
        for (Element feature : children(document.getDocumentElement(), "feature")) {
            features.putIfAbsent(feature.getAttribute("name"), feature);
        }
        return features;
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> result = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            // any features namespace version: Karaf's standard file and camel-karaf's may differ from ours
            if (nodes.item(i) instanceof Element e && name.equals(e.getLocalName())) {
                result.add(e);
            }
        }
        return result;
    }
}
