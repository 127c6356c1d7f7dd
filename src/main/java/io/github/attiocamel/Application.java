package io.github.attiocamel;

import io.github.attiocamel.config.Profile;
import io.github.attiocamel.config.StartupException;
import io.github.attiocamel.sandbox.SimulatorMain;
import org.apache.camel.main.Main;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * Entry point of {@code attio-camel.jar}. Environment: {@code ATTIO_PROFILE} (development|staging|production),
 * {@code CONFIG_DIR} (default {@code ./config}), {@code ROUTES_DIR} (route files beside the packed ones); argument
 * {@code --sandbox} runs against an in-process Attio simulator; {@code --simulator} serves only the simulator (the
 * docker-compose demo's Attio, {@code sandbox.SimulatorMain}); {@code sign} prints the signature header of the
 * webhook body on stdin (secret from {@code ATTIO_WEBHOOK_SECRET}). See README.
 */
public final class Application {

    private Application() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length == 1 && "sign".equals(args[0])) {
            try {
                return WebhookSigner.run(System.in, System.getenv("ATTIO_WEBHOOK_SECRET"), System.out, System.err);
            } catch (IOException e) {
                System.err.println("attio-camel sign: cannot read the body from stdin: " + e.getMessage());
                return 1;
            }
        }
        boolean sandbox = false;
        for (String arg : args) {
            if ("--sandbox".equals(arg)) {
                sandbox = true;
            } else if ("--simulator".equals(arg) && args.length == 1) {
                return SimulatorMain.run(System.getenv(), System.out, System.err);
            } else {
                System.err.println("attio-camel: unknown argument '" + arg + "'; usage: java -jar attio-camel.jar [--sandbox | --simulator | sign]");
                return 2;
            }
        }
        Main main = null;
        try {
            Bundle bundle = new Bundle()
                    .profile(Profile.parse(System.getenv("ATTIO_PROFILE")))
                    .configDir(Path.of(envOr("CONFIG_DIR", "config")))
                    .routesDir(System.getenv("ROUTES_DIR"));
            if (sandbox) {
                Sandbox.configure(bundle, System.out);
            }
            main = bundle.build();
            main.run();
            return main.getExitCode();
        } catch (Exception e) {
            StartupException refusal = startupException(e);
            if (refusal != null) {
                System.err.println("attio-camel: " + refusal.getMessage());
                return 2;
            }
            if (storeInUse(e)) {
                System.err.println("attio-camel: the store in " + dataDir(main) + " is open in another process (an"
                        + " embedded store has one owner): stop the other copy, or give this one a data directory of its"
                        + " own (attio.data-dir, env ATTIO_DATA_DIR)");
                return 2;
            }
            System.err.println("attio-camel: start-up failed: " + rootMessage(e));
            e.printStackTrace();
            return 1;
        }
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    static StartupException startupException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StartupException s) {
                return s;
            }
        }
        return null;
    }

    /** H2's "Database may be already in use" (error 90020): its file lock is held by another process. */
    static boolean storeInUse(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getErrorCode() == 90020) {
                return true;
            }
        }
        return false;
    }

    private static String dataDir(Main main) {
        try {
            return Path.of(main.getCamelContext().getPropertiesComponent()
                    .resolveProperty("attio.data-dir").orElseThrow()).toAbsolutePath().normalize().toString();
        } catch (RuntimeException unresolved) {
            return "the data directory";
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
