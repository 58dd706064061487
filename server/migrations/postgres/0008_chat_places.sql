-- Where each member keeps a chat in their own list: pinned to the top,
-- muted, archived. Per member, so every device of theirs agrees.
ALTER TABLE members ADD COLUMN pinned BIGINT NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN muted BIGINT NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN archived BIGINT NOT NULL DEFAULT 0;
