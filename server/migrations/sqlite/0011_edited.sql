-- Whether a message was ever edited: deleting it (for everyone, or when
-- it disappears) then also blanks the texts its edits carried.
ALTER TABLE messages ADD COLUMN edited INTEGER NOT NULL DEFAULT 0;
