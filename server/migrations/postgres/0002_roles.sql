-- Roles and moderation, channels, invite links, public handles, read cursors.
-- Flags are integers (0/1) so SQLite and PostgreSQL run the same SQL.

-- A channel is a group where only admins post (as Telegram models it).
ALTER TABLE chats ADD COLUMN broadcast BIGINT NOT NULL DEFAULT 0;
-- The public name anyone can find the chat by; NULL for a private chat.
ALTER TABLE chats ADD COLUMN handle TEXT;
CREATE UNIQUE INDEX chats_by_handle ON chats (handle);
ALTER TABLE chats ADD COLUMN slow_mode_s BIGINT NOT NULL DEFAULT 0;
-- In a channel, whether posts show their author's name.
ALTER TABLE chats ADD COLUMN signatures BIGINT NOT NULL DEFAULT 0;

ALTER TABLE members ADD COLUMN role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member'));
-- An admin's rights as bits (protocol's Rights::to_bits).
ALTER TABLE members ADD COLUMN rights BIGINT NOT NULL DEFAULT 0;
-- Read state is one cursor per member, never a row per message.
ALTER TABLE members ADD COLUMN read_seq BIGINT NOT NULL DEFAULT 0;
-- Keyset paging of member lists.
CREATE INDEX members_by_chat ON members (chat_id, user_id);

-- Counted once per member, when their read cursor first passes the post.
ALTER TABLE messages ADD COLUMN views BIGINT NOT NULL DEFAULT 0;

-- The creator of each existing group owns it.
UPDATE members SET role = 'owner'
 WHERE user_id = (SELECT o.user_id FROM members o WHERE o.chat_id = members.chat_id ORDER BY o.joined_at, o.user_id LIMIT 1)
   AND chat_id IN (SELECT id FROM chats WHERE kind = 'group');

CREATE TABLE bans (
    chat_id   BIGINT NOT NULL REFERENCES chats (id),
    user_id   BIGINT NOT NULL REFERENCES users (id),
    banned_at BIGINT NOT NULL,
    PRIMARY KEY (chat_id, user_id)
);

-- Links besides the chat's main one (chats.invite), and main links that were revoked.
CREATE TABLE invites (
    code           TEXT PRIMARY KEY,
    chat_id        BIGINT NOT NULL REFERENCES chats (id),
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT,
    usage_limit    BIGINT,
    uses           BIGINT NOT NULL DEFAULT 0,
    needs_approval BIGINT NOT NULL DEFAULT 0,
    revoked        BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX invites_by_chat ON invites (chat_id);

CREATE TABLE join_requests (
    chat_id      BIGINT NOT NULL REFERENCES chats (id),
    user_id      BIGINT NOT NULL REFERENCES users (id),
    requested_at BIGINT NOT NULL,
    PRIMARY KEY (chat_id, user_id)
);
