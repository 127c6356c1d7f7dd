-- The live rows of an object or list (MirrorRepository.count: a sync run's "mirror holds" at its start, and the
-- deletion pass's hold share) counted from a narrow index instead of reading every row with its values: on H2 that
-- read took 2.2 s cold at 100,000 people on a quiet host and more than the 5 s query timeout under load, failing the
-- run at its very end; from this index 0.23 s (docs/PERFORMANCE.md).
CREATE INDEX mirror_record_live ON mirror_record (object_slug, deleted);
CREATE INDEX mirror_entry_live ON mirror_entry (list_slug, deleted);
