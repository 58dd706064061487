-- Whether a message was ever edited: deleting it (for everyone, or when
-- it disappears) then also blanks the texts its edits carried.
ALTER TABLE messages ADD COLUMN edited INTEGER NOT NULL DEFAULT 0;
-- Messages edited before this column came.
UPDATE messages SET edited = 1
 WHERE act IS NULL
   AND (chat_id, seq) IN (SELECT chat_id, CAST(json_extract(act, '$.target') AS INTEGER)
                            FROM messages WHERE act LIKE '{"do":"edit",%');
-- And the edits of messages deleted before it: they keep only their target.
UPDATE messages SET act = json_object('do', 'edit', 'target', CAST(json_extract(act, '$.target') AS INTEGER), 'text', '')
 WHERE act LIKE '{"do":"edit",%'
   AND EXISTS (SELECT 1 FROM messages t
                WHERE t.chat_id = messages.chat_id
                  AND t.seq = CAST(json_extract(messages.act, '$.target') AS INTEGER)
                  AND t.deleted = 1);
