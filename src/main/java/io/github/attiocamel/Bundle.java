package io.github.attiocamel;

import io.github.attiocamel.config.Profile;
import io.github.attiocamel.config.SettingsCheck;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListener;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

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

    /** Directory whose {@code *.camel.yaml} replace the packed routes; null keeps the packed ones. */
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
        main.configure().withRoutesIncludePattern(routesDir == null || routesDir.isBlank()
                ? packedRoutes()
                : "file:" + Path.of(routesDir).toAbsolutePath().normalize().toString().replace('\\', '/') + "/*.camel.yaml");
        overrides.forEach(main::addOverrideProperty);
        main.addMainListener(new SettingsCheck(profile, sandbox));
        listeners.forEach(main::addMainListener);
        return main;
    }

    /**
     * The packed routes by name when the classes come from a jar: Camel resolves a classpath wildcard by reading the
     * whole (shaded, 45 MB) jar entry by entry, about half a second of every start; the jar's directory lists them
     * at once. Anywhere else (classes directory, OSGi bundle) the wildcard.
     */
    static String packedRoutes() {
        try {
            java.security.CodeSource source = Bundle.class.getProtectionDomain().getCodeSource();
            Path location = source == null ? null : Path.of(source.getLocation().toURI());
            if (location != null && java.nio.file.Files.isRegularFile(location)) {
                try (java.util.jar.JarFile jar = new java.util.jar.JarFile(location.toFile())) {
                    List<String> routes = jar.stream().map(java.util.zip.ZipEntry::getName)
                            .filter(n -> n.startsWith("routes/") && n.endsWith(".camel.yaml") && n.indexOf('/', 7) < 0)
                            .sorted().map(n -> "classpath:" + n).toList();
                    if (!routes.isEmpty()) {
                        return String.join(",", routes);
                    }
                }
            }
        } catch (Exception notAJar) {
            // an unusual class source: Camel's own scan still finds the routes, only slower
        }
        return "classpath:routes/*.camel.yaml";
    }
}
