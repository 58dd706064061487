-- A due scheduled message is claimed by one node until this time (ms):
-- other nodes skip it, and one refused for now (slow mode) waits its turn
-- behind the others instead of staying at the head of the queue.
ALTER TABLE scheduled ADD COLUMN claimed_until BIGINT NOT NULL DEFAULT 0;
-- An edit replaces: the texts of edits followed by a later edit of the
-- same message are served to nobody.
UPDATE messages e SET act = '{"do":"edit","target":' || (e.act::jsonb ->> 'target') || ',"text":""}'
 WHERE e.act LIKE '{"do":"edit",%'
   AND EXISTS (SELECT 1 FROM messages l
                WHERE l.chat_id = e.chat_id
                  AND l.seq > e.seq
                  AND l.act LIKE '{"do":"edit",%'
                  AND (l.act::jsonb ->> 'target') = (e.act::jsonb ->> 'target'));
-- Who blocked whom: a blocked person cannot open a 1:1 with the blocker,
-- nor send in one.
CREATE TABLE blocks (
    user_id    BIGINT NOT NULL REFERENCES users (id),
    blocked_id BIGINT NOT NULL REFERENCES users (id),
    at         BIGINT NOT NULL,
    PRIMARY KEY (user_id, blocked_id)
);
CREATE INDEX blocks_blocked ON blocks (blocked_id, user_id);
-- "Jump to a date" finds a chat's first post since a time by this index
-- instead of walking the chat.
CREATE INDEX messages_at ON messages (chat_id, at);
-- Each chat's secret behind the ids that stand for its members where a
-- channel hides them (reactions, unsigned posts, admins' acts).
ALTER TABLE chats ADD COLUMN salt TEXT NOT NULL DEFAULT '';
UPDATE chats SET salt = replace(gen_random_uuid()::text, '-', '');
-- Whether an event hides its sender (an unsigned post or any act in a
-- channel), fixed when written: turning signatures on later reveals
-- nobody. Events before this column take the channel's setting now.
ALTER TABLE messages ADD COLUMN veiled BIGINT NOT NULL DEFAULT 0;
UPDATE messages SET veiled = 1
 WHERE chat_id IN (SELECT id FROM chats WHERE broadcast = 1)
   AND (act IS NOT NULL OR chat_id IN (SELECT id FROM chats WHERE signatures = 0));
