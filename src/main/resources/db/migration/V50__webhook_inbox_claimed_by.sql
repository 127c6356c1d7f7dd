-- Webhook inbox claims name their claimer: a row in processing is taken over as soon as the process holding it shows
-- no life (its presence row in work_item, kind 'process', renewed with the work tracker's heartbeat), instead of
-- after a fixed lease. Rows claimed before this migration name nobody and are taken over at once.
ALTER TABLE webhook_inbox ADD COLUMN claimed_by VARCHAR(160);
