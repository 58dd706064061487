-- Whether a message was ever edited: deleting it (for everyone, or when
-- it disappears) then also blanks the texts its edits carried.
ALTER TABLE messages ADD COLUMN edited BIGINT NOT NULL DEFAULT 0;
-- Messages edited before this column came.
UPDATE messages t SET edited = 1
  FROM messages e
 WHERE e.act LIKE '{"do":"edit",%'
   AND t.chat_id = e.chat_id AND t.seq = (e.act::jsonb ->> 'target')::bigint AND t.act IS NULL;
-- And the edits of messages deleted before it: they keep only their target.
UPDATE messages e SET act = '{"do":"edit","target":' || (e.act::jsonb ->> 'target') || ',"text":""}'
  FROM messages t
 WHERE e.act LIKE '{"do":"edit",%'
   AND t.chat_id = e.chat_id AND t.seq = (e.act::jsonb ->> 'target')::bigint AND t.deleted = 1;
