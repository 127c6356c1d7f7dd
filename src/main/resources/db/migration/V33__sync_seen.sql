-- Rows a full sync found unchanged, as marks of their own. Stamping them in the mirror (last_seen_key/_run) rewrote
-- every wide row, values included, and moved its index entry, so a nightly run in which nothing changed cost about as
-- much as a first load. Created and updated rows are written anyway and keep their stamp; the deletion pass spares a
-- row stamped by the run or marked here. A run's marks are dropped when it completes or fails.
-- The key starts with the run: the pass looks marks up by (run, id) and a finished run's marks go as one range.
CREATE TABLE sync_seen (
    run_key  BIGINT      NOT NULL,
    item_id  VARCHAR(64) NOT NULL,
    PRIMARY KEY (run_key, item_id)
);
