-- Contact jobs keep only their specifics (V40 moved the common columns into work_item): no two tables can disagree
-- about a job's state, and every job has its tracked part. Portable SQL: H2 2.x and PostgreSQL.
DROP INDEX contact_job_state;
ALTER TABLE contact_job DROP COLUMN state;
ALTER TABLE contact_job DROP COLUMN total;
ALTER TABLE contact_job DROP COLUMN done;
ALTER TABLE contact_job DROP COLUMN created_at;
ALTER TABLE contact_job DROP COLUMN started_at;
ALTER TABLE contact_job DROP COLUMN finished_at;
ALTER TABLE contact_job DROP COLUMN error;
ALTER TABLE contact_job ADD CONSTRAINT contact_job_work FOREIGN KEY (job_id) REFERENCES work_item (work_id);
