-- A chat's member count, apart from its chat row. Every join updated that
-- row, and in PostgreSQL it also carries the foreign-key locks of every
-- concurrent join and message (KEY SHARE): together they made multixacts
-- that serialised joins into a big group. Here only joins touch the count.
CREATE TABLE member_counts (
    chat_id BIGINT PRIMARY KEY,
    n       BIGINT NOT NULL
);
INSERT INTO member_counts (chat_id, n) SELECT id, member_count FROM chats;
ALTER TABLE chats DROP COLUMN member_count;
