package io.github.attiocamel.contacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.attiocamel.gateway.AttioGateway;
import io.github.attiocamel.mirror.OwnWrites;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Step 3 of the contact flow: finds the contact's company, by domain, spending a write only when Attio does not have
 * it yet. Order: the domain cache (key {@code companies:domain:<domain>} -> record id, confirmed through the
 * gateway's record cache), then {@code records/query} (a read), then an assert by {@code domains} (safe when two
 * contacts of a new company race). An existing company is linked, not modified; a created one goes into the mirror
 * as Attio answered it ({@link OwnWrites}), so its {@code record.created} webhook publishes nothing.
 */
public final class CompanyResolver {

    private final AttioGateway gateway;
    private final OwnWrites ownWrites;
    private final Cache<String, String> idsByDomain;

    public CompanyResolver(AttioGateway gateway, OwnWrites ownWrites, Duration ttl, long maxSize) {
        this.gateway = gateway;
        this.ownWrites = ownWrites;
        this.idsByDomain = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(maxSize).build();
    }

    public ContactUpsert resolve(ContactUpsert c) {
        if (c.companyDomain == null) {
            return c;
        }
        String key = "companies:domain:" + c.companyDomain;
        String cached = idsByDomain.getIfPresent(key);
        if (cached != null && gateway.getRecord("companies", cached).isPresent()) {
            c.companyId = cached;
            return c;
        }
        idsByDomain.invalidate(key);
        ObjectNode query = JsonNodeFactory.instance.objectNode();
        query.putObject("filter").put("domains", c.companyDomain);
        query.put("limit", 1);
        List<JsonNode> found = gateway.queryRecords("companies", query);
        if (!found.isEmpty()) {
            c.companyId = ContactWriter.recordId(found.get(0));
        } else {
            JsonNode company = gateway.assertRecord("companies", "domains", c.companyValues);
            c.companyId = ContactWriter.recordId(company);
            Set<String> written = new LinkedHashSet<>();
            c.companyValues.fieldNames().forEachRemaining(written::add);
            ownWrites.recordWritten("companies", company, written);
            c.companyCreated = true;
        }
        idsByDomain.put(key, c.companyId);
        return c;
    }
}
