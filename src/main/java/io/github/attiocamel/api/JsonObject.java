package io.github.attiocamel.api;

/**
 * A JSON object answer of the bundle API, in the OpenAPI document only: each operation's description and example
 * name its fields (the flows answer maps, not classes, so there is no closer schema to give).
 */
public record JsonObject() {
}
