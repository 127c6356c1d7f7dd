-- Full sync (V30-V39): what a run needs to resume exactly where it stopped after a crash, and a portable
-- "one active run per target" rule. active_key is 'records:<object>' or 'entries:<list>' while the run is active and
-- NULL once it finished: a UNIQUE column allows any number of NULLs on H2 and PostgreSQL alike, so a second trigger
-- for a busy target fails to insert and joins the active run instead, even across processes sharing one database.
ALTER TABLE sync_run ADD COLUMN active_key VARCHAR(160);
ALTER TABLE sync_run ADD CONSTRAINT sync_run_active_key UNIQUE (active_key);
-- A resumed run must page with the same page size, or its offsets would not line up with the pages already done.
ALTER TABLE sync_run ADD COLUMN page_size INT;
-- Live mirror rows when the run started: the expected total, for the ETA and to avoid speculative reads past the end.
ALTER TABLE sync_run ADD COLUMN expected_records INT;
-- schedule | api | resume: who asked for the run (operators ask this first).
ALTER TABLE sync_run ADD COLUMN trigger_source VARCHAR(16);
-- Bumped each time a process adopts an orphaned run; the compare-and-set on it lets exactly one process adopt.
ALTER TABLE sync_run ADD COLUMN resumes INT DEFAULT 0 NOT NULL;
-- Set when every page is done and the deletion pass begins; a run resumed after this point only redoes the pass.
ALTER TABLE sync_run ADD COLUMN deletion_at TIMESTAMP WITH TIME ZONE;
