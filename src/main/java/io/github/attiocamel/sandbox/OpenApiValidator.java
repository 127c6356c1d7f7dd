package io.github.attiocamel.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Matches a request to an operation of the trimmed Attio OpenAPI document and validates its path and query
 * parameters and JSON body against that operation (OpenAPI 3.1 schemas are JSON Schema 2020-12).
 */
final class OpenApiValidator {

    static final String RESOURCE = "attio/openapi-trimmed.json";
    private static final List<String> METHODS = List.of("get", "post", "put", "patch", "delete");

    /** A matched operation plus the path parameters taken from the request path. */
    record Match(Operation operation, Map<String, String> pathParams) {
    }

    static final class Operation {
        final String method;
        final String template;
        final String[] segments;
        final List<JsonNode> parameters = new ArrayList<>();
        final JsonNode bodySchema;
        final boolean bodyRequired;
        final JsonNode responses;
        private final long literalSegments;

        Operation(String method, String template, JsonNode pathItem, JsonNode operation) {
            this.method = method;
            this.template = template;
            this.segments = template.substring(1).split("/");
            this.literalSegments = java.util.Arrays.stream(segments).filter(s -> !s.startsWith("{")).count();
            pathItem.path("parameters").forEach(parameters::add);
            operation.path("parameters").forEach(parameters::add);
            JsonNode body = operation.path("requestBody");
            this.bodySchema = body.path("content").path("application/json").path("schema");
            this.bodyRequired = body.path("required").asBoolean(false);
            this.responses = operation.path("responses");
        }

        Map<String, String> match(String[] pathSegments) {
            if (pathSegments.length != segments.length) {
                return null;
            }
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 0; i < segments.length; i++) {
                String segment = segments[i];
                if (segment.startsWith("{")) {
                    if (pathSegments[i].isEmpty()) {
                        return null;
                    }
                    params.put(segment.substring(1, segment.length() - 1),
                            java.net.URLDecoder.decode(pathSegments[i], java.nio.charset.StandardCharsets.UTF_8));
                } else if (!segment.equals(pathSegments[i])) {
                    return null;
                }
            }
            return params;
        }
    }

    private final ObjectMapper mapper;
    private final List<Operation> operations = new ArrayList<>();
    private final ObjectNode components;
    private final JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    // Attio rejects malformed UUIDs, dates and URLs, so formats are assertions here, not annotations
    private final SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    // responses: formats stay annotations, because the document's own examples break them
    // (timestamp values are typed "format": "date" yet carry date-times)
    private final SchemaValidatorsConfig responseConfig = SchemaValidatorsConfig.builder().formatAssertionsEnabled(false).build();
    // keyed by identity: JsonNode equality would hash whole schema trees on every request
    private final Map<JsonNode, JsonSchema> compiled = java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());
    private final Map<JsonNode, JsonSchema> compiledResponses = java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());

    OpenApiValidator(ObjectMapper mapper) {
        this.mapper = mapper;
        JsonNode document;
        try (InputStream in = OpenApiValidator.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath");
            }
            document = mapper.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.components = (ObjectNode) document.path("components");
        Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields();
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (String method : METHODS) {
                JsonNode operation = path.getValue().get(method);
                if (operation != null) {
                    operations.add(new Operation(method.toUpperCase(), path.getKey(), path.getValue(), operation));
                }
            }
        }
        // literal segments win over templated ones (/v2/objects/records/search before /v2/{target}/...)
        operations.sort(Comparator.comparingLong((Operation o) -> -o.literalSegments));
    }

    /** The operation for this method and path, or null when the document has none. */
    Match match(String method, String path) {
        String[] pathSegments = (path.startsWith("/") ? path.substring(1) : path).split("/", -1);
        for (Operation operation : operations) {
            if (operation.method.equals(method)) {
                Map<String, String> params = operation.match(pathSegments);
                if (params != null) {
                    return new Match(operation, params);
                }
            }
        }
        return null;
    }

    /** Every way the request breaks the operation's contract; empty when it conforms. */
    List<String> validate(Match match, Map<String, List<String>> query, String body) {
        Operation operation = match.operation();
        List<String> problems = new ArrayList<>();
        List<String> declaredQuery = new ArrayList<>();
        for (JsonNode parameter : operation.parameters) {
            String name = parameter.path("name").asText();
            String in = parameter.path("in").asText();
            boolean required = parameter.path("required").asBoolean(false);
            String raw;
            if ("path".equals(in)) {
                raw = match.pathParams().get(name);
            } else if ("query".equals(in)) {
                declaredQuery.add(name);
                List<String> values = query.get(name);
                if (values != null && values.size() > 1) {
                    problems.add("query parameter " + name + " is repeated");
                    continue;
                }
                raw = values == null ? null : values.get(0);
            } else {
                continue;
            }
            if (raw == null) {
                if (required) {
                    problems.add(in + " parameter " + name + " is required");
                }
                continue;
            }
            JsonNode schema = parameter.path("schema");
            for (ValidationMessage message : schema(schema).validate(coerce(raw, schema))) {
                problems.add(in + " parameter " + name + ": " + message.getMessage());
            }
        }
        for (String name : query.keySet()) {
            if (!declaredQuery.contains(name)) {
                // Attio would silently ignore it (e.g. offset in the query string of a POST .../query): a bug here
                problems.add("query parameter " + name + " is not defined for " + operation.method + " " + operation.template);
            }
        }
        if (operation.bodySchema.isMissingNode()) {
            return problems;
        }
        if (body == null || body.isBlank()) {
            if (operation.bodyRequired) {
                problems.add("request body is required");
            }
            return problems;
        }
        JsonNode json;
        try {
            json = mapper.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            problems.add("request body is not valid JSON: " + e.getOriginalMessage());
            return problems;
        }
        for (ValidationMessage message : schema(operation.bodySchema).validate(json)) {
            problems.add("body " + message.getMessage());
        }
        return problems;
    }

    /** How a response breaks the operation's documented response (used by tests to keep the simulator honest). */
    List<String> validateResponse(Match match, int status, String body) throws IOException {
        JsonNode schema = match.operation().responses.path(String.valueOf(status)).path("content")
                .path("application/json").path("schema");
        if (schema.isMissingNode()) {
            return List.of("no documented JSON response " + status + " for " + match.operation().method + " "
                    + match.operation().template);
        }
        List<String> problems = new ArrayList<>();
        for (ValidationMessage message : schema(schema, compiledResponses, responseConfig).validate(mapper.readTree(body))) {
            problems.add(message.getMessage());
        }
        return problems;
    }

    private JsonSchema schema(JsonNode schema) {
        return schema(schema, compiled, config);
    }

    private JsonSchema schema(JsonNode schema, Map<JsonNode, JsonSchema> cache, SchemaValidatorsConfig settings) {
        return cache.computeIfAbsent(schema, s -> {
            // the operation schema becomes a document root that carries the components its $refs point into
            ObjectNode root = JsonNodeFactory.instance.objectNode();
            root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
            if (s.isObject()) {
                root.setAll((ObjectNode) s);
            }
            root.set("components", components);
            return factory.getSchema(root, settings);
        });
    }

    /** Query and path parameters arrive as text: read them as the type the schema declares. */
    private JsonNode coerce(String raw, JsonNode schema) {
        List<String> types = new ArrayList<>();
        JsonNode type = schema.path("type");
        if (type.isArray()) {
            type.forEach(t -> types.add(t.asText()));
        } else {
            types.add(type.asText());
        }
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        if (types.contains("integer") || types.contains("number")) {
            try {
                return raw.contains(".") || raw.contains("e") || raw.contains("E")
                        ? nodes.numberNode(new java.math.BigDecimal(raw)) : nodes.numberNode(Long.parseLong(raw));
            } catch (NumberFormatException e) {
                return nodes.textNode(raw);
            }
        }
        if (types.contains("boolean") && ("true".equals(raw) || "false".equals(raw))) {
            return nodes.booleanNode(Boolean.parseBoolean(raw));
        }
        return nodes.textNode(raw);
    }
}
