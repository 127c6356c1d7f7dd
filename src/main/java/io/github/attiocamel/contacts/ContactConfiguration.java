package io.github.attiocamel.contacts;

import io.github.attiocamel.gateway.AttioGateway;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import javax.sql.DataSource;

/**
 * Binds the contact flow's beans (issue 4): {@code contactNormaliser}, {@code attioValueMapper},
 * {@code companyResolver}, {@code contactWriter}, {@code contactJobs}, the stores behind them and
 * {@code attioContactsJobPool}. Listed after the store and gateway configurations, whose beans it uses.
 */
public class ContactConfiguration implements CamelConfiguration {

    /** Consumer mail providers: a contact with such an address belongs to no company. */
    static final String FREE_MAIL = "gmail.com,googlemail.com,yahoo.com,yahoo.co.uk,yahoo.fr,ymail.com,hotmail.com,"
            + "hotmail.co.uk,hotmail.fr,outlook.com,live.com,msn.com,icloud.com,me.com,mac.com,aol.com,proton.me,"
            + "protonmail.com,pm.me,gmx.com,gmx.de,gmx.net,web.de,mail.com,mail.ru,yandex.com,yandex.ru,zoho.com,"
            + "fastmail.com,hey.com,tutanota.com,qq.com,163.com,126.com";

    @Override
    public void configure(CamelContext context) {
        PropertiesComponent pc = context.getPropertiesComponent();
        AttioGateway gateway = context.getRegistry().lookupByNameAndType("attioGateway", AttioGateway.class);
        DataSource dataSource = context.getRegistry().lookupByNameAndType("dataSource", DataSource.class);
        if (gateway == null || dataSource == null) {
            throw new IllegalStateException("ContactConfiguration needs beans attioGateway and dataSource: list it after"
                    + " StoreConfiguration and GatewayConfiguration in camel.main.configuration-classes");
        }
        ContactMapping mapping = ContactMapping.fromProperties(pc.loadProperties(k -> k.startsWith(ContactMapping.PREFIX)));
        Set<String> freeMail = new LinkedHashSet<>(Arrays.asList(
                property(pc, "attio.contacts.free-mail-domains", FREE_MAIL).split("\\s*,\\s*")));
        Duration recordTtl = Duration.parse(property(pc, "attio.cache.record-ttl", "PT5M"));
        int concurrency = Integer.parseInt(property(pc, "attio.contacts.batch.concurrency", "8"));
        Path dataDir = Path.of(property(pc, "attio.data-dir", "./data"));

        ContactJobRepository jobRepository = new ContactJobRepository(dataSource);
        ContactNoteRepository noteRepository = new ContactNoteRepository(dataSource);
        var registry = context.getRegistry();
        registry.bind("contactJobRepository", jobRepository);
        registry.bind("contactNoteRepository", noteRepository);
        registry.bind("contactNormaliser", new ContactNormaliser(mapping, freeMail,
                property(pc, "attio.contacts.default-list", "sales")));
        registry.bind("attioValueMapper", new AttioValueMapper(gateway, mapping));
        registry.bind("companyResolver", new CompanyResolver(gateway, recordTtl,
                Long.parseLong(property(pc, "attio.contacts.company-cache-size", "10000"))));
        registry.bind("contactWriter", new ContactWriter(gateway, noteRepository,
                property(pc, "attio.contacts.person-company-attribute", "company")));
        registry.bind("contactJobs", new ContactJobs(jobRepository, dataDir.resolve("jobs"), Clock.systemUTC(),
                Integer.parseInt(property(pc, "attio.contacts.batch.failures-shown", "100")),
                Long.parseLong(property(pc, "camel.server.max-body-size", "67108864"))));
        registry.bind("contactRowPacer", new RowPacer(Long.parseLong(property(pc, "attio.contacts.batch.pace-millis", "42"))));
        // rows of all running jobs share these threads; the gateway's write budget, not this pool, sets the pace
        ExecutorService pool = context.getExecutorServiceManager().newFixedThreadPool(this, "attio-contacts-job",
                concurrency);
        registry.bind("attioContactsJobPool", pool);
    }

    private static String property(PropertiesComponent pc, String key, String fallback) {
        return pc.resolveProperty(key).filter(s -> !s.isBlank()).orElse(fallback);
    }
}
