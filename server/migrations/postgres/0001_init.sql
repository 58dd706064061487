-- Courier's PostgreSQL schema: the SQLite one in PostgreSQL's types. Times are milliseconds since the Unix epoch.

CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    -- NULL for a guest until they choose one.
    username      TEXT UNIQUE,
    name          TEXT NOT NULL,
    -- argon2id PHC string; NULL for a guest.
    password_hash TEXT,
    kind          TEXT NOT NULL CHECK (kind IN ('account', 'guest')),
    created_at    BIGINT NOT NULL
);

-- Only the SHA-256 of a session token is stored: a leaked database
-- signs nobody in.
CREATE TABLE sessions (
    token_hash BYTEA PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE chats (
    id         BIGSERIAL PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
    -- The group's name; NULL for a direct chat, whose title is the other person.
    name       TEXT,
    invite     TEXT NOT NULL UNIQUE,
    -- "<smaller user id>:<larger user id>" for a direct chat, so there is one per pair.
    direct_key TEXT UNIQUE,
    -- The chat's newest sequence; bumped in the transaction that stores an event.
    last_seq   BIGINT NOT NULL DEFAULT 0,
    -- Kept here so a big group's count is one read, not a scan.
    member_count BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE members (
    chat_id   BIGINT NOT NULL REFERENCES chats (id),
    user_id   BIGINT NOT NULL REFERENCES users (id),
    joined_at BIGINT NOT NULL,
    PRIMARY KEY (chat_id, user_id)
);
CREATE INDEX members_by_user ON members (user_id, chat_id);

CREATE TABLE messages (
    chat_id   BIGINT NOT NULL REFERENCES chats (id),
    seq       BIGINT NOT NULL,
    sender_id BIGINT NOT NULL REFERENCES users (id),
    client_id TEXT NOT NULL,
    text      TEXT NOT NULL,
    at        BIGINT NOT NULL,
    PRIMARY KEY (chat_id, seq)
);
-- Idempotent sends: one message per (chat, sender, client id).
CREATE UNIQUE INDEX messages_by_client_id ON messages (chat_id, sender_id, client_id);
