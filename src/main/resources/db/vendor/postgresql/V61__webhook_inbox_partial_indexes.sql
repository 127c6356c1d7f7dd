-- The inbox keeps finished rows for attio.webhook.done-retention (7 days: ~600,000 rows at one delivery a second)
-- while only a few hundred wait or are being processed. PostgreSQL indexes only the rows each query can want (partial
-- indexes; H2 has none and keeps V1/V53's). Plans below: EXPLAIN ANALYZE over 300,000 done, 200 waiting and 50
-- claimed rows, 50,000 finished work items.

-- The claim (WebhookInboxRepository.claim: waiting or stale-claimed rows, ORDER BY id LIMIT n FOR UPDATE SKIP
-- LOCKED) and the release of claims (state = 'processing'): an index scan in id order over the pending rows only,
-- 0.14 ms without a sort, where V1's (state, id) took a bitmap scan and a sort (0.57 ms).
CREATE INDEX webhook_inbox_pending ON webhook_inbox (id) WHERE state IN ('received', 'processing');
DROP INDEX webhook_inbox_state;

-- The intake's duplicate-body check (accept: body_hash = ? AND state IN ('received', 'processing')): same 0.04 ms
-- lookup from an index of 32 kB instead of V53's 22 MB over every row kept, which each delivery's insert also paid.
CREATE INDEX webhook_inbox_pending_body ON webhook_inbox (body_hash) WHERE state IN ('received', 'processing');
DROP INDEX webhook_inbox_body_hash;

-- The hourly purge (purge: state = 'done' AND processed_at < ?): 3,600 rows deleted by an index range in 4 ms
-- instead of a sequential scan of the whole inbox (216 ms, growing with the retention).
CREATE INDEX webhook_inbox_done_processed ON webhook_inbox (processed_at) WHERE state = 'done';
