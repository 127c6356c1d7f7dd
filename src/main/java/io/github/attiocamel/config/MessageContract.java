package io.github.attiocamel.config;

import org.apache.camel.spi.Metadata;

/**
 * Every value that passes from one step of the bundle's routes to another, declared once. The flows carry their
 * own values as exchange <em>variables</em> ({@code ${variable.AttioEventType}}, {@code setVariable}), never as
 * headers: a header would travel on with the message to whatever endpoint an estate plugs in (Kafka, JMS, HTTP),
 * and a caller of the bundle's HTTP API could send one. Headers appear only where Camel or HTTP defines them: the
 * request's path and query parameters, which platform-http hands over as headers ({@link #PARAM_ID} and its
 * siblings), and where they are meant to travel: those the change feed's relay sends with each message. One naming scheme: {@code Attio} + what the value is.
 *
 * <p>A route sets each variable visibly ({@code setVariable} from an expression or a bean's result) before the step
 * that reads it; beans take them as parameters ({@code @Variable}) and return results. {@code MessageContractTest}
 * fails on a route or bean that reads a name not declared here.
 */
public final class MessageContract {

    private MessageContract() {}

    // ---- HTTP request headers the bundle reads ---------------------------------------------------------------

    @Metadata(label = "header", javaType = "String",
            description = "Attio's webhook signature: lowercase hex HMAC-SHA256 of the raw body with the webhook secret")
    public static final String HEADER_SIGNATURE = "Attio-Signature";

    @Metadata(label = "header", javaType = "String", description = "The same signature under its older name")
    public static final String HEADER_SIGNATURE_LEGACY = "X-Attio-Signature";

    @Metadata(label = "header", javaType = "String",
            description = "Attio's key of a webhook message, the same across its retries")
    public static final String HEADER_IDEMPOTENCY_KEY = "Idempotency-Key";

    @Metadata(label = "header", javaType = "String",
            description = "Bearer token of the bundle API, checked (and removed) by api.ApiGate before any /api route runs")
    public static final String HEADER_AUTHORIZATION = "Authorization";

    @Metadata(label = "header", javaType = "String",
            description = "The request path as Vert.x matched it (set by platform-http, never by a client): tells the sync "
                    + "triggers' /api/sync/lists/{list} from /api/sync/{object}")
    public static final String HEADER_HTTP_PATH = "CamelHttpPath";

    @Metadata(label = "header", javaType = "String",
            description = "W3C trace context (attio.tracing.*): written by Camel's tracer at each span; set from the "
                    + "row where the inbox and the change relay continue a stored trace, read where it is stored")
    public static final String HEADER_TRACEPARENT = "traceparent";

    // ---- gateway ------------------------------------------------------------------------------------------------

    @Metadata(label = "variable", javaType = "io.github.attiocamel.gateway.AttioRequest",
            description = "The call to Attio: budget, endpoint class, method, path, query, body; kept across retries")
    public static final String REQUEST = "AttioRequest";

    @Metadata(label = "variable", javaType = "java.util.Date",
            description = "When an attempt began waiting for the Retry-After gate and the throttle (a metric)")
    public static final String QUEUED_AT = "AttioQueuedAt";

    @Metadata(label = "variable", javaType = "java.lang.Integer",
            description = "The attempt's redelivery count, carried over the HTTP call whose answer replaces the headers")
    public static final String REDELIVERIES = "AttioRedeliveries";

    // ---- webhook intake and inbox ----------------------------------------------------------------------------

    @Metadata(label = "variable", javaType = "String",
            description = "Deduplication key of a verified delivery: Attio's Idempotency-Key, or a hash of the body")
    public static final String DELIVERY_KEY = "AttioDeliveryKey";

    @Metadata(label = "variable", javaType = "Boolean",
            description = "True when the intake stored the delivery, false when its key was a duplicate")
    public static final String STORED = "AttioStored";

    @Metadata(label = "variable", javaType = "io.github.attiocamel.webhook.InboxRow",
            description = "The claimed inbox row a delivery's events come from; completed after its events ran")
    public static final String INBOX_ROW = "AttioInboxRow";

    @Metadata(label = "variable", javaType = "Long", description = "Id of that inbox row, for log lines")
    public static final String INBOX_ID = "AttioInboxId";

    @Metadata(label = "variable", javaType = "java.time.Instant",
            description = "When the delivery was received: a fetch that started later already shows the event")
    public static final String RECEIVED_AT = "AttioReceivedAt";

    @Metadata(label = "variable", javaType = "java.util.Map",
            description = "One event of the delivery, kept so a failed event can be retried or dead-lettered alone")
    public static final String EVENT = "AttioEvent";

    @Metadata(label = "variable", javaType = "String",
            description = "The event's event_type (record.updated, ...): what the router branches on")
    public static final String EVENT_TYPE = "AttioEventType";

    // ---- contacts ---------------------------------------------------------------------------------------------

    @Metadata(label = "variable", javaType = "Boolean",
            description = "false when the caller ignores the created flags (batch rows): spares the reads that tell them")
    public static final String REPORT_CREATED = "AttioUpsertReportCreated";

    @Metadata(label = "variable", javaType = "String", description = "Id of the batch job a row or file belongs to")
    public static final String JOB_ID = "AttioJobId";

    @Metadata(label = "variable", javaType = "String", description = "File a batch job reads its rows from")
    public static final String JOB_FILE = "AttioJobFile";

    @Metadata(label = "variable", javaType = "String",
            description = "Name of that file as given; its extension (.csv, .json, .ndjson) tells the format")
    public static final String JOB_NAME = "AttioJobName";

    @Metadata(label = "variable", javaType = "io.github.attiocamel.contacts.ContactRows.Row",
            description = "One row of a batch as read, kept so a failure is recorded against its row number")
    public static final String ROW = "AttioRow";

    @Metadata(label = "variable", javaType = "com.fasterxml.jackson.databind.JsonNode",
            description = "The contact of that row: what a redelivery sends again, never a half-mapped body")
    public static final String CONTACT = "AttioContact";

    // ---- full sync --------------------------------------------------------------------------------------------

    @Metadata(label = "variable", javaType = "String", description = "records (an object) or entries (a list)")
    public static final String SYNC_KIND = "AttioSyncKind";

    @Metadata(label = "variable", javaType = "String", description = "Slug of the object or list a run mirrors")
    public static final String SYNC_TARGET = "AttioSyncTarget";

    @Metadata(label = "variable", javaType = "String", description = "Who asked for the run: schedule or api")
    public static final String SYNC_TRIGGER = "AttioSyncTrigger";

    @Metadata(label = "variable", javaType = "io.github.attiocamel.sync.SyncRun",
            description = "The run being worked on as persisted when it began; each page exchange starts with it")
    public static final String SYNC_RUN = "AttioSyncRun";

    // ---- change feed (the relay; its headers go out with each message, for the estate's endpoint) -------------

    @Metadata(label = "variable", javaType = "io.github.attiocamel.mirror.ChangeRelay.Batch",
            description = "The outbox messages one relay poll took, handed back in doFinally to mark those sent")
    public static final String CHANGE_BATCH = "AttioChangeBatch";

    @Metadata(label = "variable", javaType = "io.github.attiocamel.mirror.ChangeRelay.Message",
            description = "The outbox message being sent, reported sent once the endpoint took it")
    public static final String CHANGE = "AttioChange";

    @Metadata(label = "header", javaType = "String",
            description = "Sent with each change message: its stable change_id, the same on a re-send, to deduplicate by")
    public static final String HEADER_CHANGE_ID = "AttioChangeId";

    @Metadata(label = "header", javaType = "String",
            description = "Sent with each change message: the record's (or entry's, note's...) id, its ordering key")
    public static final String HEADER_CHANGE_KEY = "AttioChangeKey";

    @Metadata(label = "header", javaType = "String",
            description = "camel-kafka's record key, set to the record id so one record's changes share a partition")
    public static final String HEADER_KAFKA_KEY = "kafka.KEY";

    // ---- long-running work (the work tracker) ----------------------------------------------------------------

    @Metadata(label = "variable", javaType = "String",
            description = "Id of work the tracker adopted (a sync run's run_id, a batch job's job_id), for its flow")
    public static final String WORK_ID = "AttioWorkId";

    @Metadata(label = "variable", javaType = "String",
            description = "Kind of that work (sync-run, contact-job): which flow's resume endpoint continues it")
    public static final String WORK_KIND = "AttioWorkKind";

    // ---- HTTP parameters (headers set by platform-http from the request's path and query) ---------------------

    @Metadata(label = "header", javaType = "String", description = "{id} of /api/jobs/{id}, /api/dead-letters/{id} and /api/conflicts/{id}:resolve (id and verb)")
    public static final String PARAM_ID = "id";

    @Metadata(label = "header", javaType = "String", description = "{object} of /api/mirror/{object} and /api/sync/{object}")
    public static final String PARAM_OBJECT = "object";

    @Metadata(label = "header", javaType = "String", description = "{record_id} of /api/mirror/{object}/{record_id}; ?record_id= of /api/conflicts")
    public static final String PARAM_RECORD_ID = "record_id";

    @Metadata(label = "header", javaType = "String", description = "{list} of /api/sync/lists/{list}")
    public static final String PARAM_LIST = "list";

    @Metadata(label = "header", javaType = "String", description = "{run_id} of /api/sync/runs/{run_id}")
    public static final String PARAM_RUN_ID = "run_id";

    @Metadata(label = "header", javaType = "String", description = "?limit= of a paged list (1-500, default 50)")
    public static final String PARAM_LIMIT = "limit";

    @Metadata(label = "header", javaType = "String", description = "?offset= of a paged list (default 0)")
    public static final String PARAM_OFFSET = "offset";
}
