-- Contact upsert flow (issue 4). Portable SQL: H2 2.x and PostgreSQL.

-- Batch imports (POST /api/contacts:batch and the file drop directory): one row per job, counters updated per row
-- so GET /api/jobs/{id} and the progress log read the truth, not an in-memory guess.
CREATE TABLE contact_job (
    job_id       VARCHAR(64)  PRIMARY KEY,
    source       VARCHAR(512) NOT NULL,
    state        VARCHAR(16)  NOT NULL,
    total        INT DEFAULT 0 NOT NULL,
    done         INT DEFAULT 0 NOT NULL,
    failed       INT DEFAULT 0 NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at   TIMESTAMP WITH TIME ZONE,
    finished_at  TIMESTAMP WITH TIME ZONE,
    error        VARCHAR(4000)
);
CREATE INDEX contact_job_state ON contact_job (state);

-- Rows of a job that could not be upserted, with the reason the caller needs to fix or retry them.
CREATE TABLE contact_job_failure (
    job_id       VARCHAR(64)  NOT NULL,
    row_no       INT          NOT NULL,
    email        VARCHAR(320),
    http_status  INT          NOT NULL,
    error_code   VARCHAR(64)  NOT NULL,
    message      VARCHAR(4000) NOT NULL,
    fields_json  VARCHAR(4000),
    PRIMARY KEY (job_id, row_no)
);

-- Notes cannot be asserted in Attio (POST only), so replaying a contact would add the same note again. The key is
-- a hash of parent record + title + content; the row is claimed BEFORE the note is created so that concurrent
-- replays create it once. note_id stays NULL while the creation is in flight.
CREATE TABLE contact_note (
    note_key     CHAR(64)     PRIMARY KEY,
    parent_object     VARCHAR(128) NOT NULL,
    parent_record_id  VARCHAR(64)  NOT NULL,
    note_id      VARCHAR(64),
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL
);
