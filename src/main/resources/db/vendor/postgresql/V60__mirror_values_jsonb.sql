-- PostgreSQL keeps mirror values as jsonb: parsed once on write (a malformed document is refused, not stored), stored
-- compactly in its binary form, and queryable with PostgreSQL's JSON operators and GIN indexes. H2 keeps its text
-- column (V1); the repositories bind the values per vendor (store.StoreDialect).
ALTER TABLE mirror_record ALTER COLUMN values_json TYPE jsonb USING values_json::jsonb;
ALTER TABLE mirror_entry ALTER COLUMN values_json TYPE jsonb USING values_json::jsonb;
