package io.github.attiocamel.karaf;

import io.github.attiocamel.Bundle;
import io.github.attiocamel.config.Profile;
import org.apache.camel.main.Main;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ManagedService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URL;
import java.sql.Driver;
import java.sql.DriverManager;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs the bundle in Apache Karaf: the same {@link Bundle} assembly, configuration classes and YAML routes as
 * {@code java -jar}, configured through Config Admin (PID {@value #PID}, {@code etc/io.github.attiocamel.cfg}).
 * Every configuration update restarts Camel with the new settings; stopping the bundle stops Camel, which closes
 * the HTTP servers, the store and every thread they started, so the bundle can be uninstalled and reinstalled.
 *
 * <p>Config Admin values take the place of the external {@code config/} directory of the standalone jar and win
 * over packed defaults, profile files and environment variables; blank values are skipped so a key left empty
 * in the cfg keeps its default (or its environment variable). Two keys are Karaf's names for the jar's
 * environment switches: {@code attio.profile} ({@code ATTIO_PROFILE}) and {@code attio.routes-dir}
 * ({@code ROUTES_DIR}).
 */
public final class KarafActivator implements BundleActivator, ManagedService {

    public static final String PID = "io.github.attiocamel";
    static final String PROFILE_KEY = "attio.profile";
    static final String ROUTES_DIR_KEY = "attio.routes-dir";
    /** Set by Config Admin and Felix FileInstall; not settings of ours. */
    private static final Set<String> FRAMEWORK_KEYS = Set.of(Constants.SERVICE_PID, "service.factoryPid",
            "service.bundleLocation", "felix.fileinstall.filename");

    private static final Logger LOG = LoggerFactory.getLogger(KarafActivator.class);

    private final Object lock = new Object();
    private BundleContext context;
    private ServiceRegistration<ManagedService> registration;
    private Main main;
    private boolean stopped;

    @Override
    public void start(BundleContext context) {
        this.context = context;
        registerJdbcDrivers();
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(Constants.SERVICE_PID, PID);
        // Config Admin calls updated() on its own thread, with null when no cfg exists: Camel starts there
        registration = context.registerService(ManagedService.class, this, properties);
    }

    @Override
    public void stop(BundleContext context) {
        if (registration != null) {
            registration.unregister();
        }
        synchronized (lock) {
            stopped = true;
            stopCamel();
        }
        deregisterJdbcDrivers();
    }

    @Override
    public void updated(Dictionary<String, ?> properties) {
        synchronized (lock) {
            if (stopped) {
                return;
            }
            stopCamel();
            try {
                main = startCamel(settings(properties));
            } catch (Exception e) {
                // the bundle stays ACTIVE so a corrected cfg restarts Camel without a bundle restart
                LOG.error("[attio-karaf] Camel did not start: {} (fix etc/{}.cfg; it is re-read on save)",
                        rootMessage(e), PID, e);
            }
        }
    }

    /** Config Admin dictionary to Camel properties, without framework keys and blank values. */
    static Map<String, String> settings(Dictionary<String, ?> properties) {
        Map<String, String> settings = new LinkedHashMap<>();
        if (properties == null) {
            return settings;
        }
        for (String key : Collections.list(properties.keys())) {
            Object value = properties.get(key);
            if (FRAMEWORK_KEYS.contains(key) || value == null || value.toString().isBlank()) {
                continue;
            }
            settings.put(key, value.toString().trim());
        }
        return settings;
    }

    private Main startCamel(Map<String, String> settings) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // ServiceLoader users (Vert.x, Jackson, Flyway) look at the context class loader: make it this bundle's
        thread.setContextClassLoader(KarafActivator.class.getClassLoader());
        try {
            String routesDir = settings.remove(ROUTES_DIR_KEY);
            Bundle bundle = new Bundle()
                    .profile(Profile.parse(settings.remove(PROFILE_KEY)))
                    // Config Admin replaces the jar's external config directory: point it at nothing
                    .configDir(context.getDataFile("no-config-dir").toPath())
                    .routesDir(routesDir);
            settings.forEach(bundle::override);
            Main built = bundle.build(new KarafMain(context));
            // a classpath wildcard needs classpath scanning, which cannot see inside a bundle: name each file
            built.configure().withRoutesIncludePattern(routesDir == null ? packedRoutes(Set.of())
                    : packedRoutes(Bundle.routeFiles(routesDir)) + "," + Bundle.routesDirPattern(routesDir));
            built.start();
            LOG.info("[attio-karaf] Camel started ({} settings from Config Admin)", settings.size());
            return built;
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private void stopCamel() {
        if (main == null) {
            return;
        }
        try {
            main.stop();
            main.shutdown();
            LOG.info("[attio-karaf] Camel stopped");
        } catch (Exception e) {
            LOG.warn("[attio-karaf] Camel did not stop cleanly: {}", rootMessage(e), e);
        } finally {
            main = null;
        }
    }

    /** The packed routes/*.camel.yaml but those {@code replaced}, each as its own classpath: location, in a stable order. */
    String packedRoutes(Set<String> replaced) {
        Set<String> names = new TreeSet<>();
        boolean packed = false;
        Enumeration<URL> entries = context.getBundle().findEntries("routes", "*.camel.yaml", false);
        while (entries != null && entries.hasMoreElements()) {
            String path = entries.nextElement().getPath();
            String name = path.substring(path.lastIndexOf('/') + 1);
            packed = true;
            if (!replaced.contains(name)) {
                names.add("classpath:routes/" + name);
            }
        }
        if (!packed) {
            throw new IllegalStateException("no routes/*.camel.yaml inside bundle " + context.getBundle().getSymbolicName());
        }
        return String.join(",", names);
    }

    /**
     * JDBC drivers register with DriverManager when their class loads, which Hikari's URL lookup does not do for
     * classes inside a bundle; load them here and deregister them on stop so DriverManager keeps no reference to
     * an uninstalled bundle's class loader.
     */
    private void registerJdbcDrivers() {
        // instantiating each driver loads its class, whose static initialiser registers it
        ServiceLoader.load(Driver.class, KarafActivator.class.getClassLoader()).forEach(driver -> { });
    }

    private void deregisterJdbcDrivers() {
        ClassLoader own = KarafActivator.class.getClassLoader();
        for (Driver driver : Collections.list(DriverManager.getDrivers())) {
            if (driver.getClass().getClassLoader() == own) {
                try {
                    DriverManager.deregisterDriver(driver);
                } catch (Exception e) {
                    LOG.warn("[attio-karaf] cannot deregister JDBC driver {}: {}", driver.getClass().getName(), e.getMessage());
                }
            }
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
