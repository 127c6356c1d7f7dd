-- One tracker for long-running work (V40-V49): contact batch jobs and full-sync runs share their lifecycle, progress,
-- holder and heartbeat here; each flow keeps only its specifics in its own table (contact_job: source, failed rows;
-- sync_run: target, pages, outcomes, page size, deletion pass, one active run per target). Portable SQL: H2 2.x and
-- PostgreSQL.
--
-- state: QUEUED -> RUNNING -> COMPLETED | FAILED. done counts the units worked through (rows processed, records
-- reconciled) out of total (rows in the batch, records the mirror held when the run started).
-- holder names the process working on it and heartbeat_at is when that process last showed life; holder is NULL when
-- nobody holds it (released by a clean stop). Work that is QUEUED or RUNNING with no holder, or whose heartbeat is
-- older than attio.work.stale-after, is adopted by exactly one process: the compare-and-set on resumes decides.
-- held_at and done_at_hold are when the current holder took the work and how far it was then: the rate and ETA a
-- holder reports are its own, not diluted by the time the work lay orphaned.
CREATE TABLE work_item (
    work_id       VARCHAR(64)  PRIMARY KEY,
    kind          VARCHAR(32)  NOT NULL,
    state         VARCHAR(16)  NOT NULL,
    total         BIGINT DEFAULT 0 NOT NULL,
    done          BIGINT DEFAULT 0 NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at    TIMESTAMP WITH TIME ZONE,
    finished_at   TIMESTAMP WITH TIME ZONE,
    error         VARCHAR(4000),
    holder        VARCHAR(160),
    heartbeat_at  TIMESTAMP WITH TIME ZONE,
    held_at       TIMESTAMP WITH TIME ZONE,
    done_at_hold  BIGINT DEFAULT 0 NOT NULL,
    resumes       INT DEFAULT 0 NOT NULL
);
-- The adoption check reads active work by heartbeat; finished work is never read that way.
CREATE INDEX work_item_active ON work_item (state, heartbeat_at);

-- Existing rows move in as they are. Migrations run at start-up before any route, so whatever is still unfinished was
-- left by a process that has stopped: no holder, adopted by the first process that looks.
-- A contact job's done counted the rows upserted; the tracker's counts every row worked through, failed ones included.
INSERT INTO work_item (work_id, kind, state, total, done, created_at, started_at, finished_at, error, holder,
                       heartbeat_at, held_at, done_at_hold, resumes)
SELECT job_id, 'contact-job', state, total, done + failed, created_at, started_at, finished_at, error, NULL,
       NULL, NULL, 0, 0
FROM contact_job;
-- A sync run was "running" from its claim: its claim time is both when it was created and when it started.
INSERT INTO work_item (work_id, kind, state, total, done, created_at, started_at, finished_at, error, holder,
                       heartbeat_at, held_at, done_at_hold, resumes)
SELECT run_id, 'sync-run', UPPER(state), COALESCE(expected_records, 0), records, started_at, started_at, finished_at,
       error, NULL, heartbeat_at, NULL, 0, resumes
FROM sync_run;
