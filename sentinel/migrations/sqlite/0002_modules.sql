CREATE TABLE modules (
    hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    bytes BLOB NOT NULL,
    size BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL
);
