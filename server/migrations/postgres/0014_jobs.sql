-- Work to do at least once, later or again (kernel::jobs): one row per
-- waiting job of a queue, claimed by one node at a time until
-- claimed_until, and put back with a growing delay when it fails.
CREATE TABLE jobs (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    queue         TEXT NOT NULL,
    key           TEXT NOT NULL,
    payload       TEXT NOT NULL,
    due_at        BIGINT NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    claimed_until BIGINT NOT NULL DEFAULT 0,
    last_error    TEXT,
    UNIQUE (queue, key)
);
CREATE INDEX jobs_due ON jobs (queue, due_at);
-- Scheduled posts and disappearing messages' timers become jobs; the
-- scans and claims they had are gone.
INSERT INTO jobs (queue, key, payload, due_at)
SELECT 'scheduled', sender_id::text || ':' || client_id,
       json_build_object('chat', chat_id, 'sender', sender_id, 'id', client_id, 'text', text)::text, due_at
  FROM scheduled;
INSERT INTO jobs (queue, key, payload, due_at)
SELECT 'expire', chat_id::text || ':' || seq::text, json_build_object('chat', chat_id, 'seq', seq)::text, expires_at
  FROM messages
 WHERE expires_at IS NOT NULL AND deleted = 0;
DROP INDEX scheduled_due;
ALTER TABLE scheduled DROP COLUMN claimed_until;
DROP INDEX messages_expiring;
