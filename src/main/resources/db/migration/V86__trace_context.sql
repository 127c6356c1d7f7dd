-- The W3C trace context (traceparent, 55 characters) of the webhook delivery that stored an inbox row and of the
-- flow that wrote a change message, so the inbox consumer and the change relay continue those traces when they pick
-- the row up later, on another thread or in another process (attio.tracing.*). NULL while tracing is off. Portable.
ALTER TABLE webhook_inbox ADD COLUMN traceparent VARCHAR(55);
ALTER TABLE change_outbox ADD COLUMN traceparent VARCHAR(55);
