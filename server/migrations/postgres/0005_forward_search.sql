-- A forwarded copy names where it came from.
ALTER TABLE messages ADD COLUMN forwarded_from TEXT;
-- The text case-folded by the server (Unicode, which SQLite's lower() is
-- not), for substring search in any script; kept in step with edits.
ALTER TABLE messages ADD COLUMN folded TEXT NOT NULL DEFAULT '';
UPDATE messages SET folded = lower(text);
