-- Rows a full sync found unchanged, as marks of their own. Stamping them in the mirror (last_seen_key/_run) rewrote
-- every wide row, values included, and moved its index entry, so a nightly run in which nothing changed cost about as
-- much as a first load. Created and updated rows are written anyway and keep their stamp; the deletion pass spares a
-- row stamped by the run or marked here. A run's marks are dropped when it completes or fails.
-- The key starts with the id: H2 uses an IN list only on an index's first column.
CREATE TABLE sync_seen (
    item_id  VARCHAR(64) NOT NULL,
    run_key  BIGINT      NOT NULL,
    PRIMARY KEY (item_id, run_key)
);
