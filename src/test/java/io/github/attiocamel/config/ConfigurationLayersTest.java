package io.github.attiocamel.config;

import io.github.attiocamel.testing.RunningBundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigurationLayersTest {

    @Test
    void profileFileLayersOverThePackedDefaults() {
        try (RunningBundle bundle = RunningBundle.against("http://127.0.0.1:9", "key").profile(Profile.STAGING).start()) {
            assertThat(resolve(bundle, "attio.rate.reads-per-second")).isEqualTo("50");
            assertThat(resolve(bundle, "attio.sync.objects")).isEqualTo("people,companies,deals");
        }
    }

    @Test
    void externalConfigDirectoryOverridesPackedFilesAndItsProfileFileWinsLast(@TempDir Path config) throws Exception {
        Files.writeString(config.resolve("application.properties"), "attio.sync.lists = pipeline\nattio.sync.cron = 0 0 3 * * ?\n");
        Files.writeString(config.resolve("application-staging.properties"), "attio.sync.cron = 0 0 4 * * ?\n");
        try (RunningBundle bundle = RunningBundle.against("http://127.0.0.1:9", "key").profile(Profile.STAGING)
                .configDir(config).start()) {
            assertThat(resolve(bundle, "attio.sync.lists")).isEqualTo("pipeline");
            assertThat(resolve(bundle, "attio.sync.cron")).isEqualTo("0 0 4 * * ?");
            assertThat(resolve(bundle, "attio.rate.reads-per-second")).as("packed staging file still applies")
                    .isEqualTo("50");
        }
    }

    @Test
    void unknownProfileIsRefusedByName() {
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> Profile.parse("prod")))
                .isInstanceOf(StartupException.class).hasMessageContaining("ATTIO_PROFILE");
        assertThat(Profile.parse(null)).isEqualTo(Profile.DEVELOPMENT);
        assertThat(Profile.parse(" Production ")).isEqualTo(Profile.PRODUCTION);
    }

    private static String resolve(RunningBundle bundle, String key) {
        return bundle.camelContext().getPropertiesComponent().resolveProperty(key).orElse(null);
    }
}
