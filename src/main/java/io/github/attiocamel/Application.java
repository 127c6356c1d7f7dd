package io.github.attiocamel;

import io.github.attiocamel.config.Profile;
import io.github.attiocamel.config.StartupException;
import io.github.attiocamel.sandbox.SimulatorMain;
import org.apache.camel.main.Main;

import java.nio.file.Path;

/**
 * Entry point of {@code attio-camel.jar}. Environment: {@code ATTIO_PROFILE} (development|staging|production),
 * {@code CONFIG_DIR} (default {@code ./config}), {@code ROUTES_DIR} (replaces the packed routes); argument
 * {@code --sandbox} runs against an in-process Attio simulator; {@code --simulator} serves only the simulator (the
 * docker-compose demo's Attio, {@code sandbox.SimulatorMain}). See README.
 */
public final class Application {

    private Application() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        boolean sandbox = false;
        for (String arg : args) {
            if ("--sandbox".equals(arg)) {
                sandbox = true;
            } else if ("--simulator".equals(arg) && args.length == 1) {
                return SimulatorMain.run(System.getenv(), System.out, System.err);
            } else {
                System.err.println("attio-camel: unknown argument '" + arg + "'; usage: java -jar attio-camel.jar [--sandbox | --simulator]");
                return 2;
            }
        }
        try {
            Bundle bundle = new Bundle()
                    .profile(Profile.parse(System.getenv("ATTIO_PROFILE")))
                    .configDir(Path.of(envOr("CONFIG_DIR", "config")))
                    .routesDir(System.getenv("ROUTES_DIR"));
            if (sandbox) {
                Sandbox.configure(bundle, System.out);
            }
            Main main = bundle.build();
            main.run();
            return main.getExitCode();
        } catch (Exception e) {
            StartupException refusal = startupException(e);
            if (refusal != null) {
                System.err.println("attio-camel: " + refusal.getMessage());
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

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
