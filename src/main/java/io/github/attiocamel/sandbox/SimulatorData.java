package io.github.attiocamel.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The simulated workspace: objects, lists, records, entries, notes, tasks, comments, members and webhooks, held in
 * memory in creation order (so created_at-ordered offset paging is a slice). Every public method is thread-safe and
 * bypasses HTTP, validation and rate limits: it is how tests arrange and inspect state. Records and entries go in
 * and come out in Attio's JSON shapes ({@code values} in write shape, results in read shape).
 */
public final class SimulatorData {

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    // the document types actor ids as strings (its "nullable" is an OpenAPI 3.0 keyword 3.1 ignores)
    static final String SYSTEM_ACTOR_ID = "00000000-0000-4000-8000-000000000000";

    enum Mode { CREATE, PATCH, PUT, ASSERT }

    static final class Attribute {
        final String id = UUID.randomUUID().toString();
        final String slug;
        final String title;
        final String type;
        boolean unique;
        boolean multiselect;
        boolean required;
        boolean writable = true;
        boolean system;
        String currency;
        final List<String> allowedObjects = new ArrayList<>();
        final Map<String, ObjectNode> options = new LinkedHashMap<>(); // title -> select option or status
        String createdAt;

        Attribute(String slug, String title, String type) {
            this.slug = slug;
            this.title = title;
            this.type = type;
        }
    }

    static final class Row {
        final String id = fastUuid();
        final long seq;
        final String createdAt;
        final Map<String, List<ObjectNode>> values = new LinkedHashMap<>();
        String parentObject;
        String parentRecordId;

        Row(long seq, String createdAt) {
            this.seq = seq;
            this.createdAt = createdAt;
        }
    }

    /** An object (records) or a list (entries): both are attribute containers with rows. */
    static final class Container {
        final boolean list;
        final String id = UUID.randomUUID().toString();
        final String slug;
        final String singular;
        final String plural;
        final String createdAt;
        String parentObject;
        boolean slugHidden;
        boolean parentById;
        final Map<String, Attribute> attributes = new LinkedHashMap<>();
        final LinkedHashMap<String, Row> rows = new LinkedHashMap<>();
        final Map<String, Map<String, String>> unique = new java.util.HashMap<>(); // slug -> value key -> row id
        /** Some rows share a created_at: a created_at order is no longer a total order. */
        boolean tiedCreatedAt;

        Container(boolean list, String slug, String singular, String plural, String createdAt) {
            this.list = list;
            this.slug = slug;
            this.singular = singular;
            this.plural = plural;
            this.createdAt = createdAt;
        }

        Attribute attribute(String slugOrId) {
            Attribute byslug = attributes.get(slugOrId);
            if (byslug != null) {
                return byslug;
            }
            return attributes.values().stream().filter(a -> a.id.equals(slugOrId)).findFirst().orElse(null);
        }
    }

    final ObjectMapper mapper;
    final String workspaceId = UUID.randomUUID().toString();
    final String apiTokenId = UUID.randomUUID().toString();
    final String workspaceSlug = "sandbox";
    private final Map<String, Container> objects = new LinkedHashMap<>();
    private final Map<String, Container> lists = new LinkedHashMap<>();
    final LinkedHashMap<String, ObjectNode> members = new LinkedHashMap<>();
    final LinkedHashMap<String, ObjectNode> notes = new LinkedHashMap<>();
    final LinkedHashMap<String, ObjectNode> tasks = new LinkedHashMap<>();
    final LinkedHashMap<String, ObjectNode> comments = new LinkedHashMap<>();
    final LinkedHashMap<String, ObjectNode> webhooks = new LinkedHashMap<>(); // includes the secret
    private long sequence;
    private Instant lastInstant = Instant.EPOCH;
    /** Called (outside no lock guarantees) with each event the API-visible state changes produce. */
    volatile java.util.function.Consumer<List<ObjectNode>> eventSink = events -> { };
    /** Who writes now: null for the API token; a workspace member during a change "in the UI". */
    private String memberActing;
    /** True while Attio itself writes (a formula recompute, an enrichment): actor {@code system}. */
    private boolean systemActing;

    SimulatorData(ObjectMapper mapper) {
        this.mapper = mapper;
        seedModel();
    }

    // ------------------------------------------------------------------ public test API

    /** The workspace members (copies): {id: {workspace_member_id}, first_name, last_name, email_address, ...}. */
    public synchronized List<ObjectNode> members() {
        return members.values().stream().map(ObjectNode::deepCopy).toList();
    }

    /**
     * A change "in the UI": like a PATCH, but made by a workspace member (the first one), who is the actor of its
     * webhook events and the {@code created_by_actor} of the values written.
     */
    public synchronized ObjectNode updateRecordInUi(String object, String recordId, JsonNode values) {
        memberActing = members.keySet().iterator().next();
        try {
            return writeRecord(object, recordId, values, Mode.PATCH, null);
        } finally {
            memberActing = null;
        }
    }

    /**
     * A change Attio makes itself, as a formula recompute or an enrichment does: like a PATCH, but the {@code system}
     * actor is the actor of its webhook events (one {@code record.updated} per changed attribute) and of the values.
     */
    public synchronized ObjectNode updateRecordAsSystem(String object, String recordId, JsonNode values) {
        systemActing = true;
        try {
            return writeRecord(object, recordId, values, Mode.PATCH, null);
        } finally {
            systemActing = false;
        }
    }

    /** Makes a list's entries name their parent object by id instead of slug, as Attio's answers may. */
    public synchronized void entryParentById(String list) {
        list(list).parentById = true;
    }

    /** Makes Attio answer {@code api_slug: null} for an object, as it may for some; reads by its id still work. */
    public synchronized void hideApiSlug(String object) {
        object(object).slugHidden = true;
    }

    /** Makes an attribute of an object or list required (or not), as a workspace admin can in Attio's settings. */
    public synchronized void setRequired(String objectOrList, String slug, boolean required) {
        Container c = objects.containsKey(objectOrList) ? object(objectOrList) : list(objectOrList);
        Attribute a = c.attribute(slug);
        if (a == null) {
            throw new IllegalArgumentException(objectOrList + " has no attribute " + slug);
        }
        a.required = required;
    }

    /** Number of records of an object (slug or id). */
    public synchronized int count(String object) {
        return object(object).rows.size();
    }

    /** Number of entries in a list (slug or id). */
    public synchronized int entryCount(String list) {
        return list(list).rows.size();
    }

    public synchronized int noteCount() {
        return notes.size();
    }

    public synchronized int taskCount() {
        return tasks.size();
    }

    public String workspaceId() {
        return workspaceId;
    }

    public synchronized String objectId(String object) {
        return object(object).id;
    }

    public synchronized String listId(String list) {
        return list(list).id;
    }

    /** The attribute id of a slug on an object or list. */
    public synchronized String attributeId(String objectOrList, String slug) {
        Container c = objects.containsKey(objectOrList) ? object(objectOrList) : list(objectOrList);
        Attribute a = c.attribute(slug);
        if (a == null) {
            throw new IllegalArgumentException("no attribute " + slug + " on " + objectOrList);
        }
        return a.id;
    }

    /** A record in read shape, or null. */
    public synchronized ObjectNode getRecord(String object, String recordId) {
        Container c = object(object);
        Row row = c.rows.get(recordId);
        return row == null ? null : render(c, row);
    }

    /** Creates a record from write-shape values ({@code {"name":[...], ...}}) and returns it in read shape. */
    public ObjectNode createRecord(String object, JsonNode values) {
        return writeRecord(object, null, values, Mode.CREATE, null);
    }

    /** Updates a record with PATCH semantics (multiselect values are added). */
    public ObjectNode updateRecord(String object, String recordId, JsonNode values) {
        return writeRecord(object, recordId, values, Mode.PATCH, null);
    }

    public boolean deleteRecord(String object, String recordId) {
        return removeRecord(object, recordId);
    }

    /** Entry ids of a list, in creation order. */
    public synchronized List<String> listEntryIds(String list) {
        return new ArrayList<>(list(list).rows.keySet());
    }

    /** Record ids of an object in creation order. */
    public synchronized List<String> recordIds(String object) {
        return new ArrayList<>(object(object).rows.keySet());
    }

    /** The record whose unique attribute holds this value (e.g. "email_addresses", "ada@example.com"), or null. */
    public synchronized ObjectNode findRecord(String object, String uniqueSlug, String value) {
        Container c = object(object);
        Attribute a = c.attribute(uniqueSlug);
        if (a == null || !a.unique) {
            throw new IllegalArgumentException(uniqueSlug + " is not a unique attribute of " + object);
        }
        String id = c.unique.getOrDefault(a.slug, Map.of()).get(key(a, convert(c, a, NODES.textNode(value), now())));
        return id == null ? null : render(c, c.rows.get(id));
    }

    public synchronized ObjectNode getEntry(String list, String entryId) {
        Container c = list(list);
        Row row = c.rows.get(entryId);
        return row == null ? null : render(c, row);
    }

    public ObjectNode createEntry(String list, String parentObject, String parentRecordId, JsonNode entryValues) {
        return writeEntry(list, null, parentObject, parentRecordId, entryValues, Mode.CREATE);
    }

    public ObjectNode updateEntry(String list, String entryId, JsonNode entryValues) {
        return writeEntry(list, entryId, null, null, entryValues, Mode.PATCH);
    }

    public boolean deleteEntry(String list, String entryId) {
        return removeEntry(list, entryId);
    }

    /** Adds {@code n} people with unique emails ({@code seed-<i>@example.com}); returns the new total. */
    public synchronized int seedPeople(int n) {
        return seedPeople(n, 1);
    }

    /**
     * Like {@link #seedPeople(int)}, but {@code perInstant} people at a time share one created_at, as a bulk import
     * into Attio can: a query sorted by created_at then answers ties in an order of its own each time.
     */
    public synchronized int seedPeople(int n, int perInstant) {
        if (perInstant < 1) {
            throw new IllegalArgumentException("perInstant must be at least 1");
        }
        Container people = object("people");
        Attribute email = people.attributes.get("email_addresses");
        Attribute name = people.attributes.get("name");
        Attribute jobTitle = people.attributes.get("job_title");
        Map<String, String> emails = people.unique.computeIfAbsent("email_addresses", k -> new java.util.HashMap<>());
        String[] firsts = {"Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken"};
        String[] lasts = {"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson"};
        int base = people.rows.size();
        people.tiedCreatedAt |= perInstant > 1;
        Instant at = null;
        for (int i = 0; i < n; i++) {
            int k = base + i;
            if (i % perInstant == 0) {
                at = now();
            }
            Row row = new Row(++sequence, formatted(at));
            String address = "seed-" + k + "-" + row.id.substring(0, 8) + "@example.com";
            ObjectNode emailValue = convert(people, email, NODES.textNode(address), at);
            ObjectNode nameNode = NODES.objectNode().put("first_name", firsts[k % firsts.length])
                    .put("last_name", lasts[k % lasts.length] + " " + k)
                    .put("full_name", firsts[k % firsts.length] + " " + lasts[k % lasts.length] + " " + k);
            row.values.put("email_addresses", new ArrayList<>(List.of(emailValue)));
            row.values.put("name", new ArrayList<>(List.of(convert(people, name, nameNode, at))));
            row.values.put("job_title", new ArrayList<>(List.of(convert(people, jobTitle, NODES.textNode("Engineer"), at))));
            people.rows.put(row.id, row);
            emails.put(key(email, emailValue), row.id);
        }
        return people.rows.size();
    }

    // ------------------------------------------------------------------ model

    private void seedModel() {
        Container people = addObject("people", "Person", "People");
        Container companies = addObject("companies", "Company", "Companies");
        Container deals = addObject("deals", "Deal", "Deals");

        Attribute domains = attribute(companies, "domains", "Domains", "domain");
        domains.unique = true;
        domains.multiselect = true;
        attribute(companies, "name", "Name", "text");
        attribute(companies, "description", "Description", "text");

        Attribute emails = attribute(people, "email_addresses", "Email addresses", "email-address");
        emails.unique = true;
        emails.multiselect = true;
        attribute(people, "name", "Name", "personal-name");
        attribute(people, "job_title", "Job title", "text");
        attribute(people, "phone_numbers", "Phone numbers", "phone-number").multiselect = true;
        attribute(people, "company", "Company", "record-reference").allowedObjects.add(companies.id);
        Attribute leadSource = attribute(people, "lead_source", "Lead source", "select");
        for (String title : List.of("Website", "Referral", "Event", "Outbound")) {
            addOption(people, leadSource, title);
        }
        // types whose read form is no write form: a client that writes read values back breaks them
        attribute(people, "owners", "Owners", "actor-reference").multiselect = true;
        attribute(people, "primary_location", "Primary location", "location");
        attribute(people, "linkedin", "LinkedIn", "text");

        attribute(deals, "name", "Deal name", "text").required = true;
        Attribute dealStage = attribute(deals, "stage", "Deal stage", "status");
        dealStage.required = true;
        for (String title : List.of("Lead", "In Progress", "Won", "Lost")) {
            addOption(deals, dealStage, title);
        }
        attribute(deals, "value", "Deal value", "currency").currency = "USD";
        Attribute dealType = attribute(deals, "deal_type", "Deal type", "select");
        dealType.required = true; // a workspace's own required attribute, beside Attio's
        for (String title : List.of("New business", "Renewal")) {
            addOption(deals, dealType, title);
        }
        Attribute associated = attribute(deals, "associated_people", "Associated people", "record-reference");
        associated.multiselect = true;
        associated.allowedObjects.add(people.id);

        Container sales = new Container(true, "sales", null, "Sales", TIMESTAMP.format(now()));
        sales.parentObject = "people";
        lists.put(sales.slug, sales);
        Attribute stage = attribute(sales, "stage", "Stage", "status");
        for (String title : List.of("Lead", "Qualified", "Proposal", "Won", "Lost")) {
            addOption(sales, stage, title);
        }
        attribute(sales, "value", "Value", "currency").currency = "USD";

        Container partners = new Container(true, "partners", null, "Partners", TIMESTAMP.format(now()));
        partners.parentObject = "companies";
        lists.put(partners.slug, partners);
        Attribute tier = attribute(partners, "tier", "Tier", "status");
        for (String title : List.of("Prospect", "Silver", "Gold")) {
            addOption(partners, tier, title);
        }
        Container reviews = new Container(true, "deal_reviews", null, "Deal reviews", TIMESTAMP.format(now()));
        reviews.parentObject = "deals";
        lists.put(reviews.slug, reviews);
        attribute(reviews, "verdict", "Verdict", "text");

        for (String[] m : new String[][]{{"Sam", "Sandbox", "sam@sandbox.example"}, {"Robin", "Rep", "robin@sandbox.example"}}) {
            String id = UUID.randomUUID().toString();
            ObjectNode member = NODES.objectNode();
            member.putObject("id").put("workspace_id", workspaceId).put("workspace_member_id", id);
            member.put("first_name", m[0]).put("last_name", m[1]).putNull("avatar_url").put("email_address", m[2])
                    .put("created_at", TIMESTAMP.format(now())).put("access_level", "admin");
            members.put(id, member);
        }

        String[][] companyRows = {{"Acme", "acme.com"}, {"Globex", "globex.com"}, {"Initech", "initech.com"}};
        List<String> companyIds = new ArrayList<>();
        for (String[] c : companyRows) {
            ObjectNode values = NODES.objectNode();
            values.putArray("name").add(c[0]);
            values.putArray("domains").add(c[1]);
            values.putArray("description").add(c[0] + " (sandbox sample company)");
            companyIds.add(createRecord("companies", values).path("id").path("record_id").asText());
        }
        String[][] personRows = {{"Ada", "Lovelace", "ada@acme.com", "Website"}, {"Grace", "Hopper", "grace@globex.com", "Referral"},
                {"Alan", "Turing", "alan@initech.com", "Event"}, {"Barbara", "Liskov", "barbara@acme.com", "Website"},
                {"Edsger", "Dijkstra", "edsger@globex.com", "Referral"}};
        List<String> personIds = new ArrayList<>();
        for (String[] p : personRows) {
            ObjectNode values = NODES.objectNode();
            values.putArray("email_addresses").add(p[2]);
            values.putArray("name").addObject().put("first_name", p[0]).put("last_name", p[1]).put("full_name", p[0] + " " + p[1]);
            values.putArray("job_title").add("Engineer");
            values.putArray("lead_source").add(p[3]);
            values.putArray("company").addObject().put("target_object", "companies")
                    .putArray("domains").addObject().put("domain", p[2].substring(p[2].indexOf('@') + 1));
            personIds.add(createRecord("people", values).path("id").path("record_id").asText());
        }
        String[][] dealRows = {{"Acme renewal", "In Progress", "12000"}, {"Globex pilot", "Lead", "4500"}};
        for (int i = 0; i < dealRows.length; i++) {
            ObjectNode values = NODES.objectNode();
            values.putArray("name").add(dealRows[i][0]);
            values.putArray("deal_type").add(i == 0 ? "Renewal" : "New business");
            values.putArray("stage").add(dealRows[i][1]);
            values.putArray("value").addObject().put("currency_value", Double.parseDouble(dealRows[i][2]));
            values.putArray("associated_people").addObject().put("target_object", "people")
                    .put("target_record_id", personIds.get(i));
            createRecord("deals", values);
        }
        String[] stages = {"Lead", "Qualified", "Proposal"};
        for (int i = 0; i < stages.length; i++) {
            ObjectNode values = NODES.objectNode();
            values.putArray("stage").add(stages[i]);
            values.putArray("value").addObject().put("currency_value", 1000 * (i + 1));
            createEntry("sales", "people", personIds.get(i), values);
        }
    }

    private Container addObject(String slug, String singular, String plural) {
        Container c = new Container(false, slug, singular, plural, TIMESTAMP.format(now()));
        objects.put(slug, c);
        Attribute recordId = attribute(c, "record_id", "Record ID", "text");
        recordId.system = true;
        recordId.writable = false;
        recordId.unique = true;
        Attribute createdAt = attribute(c, "created_at", "Created at", "timestamp");
        createdAt.system = true;
        createdAt.writable = false;
        return c;
    }

    private Attribute attribute(Container c, String slug, String title, String type) {
        Attribute a = new Attribute(slug, title, type);
        a.createdAt = TIMESTAMP.format(now());
        c.attributes.put(slug, a);
        return a;
    }

    private void addOption(Container c, Attribute a, String title) {
        ObjectNode option = NODES.objectNode();
        ObjectNode id = option.putObject("id").put("workspace_id", workspaceId).put("object_id", c.id)
                .put("attribute_id", a.id);
        id.put("status".equals(a.type) ? "status_id" : "option_id", UUID.randomUUID().toString());
        option.put("title", title).put("is_archived", false);
        if ("status".equals(a.type)) {
            option.put("celebration_enabled", "Won".equals(title)).putNull("target_time_in_status");
        }
        a.options.put(title, option);
    }

    synchronized Container object(String slugOrId) {
        Container c = objects.get(slugOrId);
        if (c == null) {
            c = objects.values().stream().filter(o -> o.id.equals(slugOrId)).findFirst().orElse(null);
        }
        if (c == null) {
            throw AttioApiException.notFound("Object with slug/ID \"" + slugOrId + "\" not found.");
        }
        return c;
    }

    synchronized Container list(String slugOrId) {
        Container c = lists.get(slugOrId);
        if (c == null) {
            c = lists.values().stream().filter(o -> o.id.equals(slugOrId)).findFirst().orElse(null);
        }
        if (c == null) {
            throw AttioApiException.notFound("List with slug/ID \"" + slugOrId + "\" not found.");
        }
        return c;
    }

    synchronized List<Container> objects() {
        return new ArrayList<>(objects.values());
    }

    synchronized List<Container> lists() {
        return new ArrayList<>(lists.values());
    }

    // ------------------------------------------------------------------ writes

    synchronized ObjectNode writeRecord(String object, String recordId, JsonNode values, Mode mode, String matching) {
        Container c = object(object);
        Instant at = now();
        Row row;
        boolean created = false;
        if (mode == Mode.ASSERT) {
            Attribute match = c.attribute(matching);
            if (match == null) {
                throw AttioApiException.invalid("value_not_found", "Cannot find attribute with slug/ID \"" + matching + "\".");
            }
            if (!match.unique) {
                throw AttioApiException.invalid("validation_type",
                        "Matching attribute \"" + matching + "\" must be a unique attribute.");
            }
            JsonNode given = values.get(match.slug) == null ? values.get(match.id) : values.get(match.slug);
            if (given == null || given.isEmpty()) {
                throw AttioApiException.invalid("missing_value",
                        "A value for the matching attribute \"" + matching + "\" is required.");
            }
            java.util.Set<String> owners = new java.util.LinkedHashSet<>();
            for (JsonNode item : given) {
                String owner = c.unique.getOrDefault(match.slug, Map.of()).get(key(match, convert(c, match, item, at)));
                if (owner != null) {
                    owners.add(owner);
                }
            }
            if (owners.size() > 1) {
                throw AttioApiException.invalid("multiple_match_results",
                        "Multiple records match the values of \"" + matching + "\".");
            }
            row = owners.isEmpty() ? null : c.rows.get(owners.iterator().next());
            if (row == null) {
                row = new Row(++sequence, TIMESTAMP.format(at));
                created = true;
            }
        } else if (mode == Mode.CREATE) {
            row = new Row(++sequence, TIMESTAMP.format(at));
            created = true;
        } else {
            row = c.rows.get(recordId);
            if (row == null) {
                throw AttioApiException.notFound("Record with ID \"" + recordId + "\" not found.");
            }
        }
        Attribute matchAttribute = matching == null ? null : c.attribute(matching);
        List<String> changed = apply(c, row, values, created ? Mode.CREATE : mode, matchAttribute, at);
        if (created) {
            c.rows.put(row.id, row);
        }
        ObjectNode result = render(c, row);
        emitRecordEvents(c, row, created, changed);
        return result;
    }

    synchronized boolean removeRecord(String object, String recordId) {
        Container c = object(object);
        Row row = c.rows.remove(recordId);
        if (row == null) {
            return false;
        }
        unindex(c, row, null);
        for (Container list : lists.values()) {
            list.rows.values().removeIf(e -> e.parentRecordId.equals(recordId));
        }
        eventSink.accept(List.of(event("record.deleted", recordIdNode(c, row.id))));
        return true;
    }

    synchronized ObjectNode writeEntry(String list, String entryId, String parentObject, String parentRecordId,
                                       JsonNode values, Mode mode) {
        Container c = list(list);
        Instant at = now();
        Row row;
        boolean created = false;
        if (mode == Mode.CREATE || mode == Mode.ASSERT) {
            Container parent = object(parentObject);
            if (!parent.slug.equals(c.parentObject)) {
                throw AttioApiException.invalid("value_not_found",
                        "List \"" + c.slug + "\" does not accept records of \"" + parentObject + "\".");
            }
            if (!parent.rows.containsKey(parentRecordId)) {
                throw AttioApiException.invalid("value_not_found", "Parent record \"" + parentRecordId + "\" not found.");
            }
            List<Row> existing = mode == Mode.ASSERT
                    ? c.rows.values().stream().filter(e -> e.parentRecordId.equals(parentRecordId)).toList() : List.of();
            if (existing.size() > 1) {
                throw AttioApiException.invalid("multiple_match_results",
                        "Parent record \"" + parentRecordId + "\" has several entries in list \"" + c.slug + "\".");
            }
            if (existing.isEmpty()) {
                row = new Row(++sequence, TIMESTAMP.format(at));
                row.parentObject = parent.slug;
                row.parentRecordId = parentRecordId;
                created = true;
            } else {
                row = existing.get(0);
            }
        } else {
            row = c.rows.get(entryId);
            if (row == null) {
                throw AttioApiException.notFound("Entry with ID \"" + entryId + "\" not found.");
            }
        }
        // entry assert and PUT overwrite multiselect values; PATCH adds to them
        List<String> changed = apply(c, row, values, created ? Mode.CREATE : mode == Mode.PATCH ? Mode.PATCH : Mode.PUT, null, at);
        if (created) {
            c.rows.put(row.id, row);
        }
        ObjectNode result = render(c, row);
        if (created) {
            eventSink.accept(List.of(entryEvent("list-entry.created", c, row, null)));
        } else if (!changed.isEmpty()) {
            eventSink.accept(changed.stream().map(slug -> entryEvent("list-entry.updated", c, row, c.attributes.get(slug).id))
                    .toList());
        }
        return result;
    }

    synchronized boolean removeEntry(String list, String entryId) {
        Container c = list(list);
        Row row = c.rows.remove(entryId);
        if (row != null) {
            eventSink.accept(List.of(entryEvent("list-entry.deleted", c, row, null)));
        }
        return row != null;
    }

    /** Converts, checks and applies values; returns the slugs whose values changed. Nothing changes on error. */
    private List<String> apply(Container c, Row row, JsonNode values, Mode mode, Attribute matching, Instant at) {
        if (values == null || !values.isObject()) {
            throw AttioApiException.invalid("validation_type", "values must be an object.");
        }
        Map<String, List<ObjectNode>> next = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = values.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            Attribute a = c.attribute(field.getKey());
            if (a == null) {
                throw AttioApiException.invalid("value_not_found",
                        "Cannot find attribute with slug/ID \"" + field.getKey() + "\".");
            }
            if (!a.writable) {
                throw AttioApiException.invalid("immutable_value", "Attribute \"" + a.slug + "\" cannot be written.");
            }
            JsonNode input = field.getValue();
            List<JsonNode> items = new ArrayList<>();
            if (input.isArray()) {
                input.forEach(items::add);
            } else if (!input.isNull()) {
                items.add(input);
            }
            if (!a.multiselect && items.size() > 1) {
                throw AttioApiException.invalid("validation_type",
                        "Attribute \"" + a.slug + "\" accepts a single value, got " + items.size() + ".");
            }
            List<ObjectNode> converted = new ArrayList<>();
            for (JsonNode item : items) {
                addDistinct(a, converted, convert(c, a, item, at));
            }
            List<ObjectNode> current = row.values.getOrDefault(a.slug, List.of());
            List<ObjectNode> merged;
            if (a.multiselect && (mode == Mode.PATCH || (mode == Mode.ASSERT && a == matching))) {
                merged = new ArrayList<>();
                converted.forEach(v -> addDistinct(a, merged, v));
                current.forEach(v -> addDistinct(a, merged, v));
            } else {
                merged = converted;
            }
            next.put(a.slug, merged);
        }
        if (mode == Mode.CREATE) {
            for (Attribute a : c.attributes.values()) {
                if (a.required && next.getOrDefault(a.slug, List.of()).isEmpty()) {
                    throw AttioApiException.invalid("missing_value", "Required value for attribute \"" + a.slug + "\" was not provided.");
                }
            }
        }
        for (Map.Entry<String, List<ObjectNode>> e : next.entrySet()) {
            Attribute a = c.attributes.get(e.getKey());
            if (!a.unique) {
                continue;
            }
            Map<String, String> index = c.unique.getOrDefault(a.slug, Map.of());
            for (ObjectNode v : e.getValue()) {
                String owner = index.get(key(a, v));
                if (owner != null && !owner.equals(row.id)) {
                    throw AttioApiException.invalid("uniqueness_conflict", "The value \"" + key(a, v)
                            + "\" provided for attribute \"" + a.slug + "\" is already in use by another record.");
                }
            }
        }
        List<String> changed = new ArrayList<>();
        for (Map.Entry<String, List<ObjectNode>> e : next.entrySet()) {
            Attribute a = c.attributes.get(e.getKey());
            List<ObjectNode> old = row.values.getOrDefault(a.slug, List.of());
            if (keys(a, old).equals(keys(a, e.getValue()))) {
                continue;
            }
            changed.add(a.slug);
            if (a.unique) {
                Map<String, String> index = c.unique.computeIfAbsent(a.slug, k -> new java.util.HashMap<>());
                old.forEach(v -> index.remove(key(a, v)));
                e.getValue().forEach(v -> index.put(key(a, v), row.id));
            }
            row.values.put(a.slug, e.getValue());
        }
        return changed;
    }

    private void unindex(Container c, Row row, String onlySlug) {
        for (Map.Entry<String, List<ObjectNode>> e : row.values.entrySet()) {
            Attribute a = c.attributes.get(e.getKey());
            if (a.unique && (onlySlug == null || onlySlug.equals(a.slug))) {
                Map<String, String> index = c.unique.getOrDefault(a.slug, Map.of());
                e.getValue().forEach(v -> index.remove(key(a, v)));
            }
        }
    }

    private static void addDistinct(Attribute a, List<ObjectNode> into, ObjectNode value) {
        String k = key(a, value);
        if (into.stream().noneMatch(v -> key(a, v).equals(k))) {
            into.add(value);
        }
    }

    private static List<String> keys(Attribute a, List<ObjectNode> values) {
        return values.stream().map(v -> key(a, v)).toList();
    }

    /** Identity of a value for uniqueness and de-duplication. */
    static String key(Attribute a, ObjectNode v) {
        switch (a.type) {
            case "email-address": return v.path("email_address").asText();
            case "domain": return v.path("domain").asText();
            case "record-reference": return v.path("target_record_id").asText();
            case "select": return v.path("option").path("title").asText();
            case "status": return v.path("status").path("title").asText();
            case "personal-name": return v.path("full_name").asText();
            case "phone-number": return v.path("phone_number").asText();
            case "currency": return v.path("currency_value").asText();
            case "actor-reference": return v.path("referenced_actor_id").asText();
            case "location": return v.toString();
            default: return v.path("value").asText();
        }
    }

    /** Converts one write-shape item to Attio's read shape. */
    private ObjectNode convert(Container c, Attribute a, JsonNode item, Instant at) {
        ObjectNode v = NODES.objectNode();
        v.put("active_from", formatted(at));
        v.putNull("active_until");
        v.set("created_by_actor", actor());
        switch (a.type) {
            case "text" -> v.put("value", text(a, item, "value"));
            case "number", "rating" -> {
                JsonNode n = item.isObject() ? item.path("value") : item;
                if (!n.isNumber()) {
                    throw invalidValue(a, item);
                }
                v.set("value", n);
            }
            case "checkbox" -> {
                JsonNode b = item.isObject() ? item.path("value") : item;
                if (b.isBoolean()) {
                    v.put("value", b.asBoolean());
                } else if (b.isTextual() && ("true".equals(b.asText()) || "false".equals(b.asText()))) {
                    v.put("value", Boolean.parseBoolean(b.asText()));
                } else {
                    throw invalidValue(a, item);
                }
            }
            case "date", "timestamp" -> v.put("value", text(a, item, "value"));
            case "email-address" -> {
                String original = text(a, item, "email_address");
                int at1 = original.indexOf('@');
                if (at1 <= 0 || at1 == original.length() - 1 || original.contains(" ")) {
                    throw AttioApiException.invalid("validation_type",
                            "Invalid email address \"" + original + "\" for attribute \"" + a.slug + "\".");
                }
                String email = original.trim().toLowerCase(Locale.ROOT);
                String domain = email.substring(email.indexOf('@') + 1);
                v.put("original_email_address", original).put("email_address", email).put("email_domain", domain)
                        .put("email_root_domain", rootDomain(domain)).put("email_local_specifier", email.substring(0, email.indexOf('@')));
            }
            case "domain" -> {
                String domain = text(a, item, "domain").trim().toLowerCase(Locale.ROOT)
                        .replaceFirst("^https?://", "").replaceFirst("/.*$", "");
                if (domain.isEmpty() || !domain.contains(".")) {
                    throw AttioApiException.invalid("validation_type", "Invalid domain \"" + domain + "\".");
                }
                v.put("domain", domain).put("root_domain", rootDomain(domain));
            }
            case "personal-name" -> {
                // Attio's input form is the object with all three parts; a bare string or a partial object is refused
                if (!item.isObject() || !item.path("first_name").isTextual() || !item.path("last_name").isTextual()
                        || !item.path("full_name").isTextual()) {
                    throw AttioApiException.invalid("validation_type", "Invalid value " + item + " for attribute \""
                            + a.slug + "\": a personal-name needs first_name, last_name and full_name.");
                }
                v.put("first_name", item.path("first_name").asText()).put("last_name", item.path("last_name").asText())
                        .put("full_name", item.path("full_name").asText());
            }
            case "phone-number" -> {
                String original = text(a, item, "original_phone_number");
                String country = item.isObject() && item.path("country_code").isTextual() ? item.path("country_code").asText() : null;
                String digits = original.replaceAll("[^0-9]", "");
                if (digits.length() < 6) {
                    throw AttioApiException.invalid("validation_type", "Invalid phone number \"" + original + "\".");
                }
                if (country == null) {
                    // no guess: only an international number names its country, by its calling code
                    country = callingCodeCountry(original.trim());
                }
                if (country == null) {
                    throw AttioApiException.invalid("validation_type", "Phone number \"" + original
                            + "\" needs a country_code or an international prefix.");
                }
                v.put("original_phone_number", original).put("country_code", country).put("phone_number", "+" + digits);
            }
            case "location" -> {
                if (!item.isObject()) {
                    throw invalidValue(a, item);
                }
                for (String field : LOCATION_FIELDS) {
                    JsonNode f = item.path(field);
                    if (f.isMissingNode() || !(f.isNull() || f.isTextual())) {
                        throw AttioApiException.invalid("validation_type", "Invalid value for attribute \"" + a.slug
                                + "\": location field \"" + field + "\" is required (a string or null).");
                    }
                }
                if (item.size() != LOCATION_FIELDS.size()) {
                    throw invalidValue(a, item);
                }
                v.setAll((ObjectNode) item);
            }
            case "actor-reference" -> {
                String memberId = null;
                if (item.isObject() && item.path("workspace_member_email_address").isTextual() && item.size() == 1) {
                    String email = item.path("workspace_member_email_address").asText();
                    memberId = members.values().stream().filter(m -> email.equalsIgnoreCase(m.path("email_address").asText()))
                            .map(m -> m.path("id").path("workspace_member_id").asText()).findFirst().orElse(null);
                } else if (item.isObject() && "workspace-member".equals(item.path("referenced_actor_type").asText())
                        && item.size() == 2 && members.containsKey(item.path("referenced_actor_id").asText())) {
                    memberId = item.path("referenced_actor_id").asText();
                }
                if (memberId == null) {
                    throw AttioApiException.invalid("value_not_found", "Invalid value " + item + " for attribute \""
                            + a.slug + "\": no such workspace member.");
                }
                v.put("referenced_actor_type", "workspace-member").put("referenced_actor_id", memberId);
            }
            case "record-reference" -> {
                if (!item.isObject() || !item.path("target_object").isTextual()) {
                    throw invalidValue(a, item);
                }
                Container target = objectOrInvalid(item.path("target_object").asText());
                if (!a.allowedObjects.isEmpty() && !a.allowedObjects.contains(target.id)) {
                    throw AttioApiException.invalid("validation_type", "Attribute \"" + a.slug
                            + "\" cannot reference records of \"" + target.slug + "\".");
                }
                String targetId = resolveReference(target, (ObjectNode) item, at);
                v.put("target_object", target.slug).put("target_record_id", targetId);
            }
            case "select", "status" -> {
                String title = item.isObject() ? item.path("select".equals(a.type) ? "option" : "status").asText()
                        : item.asText();
                ObjectNode option = a.options.get(title);
                if (option == null) {
                    option = a.options.values().stream().filter(o -> o.path("id").path(
                            "select".equals(a.type) ? "option_id" : "status_id").asText().equals(title)).findFirst().orElse(null);
                }
                if (option == null) {
                    throw AttioApiException.invalid("value_not_found", "Cannot find " + a.type + " \"" + title
                            + "\" for attribute \"" + a.slug + "\".");
                }
                v.set("select".equals(a.type) ? "option" : "status", option);
            }
            case "currency" -> {
                JsonNode n = item.isObject() ? item.path("currency_value") : item;
                if (!n.isNumber()) {
                    throw invalidValue(a, item);
                }
                if (item.isObject() && item.has("currency_code") && !item.path("currency_code").asText().equals(a.currency)) {
                    throw AttioApiException.invalid("validation_type", "Attribute \"" + a.slug + "\" is in "
                            + a.currency + "; the currency code belongs to the attribute.");
                }
                v.set("currency_value", n);
                v.put("currency_code", a.currency);
            }
            default -> {
                if (!item.isObject()) {
                    throw invalidValue(a, item);
                }
                v.setAll((ObjectNode) item);
            }
        }
        v.put("attribute_type", a.type);
        return v;
    }

    private String resolveReference(Container target, ObjectNode item, Instant at) {
        if (item.has("target_record_id")) {
            String id = item.path("target_record_id").asText();
            if (!target.rows.containsKey(id)) {
                throw AttioApiException.invalid("value_not_found", "Record \"" + id + "\" of \"" + target.slug + "\" not found.");
            }
            return id;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = item.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if ("target_object".equals(field.getKey())) {
                continue;
            }
            Attribute u = target.attribute(field.getKey());
            if (u == null || !u.unique) {
                throw AttioApiException.invalid("validation_type", "\"" + field.getKey()
                        + "\" is not a unique attribute of \"" + target.slug + "\".");
            }
            for (JsonNode candidate : field.getValue().isArray() ? field.getValue() : NODES.arrayNode().add(field.getValue())) {
                String id = target.unique.getOrDefault(u.slug, Map.of()).get(key(u, convert(target, u, candidate, at)));
                if (id != null) {
                    return id;
                }
            }
            throw AttioApiException.invalid("value_not_found", "No \"" + target.slug + "\" record matches " + field.getValue() + ".");
        }
        throw invalidValue(null, item);
    }

    private Container objectOrInvalid(String slugOrId) {
        try {
            return object(slugOrId);
        } catch (AttioApiException e) {
            throw AttioApiException.invalid("value_not_found", e.getMessage());
        }
    }

    private static String text(Attribute a, JsonNode item, String field) {
        JsonNode t = item.isObject() ? item.path(field) : item;
        if (!t.isTextual()) {
            throw invalidValue(a, item);
        }
        return t.asText();
    }

    private static AttioApiException invalidValue(Attribute a, JsonNode item) {
        return AttioApiException.invalid("validation_type", "Invalid value " + item
                + (a == null ? "" : " for attribute \"" + a.slug + "\" of type " + a.type) + ".");
    }

    private static final List<String> LOCATION_FIELDS = List.of("line_1", "line_2", "line_3", "line_4", "locality",
            "region", "postcode", "country_code", "latitude", "longitude");

    private static String callingCodeCountry(String number) {
        for (String[] code : new String[][]{{"+44", "GB"}, {"+33", "FR"}, {"+49", "DE"}, {"+1", "US"}}) {
            if (number.startsWith(code[0])) {
                return code[1];
            }
        }
        return null;
    }

    private static String rootDomain(String domain) {
        String[] labels = domain.split("\\.");
        return labels.length <= 2 ? domain : labels[labels.length - 2] + "." + labels[labels.length - 1];
    }

    // ------------------------------------------------------------------ reads

    synchronized ArrayNode query(Container c, JsonNode filter, JsonNode sorts, long limit, long offset) {
        Predicate<Row> predicate = filter(c, filter == null ? NODES.objectNode() : filter);
        Comparator<Row> order = order(c, sorts);
        ArrayNode page = NODES.arrayNode();
        if (order == null) {
            // creation order: paging is a slice of the insertion-ordered map
            long skipped = 0;
            for (Row row : c.rows.values()) {
                if (page.size() >= limit) {
                    break;
                }
                if (predicate.test(row) && skipped++ >= offset) {
                    page.add(render(c, row));
                }
            }
            return page;
        }
        c.rows.values().stream().filter(predicate).sorted(order).skip(offset).limit(limit).forEach(r -> page.add(render(c, r)));
        return page;
    }

    private Comparator<Row> order(Container c, JsonNode sorts) {
        if (sorts == null || !sorts.isArray() || sorts.isEmpty()) {
            return null;
        }
        Comparator<Row> order = null;
        boolean creationOrder = true;
        for (JsonNode sort : sorts) {
            boolean desc = "desc".equals(sort.path("direction").asText());
            String slug = sort.has("attribute") ? sort.path("attribute").asText()
                    : sort.path("path").path(sort.path("path").size() - 1).path(1).asText();
            Comparator<Row> next;
            if ("created_at".equals(slug) && c.tiedCreatedAt) {
                // a database returns ties in no defined order, which can differ from one page request to the next
                long salt = ThreadLocalRandom.current().nextLong();
                next = Comparator.<Row, String>comparing(r -> r.createdAt)
                        .thenComparingLong(r -> Long.rotateLeft(r.seq * 0x9E3779B97F4A7C15L ^ salt, 17));
                creationOrder = false;
            } else if ("created_at".equals(slug)) {
                next = Comparator.comparingLong(r -> r.seq);
                creationOrder &= !desc && order == null;
            } else {
                Attribute a = c.attribute(slug);
                if (a == null) {
                    throw AttioApiException.invalid("filter_error", "Cannot sort by unknown attribute \"" + slug + "\".");
                }
                String field = sort.path("field").asText(null);
                next = Comparator.comparing(r -> sortKey(a, r, field), Comparator.nullsLast(Comparator.naturalOrder()));
                creationOrder = false;
            }
            next = desc ? next.reversed() : next;
            order = order == null ? next : order.thenComparing(next);
        }
        return creationOrder ? null : order.thenComparingLong(r -> r.seq);
    }

    private static String sortKey(Attribute a, Row r, String field) {
        List<ObjectNode> values = r.values.getOrDefault(a.slug, List.of());
        if (values.isEmpty()) {
            return null;
        }
        JsonNode f = fieldOf(a, values.get(0), field);
        if (f.isNumber()) {
            return String.format(Locale.ROOT, "%030.6f", f.asDouble() + 1e15);
        }
        return f.isMissingNode() || f.isNull() ? null : f.asText().toLowerCase(Locale.ROOT);
    }

    private static JsonNode fieldOf(Attribute a, ObjectNode v, String field) {
        if (field != null) {
            JsonNode direct = v.path(field);
            if (!direct.isMissingNode()) {
                return direct;
            }
            return v.path("select".equals(a.type) ? "option" : "status").path(field);
        }
        return switch (a.type) {
            case "select" -> v.path("option").path("title");
            case "status" -> v.path("status").path("title");
            default -> NODES.textNode(key(a, v));
        };
    }

    private Predicate<Row> filter(Container c, JsonNode filter) {
        if (!filter.isObject()) {
            throw AttioApiException.invalid("filter_error", "A filter must be an object.");
        }
        List<Predicate<Row>> all = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = filter.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            JsonNode condition = field.getValue();
            switch (name) {
                case "$and", "$or" -> {
                    if (!condition.isArray()) {
                        throw AttioApiException.invalid("filter_error", name + " expects an array of filters.");
                    }
                    List<Predicate<Row>> parts = new ArrayList<>();
                    condition.forEach(f -> parts.add(filter(c, f)));
                    all.add("$and".equals(name) ? r -> parts.stream().allMatch(p -> p.test(r))
                            : r -> parts.stream().anyMatch(p -> p.test(r)));
                }
                case "$not" -> all.add(filter(c, condition).negate());
                case "record_id", "entry_id" -> {
                    Predicate<String> test = operators(name, condition, false);
                    all.add(r -> test.test(r.id));
                }
                default -> {
                    Attribute a = c.attribute(name);
                    if (a == null) {
                        throw AttioApiException.invalid("filter_error", "Unknown attribute slug or ID \"" + name + "\" in filter.");
                    }
                    all.add(attributeFilter(a, condition));
                }
            }
        }
        if (all.isEmpty()) {
            return r -> true;
        }
        return all.size() == 1 ? all.get(0) : r -> all.stream().allMatch(p -> p.test(r));
    }

    private Predicate<Row> attributeFilter(Attribute a, JsonNode condition) {
        boolean caseless = "email-address".equals(a.type) || "domain".equals(a.type);
        if (condition.isObject() && condition.has("$not_empty")) {
            boolean wanted = condition.path("$not_empty").asBoolean();
            return r -> !r.values.getOrDefault(a.slug, List.of()).isEmpty() == wanted;
        }
        String property = null;
        JsonNode ops = condition;
        if (condition.isObject()) {
            Iterator<String> names = condition.fieldNames();
            String first = names.hasNext() ? names.next() : "";
            if (!first.startsWith("$")) {
                if (condition.size() != 1) {
                    throw AttioApiException.invalid("filter_error", "Filter on \"" + a.slug + "\" names several properties.");
                }
                property = first;
                ops = condition.path(first);
            }
        }
        Predicate<String> test = operators(a.slug, ops, caseless);
        String prop = property;
        if ("created_at".equals(a.slug)) {
            return r -> test.test(r.createdAt);
        }
        if ("record_id".equals(a.slug)) {
            return r -> test.test(r.id);
        }
        return r -> {
            for (ObjectNode v : r.values.getOrDefault(a.slug, List.of())) {
                JsonNode f = fieldOf(a, v, prop);
                if (!f.isMissingNode() && !f.isNull() && test.test(f.asText())) {
                    return true;
                }
            }
            return false;
        };
    }

    private static Predicate<String> operators(String name, JsonNode ops, boolean caseless) {
        if (!ops.isObject()) {
            if (!ops.isValueNode() || ops.isNull()) {
                throw AttioApiException.invalid("filter_error", "Unsupported filter value for \"" + name + "\".");
            }
            String expected = ops.asText();
            return caseless ? s -> s.equalsIgnoreCase(expected) : s -> s.equals(expected);
        }
        List<Predicate<String>> tests = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = ops.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> op = fields.next();
            String x = op.getValue().asText();
            String xl = x.toLowerCase(Locale.ROOT);
            switch (op.getKey()) {
                case "$eq" -> tests.add(caseless ? s -> s.equalsIgnoreCase(x) : s -> s.equals(x));
                case "$contains" -> tests.add(s -> s.toLowerCase(Locale.ROOT).contains(xl));
                case "$starts_with" -> tests.add(s -> s.toLowerCase(Locale.ROOT).startsWith(xl));
                case "$ends_with" -> tests.add(s -> s.toLowerCase(Locale.ROOT).endsWith(xl));
                case "$in" -> {
                    List<String> options = new ArrayList<>();
                    op.getValue().forEach(o -> options.add(o.asText()));
                    tests.add(options::contains);
                }
                case "$gt", "$gte", "$lt", "$lte" -> {
                    String kind = op.getKey();
                    tests.add(s -> {
                        int cmp = compare(s, x);
                        return switch (kind) {
                            case "$gt" -> cmp > 0;
                            case "$gte" -> cmp >= 0;
                            case "$lt" -> cmp < 0;
                            default -> cmp <= 0;
                        };
                    });
                }
                default -> throw AttioApiException.invalid("filter_error",
                        "Unsupported filter operator \"" + op.getKey() + "\" on \"" + name + "\".");
            }
        }
        return s -> tests.stream().allMatch(t -> t.test(s));
    }

    private static int compare(String a, String b) {
        try {
            return Double.compare(Double.parseDouble(a), Double.parseDouble(b));
        } catch (NumberFormatException e) {
            return a.compareTo(b);
        }
    }

    synchronized ObjectNode render(Container c, Row row) {
        ObjectNode node = NODES.objectNode();
        ObjectNode id = node.putObject("id").put("workspace_id", workspaceId);
        if (c.list) {
            id.put("list_id", c.id).put("entry_id", row.id);
            node.put("parent_record_id", row.parentRecordId)
                    .put("parent_object", c.parentById ? object(row.parentObject).id : row.parentObject);
            node.put("created_at", row.createdAt);
        } else {
            id.put("object_id", c.id).put("record_id", row.id);
            node.put("created_at", row.createdAt);
            node.put("web_url", "https://app.attio.com/" + workspaceSlug + "/" + c.singular.toLowerCase(Locale.ROOT) + "/" + row.id);
        }
        ObjectNode values = node.putObject(c.list ? "entry_values" : "values");
        for (Attribute a : c.attributes.values()) {
            ArrayNode array = values.putArray(a.slug);
            if ("record_id".equals(a.slug)) {
                array.add(systemValue(row, a, row.id));
            } else if ("created_at".equals(a.slug)) {
                array.add(systemValue(row, a, row.createdAt));
            } else {
                row.values.getOrDefault(a.slug, List.of()).forEach(array::add);
            }
        }
        return node;
    }

    private ObjectNode systemValue(Row row, Attribute a, String value) {
        ObjectNode v = NODES.objectNode();
        v.put("active_from", row.createdAt).putNull("active_until");
        v.putObject("created_by_actor").put("type", "system").put("id", SYSTEM_ACTOR_ID);
        return v.put("value", value).put("attribute_type", a.type);
    }

    ObjectNode renderObject(Container c) {
        ObjectNode node = NODES.objectNode();
        node.putObject("id").put("workspace_id", workspaceId).put("object_id", c.id);
        node.put("api_slug", c.slug);
        if (c.slugHidden) {
            node.putNull("api_slug");
        }
        return node.put("singular_noun", c.singular).put("plural_noun", c.plural).put("created_at", c.createdAt);
    }

    ObjectNode renderList(Container c) {
        ObjectNode node = NODES.objectNode();
        node.putObject("id").put("workspace_id", workspaceId).put("list_id", c.id);
        node.put("api_slug", c.slug).put("name", c.plural);
        node.putArray("parent_object").add(c.parentObject);
        node.put("workspace_access", "full-access");
        node.putArray("workspace_member_access");
        node.putObject("created_by_actor").put("type", "system").put("id", SYSTEM_ACTOR_ID);
        return node.put("created_at", c.createdAt);
    }

    ObjectNode renderAttribute(Container c, Attribute a) {
        ObjectNode node = NODES.objectNode();
        node.putObject("id").put("workspace_id", workspaceId).put("object_id", c.id).put("attribute_id", a.id);
        node.put("title", a.title).putNull("description").put("api_slug", a.slug).put("type", a.type)
                .put("is_system_attribute", a.system).put("is_writable", a.writable).put("is_required", a.required)
                .put("is_unique", a.unique).put("is_multiselect", a.multiselect).put("is_default_value_enabled", false)
                .put("is_archived", false).putNull("default_value").putNull("relationship").put("created_at", a.createdAt);
        ObjectNode config = node.putObject("config");
        // the document's enums admit no null here, so non-currency attributes carry the workspace default
        config.putObject("currency").put("default_currency_code", a.currency == null ? "USD" : a.currency)
                .put("display_type", "symbol");
        ArrayNode allowed = config.putObject("record_reference").putArray("allowed_object_ids");
        a.allowedObjects.forEach(allowed::add);
        return node;
    }

    // ------------------------------------------------------------------ events

    private void emitRecordEvents(Container c, Row row, boolean created, List<String> changed) {
        if (created) {
            eventSink.accept(List.of(event("record.created", recordIdNode(c, row.id))));
            return;
        }
        // one event per changed attribute, as Attio sends them, in one delivery
        if (!changed.isEmpty()) {
            eventSink.accept(changed.stream().map(slug -> event("record.updated",
                    recordIdNode(c, row.id).put("attribute_id", c.attributes.get(slug).id))).toList());
        }
    }

    ObjectNode recordIdNode(Container c, String recordId) {
        return NODES.objectNode().put("workspace_id", workspaceId).put("object_id", c.id).put("record_id", recordId);
    }

    private ObjectNode entryEvent(String type, Container c, Row row, String attributeId) {
        ObjectNode id = NODES.objectNode().put("workspace_id", workspaceId).put("list_id", c.id).put("entry_id", row.id);
        if (attributeId != null) {
            id.put("attribute_id", attributeId);
        }
        ObjectNode event = event(type, id);
        event.put("parent_object_id", object(row.parentObject).id).put("parent_record_id", row.parentRecordId);
        return event;
    }

    /** The actor of the write in progress: the API token, the member acting in the UI, or Attio itself. */
    synchronized ObjectNode actor() {
        if (systemActing) {
            return NODES.objectNode().put("type", "system").put("id", SYSTEM_ACTOR_ID);
        }
        return memberActing == null ? NODES.objectNode().put("type", "api-token").put("id", apiTokenId)
                : NODES.objectNode().put("type", "workspace-member").put("id", memberActing);
    }

    ObjectNode event(String type, ObjectNode id) {
        ObjectNode event = NODES.objectNode().put("event_type", type);
        event.set("id", id);
        event.set("actor", actor());
        return event;
    }

    /** A version-4 UUID without SecureRandom's lock: bulk seeding creates 100,000 of them. */
    static String fastUuid() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    // ------------------------------------------------------------------ time

    /** Strictly increasing timestamps, so created_at order equals creation order. */
    synchronized Instant now() {
        Instant t = Instant.now();
        if (!t.isAfter(lastInstant)) {
            t = lastInstant.plusNanos(1);
        }
        lastInstant = t;
        return t;
    }

    private Instant lastFormattedInstant;
    private String lastFormatted;

    /** Formatting dominates bulk seeding; one write formats the same instant several times. */
    private synchronized String formatted(Instant at) {
        if (!at.equals(lastFormattedInstant)) {
            lastFormattedInstant = at;
            lastFormatted = TIMESTAMP.format(at);
        }
        return lastFormatted;
    }

    String timestamp() {
        return TIMESTAMP.format(now());
    }

    static String format(Instant instant) {
        return TIMESTAMP.format(instant);
    }
}
