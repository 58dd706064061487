-- Disappearing messages: a chat's timer, and when each message goes.
ALTER TABLE chats ADD COLUMN ttl_s BIGINT NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN expires_at BIGINT;
CREATE INDEX messages_expiring ON messages (expires_at) WHERE expires_at IS NOT NULL AND deleted = 0;

-- Scheduled messages wait here until due, then post as their sender.
CREATE TABLE scheduled (
    chat_id   BIGINT NOT NULL REFERENCES chats (id),
    sender_id BIGINT NOT NULL REFERENCES users (id),
    client_id TEXT NOT NULL,
    text      TEXT NOT NULL,
    due_at    BIGINT NOT NULL,
    PRIMARY KEY (sender_id, client_id)
);
CREATE INDEX scheduled_due ON scheduled (due_at);
CREATE INDEX scheduled_by_chat ON scheduled (chat_id, sender_id);
