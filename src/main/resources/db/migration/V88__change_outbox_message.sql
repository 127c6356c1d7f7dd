-- The relay marks each message published once it is sent (mirror.ChangeRelay). With the message in the same row that
-- one timestamp rewrote the whole 2 kB row: H2 serialised its page again, PostgreSQL wrote a new tuple version (not
-- HOT: the published index changes), so a full sync wrote every message twice. The message moves to a table of its
-- own, written once and deleted with its row (the purge deletes from change_outbox only). Portable SQL.
CREATE TABLE change_outbox_message (
    seq      BIGINT  PRIMARY KEY REFERENCES change_outbox (seq) ON DELETE CASCADE,
    message  VARCHAR NOT NULL
);
INSERT INTO change_outbox_message (seq, message) SELECT seq, message FROM change_outbox;
ALTER TABLE change_outbox DROP COLUMN message;
