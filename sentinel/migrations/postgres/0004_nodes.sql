-- Groups stand in for Discord guilds: a job or a node may grant a group.
CREATE TABLE user_groups (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE group_members (
    group_id BIGINT NOT NULL REFERENCES user_groups (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (group_id, user_id)
);

CREATE TABLE nodes (
    id BIGSERIAL PRIMARY KEY,
    public_key TEXT NOT NULL UNIQUE,
    claim_code TEXT NOT NULL,
    name TEXT NOT NULL,
    owner BIGINT REFERENCES users (id),
    max_parallel BIGINT NOT NULL,
    -- private (owner only) | public | users (node_users) | group (access_group)
    access_kind TEXT NOT NULL DEFAULT 'private',
    access_group BIGINT REFERENCES user_groups (id),
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);

CREATE INDEX nodes_by_claim_code ON nodes (claim_code);

CREATE TABLE node_users (
    node_id BIGINT NOT NULL REFERENCES nodes (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (node_id, user_id)
);

-- Nonces of signed node requests, kept for the clock-skew window.
CREATE TABLE nonces (
    public_key TEXT NOT NULL,
    nonce TEXT NOT NULL,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (public_key, nonce)
);

CREATE INDEX nonces_by_time ON nonces (seen_at);

-- Milliseconds since the epoch at which the chunk (re)entered pending.
ALTER TABLE chunks ADD COLUMN pending_since BIGINT NOT NULL DEFAULT 0;
ALTER TABLE chunks ADD COLUMN assigned_at BIGINT;

CREATE INDEX chunks_by_node ON chunks (node_id, status);

-- Deterministic failures, one per (chunk, node): three fail the job.
CREATE TABLE chunk_failures (
    chunk_id BIGINT NOT NULL REFERENCES chunks (id),
    node_id BIGINT NOT NULL,
    error TEXT NOT NULL,
    failed_at BIGINT NOT NULL,
    PRIMARY KEY (chunk_id, node_id)
);

ALTER TABLE jobs ADD COLUMN started_at BIGINT;

CREATE TABLE rotations (
    id BIGSERIAL PRIMARY KEY,
    owner BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    public BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE rotation_versions (
    rotation_id BIGINT NOT NULL REFERENCES rotations (id),
    version BIGINT NOT NULL,
    checksum TEXT NOT NULL,
    script TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (rotation_id, version)
);

CREATE INDEX rotation_versions_by_checksum ON rotation_versions (checksum);

-- The modules a config names, so unreferenced modules can be found.
CREATE TABLE config_modules (
    config_hash TEXT NOT NULL REFERENCES configs (hash),
    module_hash TEXT NOT NULL,
    PRIMARY KEY (config_hash, module_hash)
);

CREATE INDEX config_modules_by_module ON config_modules (module_hash);

-- When maintenance ran, and which sentinel ran it (kept for a day).
CREATE TABLE maintenance_runs (
    started_at_ms BIGINT NOT NULL,
    sentinel TEXT NOT NULL
);
