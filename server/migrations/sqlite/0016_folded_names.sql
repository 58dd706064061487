-- People's and chats' names case-folded by the server (Unicode, which
-- SQLite's lower() is not), for the directory's search by name in any
-- script; a chat's kept in step with renames. Rows made before this get
-- the database's lower() (ASCII only in SQLite).
ALTER TABLE users ADD COLUMN folded_name TEXT NOT NULL DEFAULT '';
UPDATE users SET folded_name = lower(name);
ALTER TABLE chats ADD COLUMN folded_name TEXT NOT NULL DEFAULT '';
UPDATE chats SET folded_name = lower(name) WHERE name IS NOT NULL;
