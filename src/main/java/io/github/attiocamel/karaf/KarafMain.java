package io.github.attiocamel.karaf;

import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.Main;
import org.osgi.framework.BundleContext;

/**
 * Camel Main with a CamelContext that works inside an OSGi bundle. In the self-contained bundle Camel and every
 * component are embedded, so the bundle's own class loader sees all of them. The thin bundle runs on camel-karaf,
 * whose components live in other bundles: there camel-karaf's {@code OsgiDefaultCamelContext} (found through an
 * optional import, so the self-contained bundle never wires to it) resolves components through the OSGi registry.
 */
final class KarafMain extends Main {

    static final String CAMEL_KARAF_CONTEXT = "org.apache.camel.karaf.core.OsgiDefaultCamelContext";

    private final BundleContext bundleContext;

    KarafMain(BundleContext bundleContext) {
        this.bundleContext = bundleContext;
    }

    @Override
    protected CamelContext createCamelContext() {
        ClassLoader own = KarafMain.class.getClassLoader();
        try {
            Class<?> type = Class.forName(CAMEL_KARAF_CONTEXT, true, own);
            return (CamelContext) type.getConstructor(BundleContext.class).newInstance(bundleContext);
        } catch (ClassNotFoundException | NoClassDefFoundError embedded) {
            DefaultCamelContext context = new DefaultCamelContext(false);
            context.setApplicationContextClassLoader(own);
            return context;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create camel-karaf's " + CAMEL_KARAF_CONTEXT, e);
        }
    }
}
