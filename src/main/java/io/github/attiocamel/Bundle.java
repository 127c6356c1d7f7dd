package io.github.attiocamel;

import io.github.attiocamel.config.Profile;
import io.github.attiocamel.config.SettingsCheck;
import io.github.attiocamel.config.StartupException;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListener;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * How the bundle is assembled, shared by {@link Application} and the test harness so tests boot exactly what runs
 * in production: packed defaults, the profile layer, an external config directory over both, YAML routes from the
 * jar or {@code ROUTES_DIR}, configuration classes listed in {@code camel.main.configuration-classes}.
 */
public final class Bundle {

    private Profile profile = Profile.DEVELOPMENT;
    private Path configDir = Path.of("config");
    private String routesDir;
    private boolean sandbox;
    private final Map<String, String> overrides = new LinkedHashMap<>();
    private final List<MainListener> listeners = new ArrayList<>();

    public Bundle profile(Profile profile) {
        this.profile = profile;
        return this;
    }

    /** Directory whose {@code application.properties} / {@code application-<profile>.properties} override the packed ones. */
    public Bundle configDir(Path configDir) {
        this.configDir = configDir;
        return this;
    }

    /**
     * Directory whose {@code *.camel.yaml} are loaded beside the packed routes, a file named like a packed one in its
     * place (so an estate adds its own routes and edits a flow by copying one file); null: the packed ones alone.
     */
    public Bundle routesDir(String routesDir) {
        this.routesDir = routesDir;
        return this;
    }

    /** Sandbox: the API key comes from the in-process simulator, so its absence is not an error. */
    public Bundle sandbox(boolean sandbox) {
        this.sandbox = sandbox;
        return this;
    }

    /** Wins over every file and environment variable (sandbox wiring, tests). */
    public Bundle override(String key, String value) {
        overrides.put(key, value);
        return this;
    }

    /** Called around Camel's lifecycle (sandbox banner and simulator shutdown). */
    public Bundle listener(MainListener listener) {
        listeners.add(listener);
        return this;
    }

    public Profile profile() {
        return profile;
    }

    public Main build() {
        // new Main() rather than new Main(Application.class): the latter turns on classpath scanning, which OSGi breaks
        return build(new Main());
    }

    /** Assembles the given Main: the Karaf activator passes one that creates an OSGi-aware CamelContext. */
    public Main build(Main main) {
        String external = configDir.toAbsolutePath().normalize().toString().replace('\\', '/');
        // the first location holding a key wins: external profile > external defaults > packed profile > packed
        main.setDefaultPropertyPlaceholderLocation(String.join(",",
                "file:" + external + "/application-" + profile.fileSuffix() + ".properties;optional=true",
                "file:" + external + "/application.properties;optional=true",
                "classpath:config/application-" + profile.fileSuffix() + ".properties;optional=true",
                "classpath:config/application.properties"));
        main.configure().withRoutesIncludePattern(routesDir == null || routesDir.isBlank() ? packedRoutes(Set.of())
                : packedRoutes(routeFiles(routesDir)) + "," + routesDirPattern(routesDir));
        overrides.forEach(main::addOverrideProperty);
        main.addMainListener(new SettingsCheck(profile, sandbox));
        listeners.forEach(main::addMainListener);
        return main;
    }

    /**
     * The packed routes by name, but those {@code replaced}: from the jar's directory when the classes come from a
     * jar (Camel resolves a classpath wildcard by reading the whole shaded jar entry by entry, about half a second of
     * every start), or from the classes directory. Anywhere else (an OSGi bundle) the wildcard.
     */
    static String packedRoutes(Set<String> replaced) {
        List<String> names = packedRouteNames();
        if (names.isEmpty()) {
            return "classpath:routes/*.camel.yaml";
        }
        return String.join(",", names.stream().filter(n -> !replaced.contains(n)).map(n -> "classpath:routes/" + n)
                .toList());
    }

    private static List<String> packedRouteNames() {
        try {
            java.security.CodeSource source = Bundle.class.getProtectionDomain().getCodeSource();
            Path location = source == null ? null : Path.of(source.getLocation().toURI());
            if (location != null && Files.isRegularFile(location)) {
                try (java.util.jar.JarFile jar = new java.util.jar.JarFile(location.toFile())) {
                    return jar.stream().map(java.util.zip.ZipEntry::getName)
                            .filter(n -> n.startsWith("routes/") && n.endsWith(".camel.yaml") && n.indexOf('/', 7) < 0)
                            .map(n -> n.substring("routes/".length())).sorted().toList();
                }
            }
            if (location != null && Files.isDirectory(location.resolve("routes"))) {
                return routeFiles(location.resolve("routes")).stream().sorted().toList();
            }
        } catch (Exception unusualSource) {
            // an unusual class source: Camel's own scan still finds the routes, only slower
        }
        return List.of();
    }

    /** The route files of ROUTES_DIR, by name: those replace the packed files of the same name. */
    public static Set<String> routeFiles(String routesDir) {
        Path dir = Path.of(routesDir);
        if (!Files.isDirectory(dir)) {
            throw new StartupException("ROUTES_DIR " + dir.toAbsolutePath() + " is not a directory");
        }
        return routeFiles(dir);
    }

    /** The include pattern of ROUTES_DIR's route files. */
    public static String routesDirPattern(String routesDir) {
        return "file:" + Path.of(routesDir).toAbsolutePath().normalize().toString().replace('\\', '/') + "/*.camel.yaml";
    }

    private static Set<String> routeFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".camel.yaml"))
                    .collect(Collectors.toSet());
        } catch (IOException e) {
            throw new StartupException("ROUTES_DIR " + dir.toAbsolutePath() + " cannot be listed: " + e.getMessage());
        }
    }
}
