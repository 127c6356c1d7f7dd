-- A batch upload kept in the shared store, so the process that takes a job over reads the rows the dead one spooled
-- to its own disk. PostgreSQL only: embedded H2 belongs to one process, whose spool file survives its restarts.
-- Deleted when the job ends.
CREATE TABLE contact_job_upload (
    job_id  VARCHAR(64) PRIMARY KEY REFERENCES contact_job (job_id),
    body    BYTEA       NOT NULL
);
