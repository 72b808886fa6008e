-- Several API tokens per user, each named and revocable. The token made by
-- `user add` moves here; users.token_hash is no longer read (it stays only
-- because SQLite cannot drop a UNIQUE column).
CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

INSERT INTO api_tokens (user_id, name, token_hash, created_at)
SELECT id, 'made by user add', token_hash, created_at FROM users;

-- The spec pack (its name) a rotation is written for, to browse by spec.
ALTER TABLE rotations ADD COLUMN spec TEXT NOT NULL DEFAULT '';

-- Rankings: each job's spec pack name, and its mean DPS once done.
ALTER TABLE jobs ADD COLUMN spec TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN mean_dps DOUBLE PRECISION;

CREATE INDEX jobs_ranked ON jobs (spec, mean_dps) WHERE status = 'done';
