-- The workspace-wide rate budgets (gateway.WorkspaceBudget): Bucket4j keeps each bucket's state in a row of its own,
-- one per Attio workspace and lane (id "<workspace>/read", "<workspace>/write"), read and written under SELECT FOR UPDATE.
CREATE TABLE attio_rate_bucket (
    id    VARCHAR(200) PRIMARY KEY,
    state BYTEA
);

-- A 429's Retry-After as every process sharing the store must honour it: per workspace and lane (read, write,
-- read:query), the latest "come back at" instant any process was told.
CREATE TABLE attio_rate_hold (
    workspace_key VARCHAR(200) NOT NULL,
    lane          VARCHAR(40)  NOT NULL,
    until_at      TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (workspace_key, lane)
);
