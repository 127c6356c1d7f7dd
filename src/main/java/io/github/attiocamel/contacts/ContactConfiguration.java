package io.github.attiocamel.contacts;

import io.github.attiocamel.gateway.AttioGateway;
import io.github.attiocamel.gateway.SchemaCheck;
import io.github.attiocamel.mirror.OwnWrites;
import io.github.attiocamel.store.AttioStore;
import io.github.attiocamel.store.WorkTracker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * Binds the contact flow's beans: {@code contactNormaliser}, {@code attioValueMapper}, {@code companyResolver},
 * {@code contactWriter}, {@code contactJobs} (batch jobs, a kind of work of {@code workTracker}), the stores behind
 * them, {@code contactDropFiles} (the drop directory's file filter), {@code contactRowPacer} and
 * {@code attioContactsJobPool}, and the conflict policy's {@code contactConflicts} (flow steps) and
 * {@code contactConflictQueue} (its API), and {@code estateContacts} (route template attio-contacts-from). Settings: {@code attio.contacts.*} in
 * config/application.properties, injected once here. The beans are lazy: bound at their first lookup, once every
 * configuration class has run, so the store's, gateway's and tracker's beans exist whichever way their classes bind
 * them.
 */
public class ContactConfiguration implements CamelConfiguration {

    /**
     * Consumer mail providers, used when {@code attio.contacts.free-mail-domains} is empty (the documented built-in
     * list): a contact with such an address belongs to no company.
     */
    static final String FREE_MAIL = "gmail.com,googlemail.com,yahoo.com,yahoo.co.uk,yahoo.fr,ymail.com,hotmail.com,"
            + "hotmail.co.uk,hotmail.fr,outlook.com,live.com,msn.com,icloud.com,me.com,mac.com,aol.com,proton.me,"
            + "protonmail.com,pm.me,gmx.com,gmx.de,gmx.net,web.de,mail.com,mail.ru,yandex.com,yandex.ru,zoho.com,"
            + "fastmail.com,hey.com,tutanota.com,qq.com,163.com,126.com";

    @PropertyInject("attio.contacts.free-mail-domains")
    String freeMailDomains;
    @PropertyInject("attio.contacts.default-list")
    String defaultList;
    @PropertyInject("attio.contacts.person-company-attribute")
    String personCompanyAttribute;
    @PropertyInject("attio.contacts.company-cache-size")
    long companyCacheSize;
    @PropertyInject("attio.cache.record-ttl")
    Duration recordTtl;
    @PropertyInject("attio.contacts.batch.concurrency")
    int concurrency;
    @PropertyInject("attio.contacts.batch.pace-millis")
    long paceMillis;
    @PropertyInject("attio.contacts.batch.failures-shown")
    int failuresShown;
    @PropertyInject("attio.data-dir")
    String dataDir;
    /** Batch uploads stream to disk past the server's body limit, so the spool copy enforces it. */
    @PropertyInject("attio.api.max-upload-bytes")
    long maxUploadBytes;

    private ContactMapping mapping;
    private Map<String, ConflictPolicy> conflictPolicies;

    @BindToRegistry(value = "contactJobRepository", lazy = true)
    public ContactJobRepository jobRepository(@BeanInject("workTracker") WorkTracker tracker) {
        return new ContactJobRepository(tracker.repository());
    }

    @BindToRegistry(value = "contactNoteRepository", lazy = true)
    public ContactNoteRepository noteRepository(@BeanInject("dataSource") javax.sql.DataSource dataSource,
                                                @BeanInject("workTracker") WorkTracker tracker) {
        return new ContactNoteRepository(dataSource, tracker);
    }

    @BindToRegistry(value = "contactNormaliser", lazy = true)
    public ContactNormaliser normaliser(CamelContext context) {
        Set<String> freeMail = new LinkedHashSet<>(Arrays.asList(
                (freeMailDomains.isBlank() ? FREE_MAIL : freeMailDomains).trim().split("\\s*,\\s*")));
        return new ContactNormaliser(mapping(context), freeMail, defaultList);
    }

    @BindToRegistry(value = "attioValueMapper", lazy = true)
    public AttioValueMapper valueMapper(CamelContext context, @BeanInject("attioGateway") AttioGateway gateway) {
        return new AttioValueMapper(gateway, mapping(context), personCompanyAttribute);
    }

    @BindToRegistry(value = "companyResolver", lazy = true)
    public CompanyResolver companyResolver(@BeanInject("attioGateway") AttioGateway gateway,
                                           @BeanInject("ownWrites") OwnWrites ownWrites) {
        return new CompanyResolver(gateway, ownWrites, recordTtl, companyCacheSize);
    }

    @BindToRegistry(value = "contactWriter", lazy = true)
    public ContactWriter writer(@BeanInject("attioGateway") AttioGateway gateway,
                                @BeanInject("contactNoteRepository") ContactNoteRepository notes,
                                @BeanInject("ownWrites") OwnWrites ownWrites) {
        return new ContactWriter(gateway, notes, ownWrites, personCompanyAttribute);
    }

    @BindToRegistry(value = "contactJobs", lazy = true)
    public ContactJobs jobs(CamelContext context, @BeanInject("workTracker") WorkTracker tracker,
                            @BeanInject("contactJobRepository") ContactJobRepository jobRepository,
                            @BeanInject("attioStore") AttioStore store) {
        ContactJobs jobs = new ContactJobs(jobRepository, tracker, Path.of(dataDir).resolve("jobs"), Clock.systemUTC(),
                failuresShown, maxUploadBytes, () -> context.isStopping() || context.isStopped(), store.postgres());
        tracker.register(jobs.kind());
        return jobs;
    }

    @BindToRegistry(value = "contactConflictRepository", lazy = true)
    public ConflictRepository conflictRepository(@BeanInject("dataSource") javax.sql.DataSource dataSource) {
        return new ConflictRepository(dataSource);
    }

    @BindToRegistry(value = "contactConflicts", lazy = true)
    public ContactConflicts conflicts(CamelContext context, @BeanInject("attioGateway") AttioGateway gateway,
                                      @BeanInject("contactConflictRepository") ConflictRepository repository) {
        return new ContactConflicts(gateway, repository, conflictPolicies(context), () -> {
            MeterRegistry r = context.getRegistry().findSingleByType(MeterRegistry.class);
            return r != null ? r : Metrics.globalRegistry;
        }, Clock.systemUTC());
    }

    @BindToRegistry(value = "contactConflictQueue", lazy = true)
    public ConflictQueue conflictQueue(@BeanInject("attioGateway") AttioGateway gateway,
                                       @BeanInject("contactConflictRepository") ConflictRepository repository) {
        return new ConflictQueue(repository, gateway, failuresShown, Clock.systemUTC());
    }

    @BindToRegistry("estateContacts")
    public EstateContacts estateContacts() {
        return new EstateContacts();
    }

    @BindToRegistry("contactDropFiles")
    public DropFileFilter dropFiles() {
        return new DropFileFilter();
    }

    @BindToRegistry(value = "contactRowPacer", lazy = true)
    public RowPacer rowPacer() {
        return new RowPacer(paceMillis);
    }

    /** Rows of all running jobs share these threads; the gateway's write budget, not this pool, sets the pace. */
    @BindToRegistry(value = "attioContactsJobPool", lazy = true)
    public ExecutorService jobPool(CamelContext context) {
        return context.getExecutorServiceManager().newFixedThreadPool(this, "attio-contacts-job", concurrency);
    }

    /** Declares what the contact settings name in the workspace, for the attio-schema readiness check. */
    @Override
    public void configure(CamelContext context) {
        Map<String, ConflictPolicy> policies = conflictPolicies(context);
        SchemaCheck check = context.getRegistry().lookupByNameAndType("attioSchemaCheck", SchemaCheck.class);
        if (check == null) {
            return;
        }
        ContactMapping m = mapping(context);
        m.person().forEach((field, slug) -> check.expect(ContactMapping.PREFIX + "person." + field, "objects", "people", slug));
        check.expect("attio.contacts.person-company-attribute", "objects", "people", personCompanyAttribute);
        m.company().forEach((field, slug) -> check.expect(ContactMapping.PREFIX + "company." + field, "objects",
                "companies", slug));
        if (!defaultList.isBlank()) {
            check.expect("attio.contacts.default-list", "lists", defaultList);
            m.entry().forEach((field, slug) -> check.expect(ContactMapping.PREFIX + "entry." + field, "lists",
                    defaultList, slug));
        }
        policies.keySet().stream().filter(slug -> !slug.equals("default"))
                .forEach(slug -> check.expect(ConflictPolicy.PREFIX + slug, "objects", "people", slug));
    }

    /**
     * {@code attio.contacts.conflict-policy.<slug>}, each value resolved (placeholders, env) and checked here, when the
     * context is configured: a bad one refuses the start instead of surfacing at the first contact.
     */
    private synchronized Map<String, ConflictPolicy> conflictPolicies(CamelContext context) {
        if (conflictPolicies == null) {
            Properties resolved = new Properties();
            context.getPropertiesComponent().loadProperties(k -> k.startsWith(ConflictPolicy.PREFIX)).stringPropertyNames()
                    .forEach(k -> context.getPropertiesComponent().resolveProperty(k).ifPresent(v -> resolved.setProperty(k, v)));
            conflictPolicies = ConflictPolicy.fromProperties(resolved);
        }
        return conflictPolicies;
    }

    /** Field -> attribute slug per {@code attio.contacts.mapping.(person|company|entry).<field>}: a family of keys. */
    private synchronized ContactMapping mapping(CamelContext context) {
        if (mapping == null) {
            mapping = ContactMapping.fromProperties(context.getPropertiesComponent()
                    .loadProperties(k -> k.startsWith(ContactMapping.PREFIX)));
        }
        return mapping;
    }
}
