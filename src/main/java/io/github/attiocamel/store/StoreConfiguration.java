package io.github.attiocamel.store;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.service.ServiceSupport;

/**
 * Binds the embedded store: {@code dataSource} and {@code attioStore}. The store is
 * migrated here, before any route starts, and closed when the context stops so a restart reopens the same files.
 */
public class StoreConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        PropertiesComponent pc = context.getPropertiesComponent();
        String jdbcUrl = pc.resolveProperty("attio.store.jdbc-url").filter(s -> !s.isBlank())
                .orElseGet(() -> AttioStore.h2FileUrl(pc.resolveProperty("attio.data-dir").orElse("./data")));
        String user = pc.resolveProperty("attio.store.user").orElse("sa");
        String password = pc.resolveProperty("attio.store.password").orElse("");
        int pool = Integer.parseInt(pc.resolveProperty("attio.store.max-pool-size").orElse("8"));

        AttioStore store = new AttioStore(jdbcUrl, user, password, pool);
        context.getRegistry().bind("attioStore", store);
        context.getRegistry().bind("dataSource", store.dataSource());
        try {
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    store.close();
                }
            }, true, true);
        } catch (Exception e) {
            store.close();
            throw new IllegalStateException("cannot register the store for shutdown", e);
        }
    }
}
