-- A replayed dead letter's inbox row points back at its letter: at most one replay of a letter is pending, and a
-- replay that fails again updates that letter instead of adding another.
ALTER TABLE webhook_inbox ADD COLUMN dead_letter_id BIGINT;
CREATE INDEX webhook_inbox_dead_letter ON webhook_inbox (dead_letter_id);
