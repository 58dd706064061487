-- Uploaded files (features/media). A file is a tus upload while
-- received < length, and complete after. Its bytes are parts in the blob
-- store, one per stretch received, in order of start. Until a message
-- carries it, it expires at expires_at (a job then removes it); once one
-- does, it stays while any message does. gone = 1 while it is removed.
CREATE TABLE files (
    id         TEXT PRIMARY KEY,
    owner_id   INTEGER NOT NULL REFERENCES users (id),
    length     INTEGER NOT NULL,
    received   INTEGER NOT NULL DEFAULT 0,
    name       TEXT NOT NULL,
    mime       TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    gone       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX files_by_owner ON files (owner_id);
CREATE TABLE file_parts (
    file_id TEXT NOT NULL REFERENCES files (id),
    start   INTEGER NOT NULL,
    size    INTEGER NOT NULL,
    blob    TEXT NOT NULL,
    PRIMARY KEY (file_id, start)
);
-- Which messages carry which files: a file goes when no row names it.
CREATE TABLE message_files (
    chat_id INTEGER NOT NULL,
    seq     INTEGER NOT NULL,
    file_id TEXT NOT NULL REFERENCES files (id),
    PRIMARY KEY (chat_id, seq, file_id)
);
CREATE INDEX message_files_by_file ON message_files (file_id);
-- A post of a kind other than text, as JSON (its caption stays in text).
ALTER TABLE messages ADD COLUMN content TEXT;
