-- The process that claimed a note key (work_item holder name): a claim whose note is still NULL and whose claimer
-- shows no life any more (its presence row stale) is taken over, so a batch row continued elsewhere after a crash
-- still gets its note, looked for in Attio first in case the dead process's POST landed. Portable SQL.
ALTER TABLE contact_note ADD COLUMN claimed_by VARCHAR(200);
