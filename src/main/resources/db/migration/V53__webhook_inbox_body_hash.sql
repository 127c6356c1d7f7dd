-- The SHA-256 of a delivery's exact bytes: the same signed body re-sent under a fresh Idempotency-Key while the first
-- is still waiting or being processed is a duplicate (that row's fetch happens after both arrivals).
ALTER TABLE webhook_inbox ADD COLUMN body_hash VARCHAR(64);
CREATE INDEX webhook_inbox_body_hash ON webhook_inbox (body_hash, state);
