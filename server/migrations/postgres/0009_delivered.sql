-- How far a device of each member has stored the chat: the sender's
-- "delivered" tick. Reading implies delivery, so it starts at the read cursor.
ALTER TABLE members ADD COLUMN delivered_seq BIGINT NOT NULL DEFAULT 0;
UPDATE members SET delivered_seq = read_seq;
