package io.github.attiocamel.contacts;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One person attribute a contact write held back: the local value (Attio's write form), the value Attio keeps (read
 * form) and the two instants the policy compared. {@code id} is the queue's, once queued.
 */
record ContactConflict(Long id, String recordId, String email, String attribute, ConflictPolicy policy,
                       JsonNode localValue, Instant localUpdatedAt, JsonNode attioValue, Instant attioActiveFrom,
                       String jobId, Integer rowNo, Instant detectedAt, Instant resolvedAt, String resolution) {

    ContactConflict queued(long queueId) {
        return new ContactConflict(queueId, recordId, email, attribute, policy, localValue, localUpdatedAt,
                attioValue, attioActiveFrom, jobId, rowNo, detectedAt, resolvedAt, resolution);
    }

    /** How the contact answer, a job's answer and GET /api/conflicts show it. */
    Map<String, Object> toAnswer() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("id", id);
        a.put("object", "people");
        a.put("record_id", recordId);
        a.put("email", email);
        a.put("attribute", attribute);
        a.put("policy", policy.setting);
        a.put("local_value", localValue);
        a.put("local_updated_at", localUpdatedAt == null ? null : localUpdatedAt.toString());
        a.put("attio_value", attioValue);
        a.put("attio_active_from", attioActiveFrom.toString());
        if (jobId != null) {
            a.put("job_id", jobId);
            a.put("row", rowNo);
        }
        a.put("detected_at", detectedAt == null ? null : detectedAt.toString());
        if (resolvedAt != null) {
            a.put("resolved_at", resolvedAt.toString());
            a.put("resolution", resolution);
        }
        return a;
    }
}
