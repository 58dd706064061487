-- Replies, and events that act on earlier messages (edit, delete, react,
-- pin). An act is a row of the chat's sequence like a message, so clients
-- resume and fill gaps the same way; its JSON is in `act`.
ALTER TABLE messages ADD COLUMN reply_to INTEGER;
ALTER TABLE messages ADD COLUMN act TEXT;
-- Deleted for everyone: the text is gone from the server too.
ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
