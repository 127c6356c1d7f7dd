-- V80's index holds every row kept for attio.changes.retention while the relay's look-up (published_at IS NULL
-- ORDER BY seq LIMIT n) wants only the few still to relay: a partial index of those, in seq order, as V61 does for
-- the inbox (H2 has no partial indexes and keeps V80's).
CREATE INDEX change_outbox_pending ON change_outbox (seq) WHERE published_at IS NULL;
