-- Batch rows that are finished (done or failed), one mark each, written in the transaction that counts them: a job
-- continued by another process (or the next start) skips them, so a row is written to Attio once, not once per
-- takeover. Portable SQL: H2 2.x and PostgreSQL.
CREATE TABLE contact_job_row (
    job_id  VARCHAR(64) NOT NULL,
    row_no  INT         NOT NULL,
    PRIMARY KEY (job_id, row_no)
);
