-- The full sync looks up one page of ids at a time (MirrorRepository.hashes: container = ? AND id IN (...500)).
-- H2 only turns an IN list into index lookups on the first column of an index, and the primary keys start with the
-- container, so without these indexes every page scanned the whole object: quadratic in its size (100,000 people
-- took minutes). PostgreSQL does not need them but they cost little there.
CREATE INDEX mirror_record_id ON mirror_record (record_id);
CREATE INDEX mirror_entry_id ON mirror_entry (entry_id);
