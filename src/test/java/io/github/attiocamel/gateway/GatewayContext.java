package io.github.attiocamel.gateway;

import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;

import java.util.Properties;

/**
 * A CamelContext with the real gateway YAML routes and route configurations, and the gateway's beans bound by its
 * configuration class as camel-main binds them; settings are the packed defaults with the given ones over them.
 */
final class GatewayContext implements AutoCloseable {

    final CamelContext camel;
    final AttioGateway gateway;

    GatewayContext(Properties properties) throws Exception {
        camel = new DefaultCamelContext();
        camel.getPropertiesComponent().setLocation("file:config/application.properties");
        camel.getPropertiesComponent().setOverrideProperties(properties);
        GatewayConfiguration configuration = new GatewayConfiguration();
        PluginHelper.getBeanPostProcessor(camel).postProcessBeforeInitialization(configuration, "gateway");
        PluginHelper.getBeanPostProcessor(camel).postProcessAfterInitialization(configuration, "gateway");
        configuration.configure(camel);
        PluginHelper.getRoutesLoader(camel).loadRoutes(
                PluginHelper.getResourceLoader(camel).resolveResource("file:routes/attio-error-policies.camel.yaml"),
                PluginHelper.getResourceLoader(camel).resolveResource("file:routes/attio-gateway.camel.yaml"));
        camel.start();
        gateway = camel.getRegistry().lookupByNameAndType("attioGateway", AttioGateway.class);
    }

    static Properties properties(String baseUrl, String apiKey) {
        Properties p = new Properties();
        p.setProperty("attio.base-url", baseUrl);
        p.setProperty("attio.api-key", apiKey);
        return p;
    }

    @Override
    public void close() {
        camel.stop();
    }
}
