-- The deletion pass asks for rows "seen by a run other than R". With run ids as text that is "< R OR > R", and H2
-- serves a range that excludes its bound by reading every row AT the bound, i.e. every row the run just stamped
-- (4 s per range at 100,000 people, growing with the mirror). A number per run turns those into the exact ranges
-- "<= k-1" and ">= k+1". last_seen_run stays: it names the run, and rows stamped before this migration keep it.
ALTER TABLE mirror_record ADD COLUMN last_seen_key BIGINT;
ALTER TABLE mirror_entry ADD COLUMN last_seen_key BIGINT;
DROP INDEX mirror_record_seen;
DROP INDEX mirror_entry_seen;
CREATE INDEX mirror_record_seen_key ON mirror_record (object_slug, last_seen_key);
CREATE INDEX mirror_entry_seen_key ON mirror_entry (list_slug, last_seen_key);
