-- The exact workspace-wide bound (gateway.WorkspaceBudget): a lane's requests in flight plus those answered within
-- the last second never exceed its budget, across every process. One row per slot; a slot is free once its request
-- was answered a second ago (by this database's clock), or its holder has been silent past the response timeout.
-- The claim reads a lane's slots by the primary key's prefix; no other index is needed (25 or 100 rows per lane).
CREATE TABLE attio_rate_slot (
    workspace_key VARCHAR(200) NOT NULL,
    lane          VARCHAR(40)  NOT NULL,
    slot          INTEGER      NOT NULL,
    taken_at      TIMESTAMPTZ,
    released_at   TIMESTAMPTZ,
    PRIMARY KEY (workspace_key, lane, slot)
);
