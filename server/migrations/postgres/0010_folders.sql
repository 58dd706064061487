-- Each user's own chat folders, as the JSON list the app edits whole:
-- a handful of small records, always read and written together.
ALTER TABLE users ADD COLUMN folders TEXT NOT NULL DEFAULT '[]';
