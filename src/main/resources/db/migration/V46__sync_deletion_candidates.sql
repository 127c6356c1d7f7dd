-- A record a run did not see is only a deletion candidate: rows shift under offset paging, so each is confirmed
-- with Attio before it is tombstoned, and the run counts how many were confirmed gone and how many could not be.
-- A run with more candidates than attio.sync.deletion-hold-share of the mirror holds them (held) for an operator to
-- confirm; the candidates wait in sync_candidate until then. Portable SQL: H2 2.x and PostgreSQL.
ALTER TABLE sync_run ADD COLUMN candidates BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE sync_run ADD COLUMN confirmed BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE sync_run ADD COLUMN unconfirmed BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE sync_run ADD COLUMN held BIGINT DEFAULT 0 NOT NULL;
CREATE TABLE sync_candidate (
    run_id   VARCHAR(64) NOT NULL,
    item_id  VARCHAR(64) NOT NULL,
    PRIMARY KEY (run_id, item_id)
);
