package io.github.attiocamel.mirror;

import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;

import javax.sql.DataSource;

/**
 * Binds the local mirror: {@code mirrorRepository}, which the webhook handlers and the full sync write, and
 * {@code mirrorQuery}, which serves {@code /api/mirror}. Listed after the store's configuration, whose
 * {@code dataSource} it uses.
 */
public class MirrorConfiguration implements CamelConfiguration {

    private MirrorRepository mirror;

    @BindToRegistry("mirrorRepository")
    public MirrorRepository mirror(@BeanInject("dataSource") DataSource dataSource) {
        return mirrorOf(dataSource);
    }

    @BindToRegistry("mirrorQuery")
    public MirrorQueryService query(@BeanInject("dataSource") DataSource dataSource) {
        return new MirrorQueryService(mirrorOf(dataSource));
    }

    /** One repository for both beans, whichever Camel binds first. */
    private synchronized MirrorRepository mirrorOf(DataSource dataSource) {
        if (mirror == null) {
            mirror = new MirrorRepository(dataSource);
        }
        return mirror;
    }
}
