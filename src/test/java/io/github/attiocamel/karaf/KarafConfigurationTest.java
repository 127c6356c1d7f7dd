package io.github.attiocamel.karaf;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The Karaf cfg stays in step with config/application.properties, and Config Admin values map to Camel settings. */
class KarafConfigurationTest {

    private static final Path CFG = Path.of("config/karaf/io.github.attiocamel.cfg");
    private static final Pattern KEY = Pattern.compile("^#?\\s*(attio\\.[a-z0-9._-]+)\\s*=", Pattern.MULTILINE);

    @Test
    void installedCfgSaysWhatToSetBeforeTheFirstStart() throws IOException {
        String cfg = Files.readString(CFG);
        String header = cfg.substring(0, cfg.indexOf("\nattio.profile = production"));
        assertThat(header).contains("BEFORE THE FIRST START", "attio.api-key", "attio.webhook-secret",
                "attio.api-token", "Camel does not start", "attio.profile = development");
    }

    @Test
    void cfgNamesEveryAttioKeyOfTheApplicationProperties() throws IOException {
        Properties application = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of("config/application.properties"))) {
            application.load(in);
        }
        Set<String> expected = new TreeSet<>();
        application.stringPropertyNames().stream().filter(k -> k.startsWith("attio.")).forEach(expected::add);

        Set<String> inCfg = new TreeSet<>();
        Matcher m = KEY.matcher(Files.readString(CFG));
        while (m.find()) {
            inCfg.add(m.group(1));
        }
        assertThat(expected).isNotEmpty();
        assertThat(inCfg).containsAll(expected);
        // the only keys of its own are Karaf's names for the jar's environment switches
        inCfg.removeAll(expected);
        assertThat(inCfg).containsExactlyInAnyOrder(KarafActivator.PROFILE_KEY, KarafActivator.ROUTES_DIR_KEY);
    }

    @Test
    void configAdminValuesBecomeSettingsWithoutFrameworkKeysOrBlanks() {
        Hashtable<String, Object> dictionary = new Hashtable<>();
        dictionary.put("service.pid", KarafActivator.PID);
        dictionary.put("felix.fileinstall.filename", "file:/opt/karaf/etc/io.github.attiocamel.cfg");
        dictionary.put("attio.http-port", " 8085 ");
        dictionary.put("attio.api-key", "");
        dictionary.put("attio.webhook-secret", "   ");
        dictionary.put("attio.rate.reads-per-second", 50);

        assertThat(KarafActivator.settings(dictionary))
                .containsOnlyKeys("attio.http-port", "attio.rate.reads-per-second")
                .containsEntry("attio.http-port", "8085")
                .containsEntry("attio.rate.reads-per-second", "50");
        assertThat(KarafActivator.settings(null)).isEmpty();
    }
}
