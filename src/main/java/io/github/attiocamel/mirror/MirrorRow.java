package io.github.attiocamel.mirror;

import java.time.Instant;

/**
 * One mirrored Attio record or list entry. {@code container} is the object slug (records) or list slug (entries);
 * {@code containerId} the object or list UUID. {@code valuesJson} is Attio's {@code values} (or {@code entry_values})
 * as canonical JSON ({@link ValuesHash#canonical}, keys sorted) and {@code valuesHash} its hash: the only thing
 * compared to decide whether a row really changed. Parent fields are set for entries; {@code webUrl} and
 * {@code mergedInto} for records.
 */
public record MirrorRow(
        MirrorKind kind,
        String container,
        String id,
        String workspaceId,
        String containerId,
        String parentObject,
        String parentRecordId,
        String valuesJson,
        String valuesHash,
        String webUrl,
        String createdAt,
        Instant syncedAt,
        String source,
        boolean deleted,
        String mergedInto) {

    /** The same row under another provenance. */
    public MirrorRow withSource(String otherSource) {
        return new MirrorRow(kind, container, id, workspaceId, containerId, parentObject, parentRecordId, valuesJson,
                valuesHash, webUrl, createdAt, syncedAt, otherSource, deleted, mergedInto);
    }
}
