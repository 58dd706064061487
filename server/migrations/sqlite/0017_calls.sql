-- Calls between the two people of a 1:1: ringing until answered_at is
-- set, going on until ended_at is set; `outcome` says how it ended. The
-- chat's event for it is posted when it ends (client id = the call's id).
CREATE TABLE calls (
    id          TEXT PRIMARY KEY,
    chat_id     INTEGER NOT NULL REFERENCES chats (id),
    caller_id   INTEGER NOT NULL REFERENCES users (id),
    callee_id   INTEGER NOT NULL REFERENCES users (id),
    video       INTEGER NOT NULL,
    caller_leg  TEXT NOT NULL,
    callee_leg  TEXT,
    started_at  INTEGER NOT NULL,
    answered_at INTEGER,
    ended_at    INTEGER,
    outcome     TEXT,
    -- When each leg last said it is still in the answered call: a leg
    -- silent for longer than LEG_TIMEOUT_MS ends it (a closed tab, a
    -- lost device), so nobody stays busy in a half-open call.
    caller_seen INTEGER,
    callee_seen INTEGER
);
-- Who is in a call now (busy): only calls not ended are indexed.
CREATE INDEX calls_live_caller ON calls (caller_id) WHERE ended_at IS NULL;
CREATE INDEX calls_live_callee ON calls (callee_id) WHERE ended_at IS NULL;
