-- The portal: password sign-in, browser sessions, and what a node owner sees.
ALTER TABLE users ADD COLUMN password_hash TEXT;

-- A browser session: the cookie's token is stored as its BLAKE3 hash; `csrf`
-- is the token every form and script of the session must send back.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- CPU cores the node has (it says so when it registers).
ALTER TABLE nodes ADD COLUMN cores BIGINT NOT NULL DEFAULT 0;
