CREATE TABLE jobs (
    id BIGSERIAL PRIMARY KEY,
    owner BIGINT NOT NULL REFERENCES users (id),
    config_hash TEXT NOT NULL REFERENCES configs (hash),
    iterations BIGINT NOT NULL,
    seed BIGINT NOT NULL,
    access TEXT NOT NULL,
    status TEXT NOT NULL,
    progress BIGINT NOT NULL DEFAULT 0,
    result TEXT,
    error TEXT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);

CREATE INDEX jobs_by_owner ON jobs (owner, id);

CREATE TABLE chunks (
    id BIGSERIAL PRIMARY KEY,
    job_id BIGINT NOT NULL REFERENCES jobs (id),
    idx BIGINT NOT NULL,
    first_iteration BIGINT NOT NULL,
    iterations BIGINT NOT NULL,
    status TEXT NOT NULL,
    node_id BIGINT,
    result TEXT,
    UNIQUE (job_id, idx)
);

CREATE INDEX chunks_by_status ON chunks (status, job_id);
