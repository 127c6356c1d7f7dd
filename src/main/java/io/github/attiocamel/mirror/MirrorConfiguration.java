package io.github.attiocamel.mirror;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

import javax.sql.DataSource;

/**
 * Binds the local mirror: {@code mirrorRepository}, which the webhook handlers and the full sync write, and
 * {@code mirrorQuery}, which serves {@code /api/mirror}. Listed after the store's configuration, whose
 * {@code dataSource} it uses.
 */
public class MirrorConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        DataSource dataSource = context.getRegistry().lookupByNameAndType("dataSource", DataSource.class);
        if (dataSource == null) {
            throw new IllegalStateException("MirrorConfiguration needs StoreConfiguration listed before it");
        }
        MirrorRepository mirror = new MirrorRepository(dataSource);
        context.getRegistry().bind("mirrorRepository", mirror);
        context.getRegistry().bind("mirrorQuery", new MirrorQueryService(mirror));
    }
}
