CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE engine_pins (
    hash TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);

CREATE TABLE configs (
    hash TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL
);
