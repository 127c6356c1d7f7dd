-- Sync runs keep only their specifics (V40 moved the common columns into work_item): no two tables can disagree
-- about a run's state, and every run has its tracked part. Portable SQL: H2 2.x and PostgreSQL.
DROP INDEX sync_run_target;
ALTER TABLE sync_run DROP COLUMN state;
ALTER TABLE sync_run DROP COLUMN started_at;
ALTER TABLE sync_run DROP COLUMN finished_at;
ALTER TABLE sync_run DROP COLUMN heartbeat_at;
ALTER TABLE sync_run DROP COLUMN records;
ALTER TABLE sync_run DROP COLUMN error;
ALTER TABLE sync_run DROP COLUMN expected_records;
ALTER TABLE sync_run DROP COLUMN resumes;
ALTER TABLE sync_run ADD CONSTRAINT sync_run_work FOREIGN KEY (run_id) REFERENCES work_item (work_id);
