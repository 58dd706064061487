-- Presence: when the user was last seen online, until when their open
-- sockets vouch they are online (renewed while connected), and whether
-- they hide their last seen time.
ALTER TABLE users ADD COLUMN seen_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN online_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN hide_seen INTEGER NOT NULL DEFAULT 0;
-- Each member's unsent draft of the chat, shared by their devices.
ALTER TABLE members ADD COLUMN draft TEXT NOT NULL DEFAULT '';
