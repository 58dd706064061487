-- Work to do at least once, later or again (kernel::jobs): one row per
-- waiting job of a queue, claimed by one node at a time until
-- claimed_until, and put back with a growing delay when it fails.
CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    queue         TEXT NOT NULL,
    key           TEXT NOT NULL,
    payload       TEXT NOT NULL,
    due_at        INTEGER NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    claimed_until INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    UNIQUE (queue, key)
);
CREATE INDEX jobs_due ON jobs (queue, due_at);
-- Scheduled posts and disappearing messages' timers become jobs; the
-- scans and claims they had are gone.
INSERT INTO jobs (queue, key, payload, due_at)
SELECT 'scheduled', sender_id || ':' || client_id,
       json_object('chat', chat_id, 'sender', sender_id, 'id', client_id, 'text', text), due_at
  FROM scheduled;
INSERT INTO jobs (queue, key, payload, due_at)
SELECT 'expire', chat_id || ':' || seq, json_object('chat', chat_id, 'seq', seq), expires_at
  FROM messages
 WHERE expires_at IS NOT NULL AND deleted = 0;
DROP INDEX scheduled_due;
ALTER TABLE scheduled DROP COLUMN claimed_until;
DROP INDEX messages_expiring;
