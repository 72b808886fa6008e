-- Verified results. A chunk may be run again on other nodes to check its
-- result: each such run is a row of its own with check_of = the chunk's id
-- (same job, idx and iterations), so (job_id, idx) is unique only among the
-- chunks themselves. SQLite cannot drop a table constraint, so the table is
-- rebuilt (keeping ids and the id sequence).
CREATE TABLE chunks_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id BIGINT NOT NULL REFERENCES jobs (id),
    idx BIGINT NOT NULL,
    first_iteration BIGINT NOT NULL,
    iterations BIGINT NOT NULL,
    status TEXT NOT NULL,
    node_id BIGINT,
    result TEXT,
    pending_since BIGINT NOT NULL DEFAULT 0,
    assigned_at BIGINT,
    -- The chunk this row re-runs; NULL for a chunk itself.
    check_of BIGINT REFERENCES chunks_new (id),
    -- BLAKE3 of the result's canonical encoding.
    digest TEXT,
    -- 1 once another node's run gave the same digest.
    verified BIGINT NOT NULL DEFAULT 0
);

INSERT INTO chunks_new (id, job_id, idx, first_iteration, iterations, status, node_id, result, pending_since, assigned_at)
SELECT id, job_id, idx, first_iteration, iterations, status, node_id, result, pending_since, assigned_at FROM chunks;

INSERT INTO sqlite_sequence (name, seq)
SELECT 'chunks_new', seq FROM sqlite_sequence WHERE name = 'chunks';

CREATE TABLE chunk_failures_kept AS SELECT * FROM chunk_failures;
DROP TABLE chunk_failures;
DROP TABLE chunks;
ALTER TABLE chunks_new RENAME TO chunks;

CREATE TABLE chunk_failures (
    chunk_id BIGINT NOT NULL REFERENCES chunks (id),
    node_id BIGINT NOT NULL,
    error TEXT NOT NULL,
    failed_at BIGINT NOT NULL,
    PRIMARY KEY (chunk_id, node_id)
);
INSERT INTO chunk_failures SELECT * FROM chunk_failures_kept;
DROP TABLE chunk_failures_kept;

CREATE UNIQUE INDEX chunks_by_idx ON chunks (job_id, idx) WHERE check_of IS NULL;
CREATE INDEX chunks_by_status ON chunks (status, job_id);
CREATE INDEX chunks_by_node ON chunks (node_id, status);
CREATE INDEX chunks_pending ON chunks (job_id, idx) WHERE status = 'pending';
-- A chunk's re-runs (a re-run is never given to a node that ran the chunk).
CREATE INDEX chunks_checks ON chunks (check_of) WHERE check_of IS NOT NULL;

-- Trust in a node: results confirmed in a row (the re-run rate falls as
-- the streak grows), confirmed and outvoted results, and quarantine.
ALTER TABLE nodes ADD COLUMN streak BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nodes ADD COLUMN verified BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nodes ADD COLUMN mismatches BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nodes ADD COLUMN quarantined_at BIGINT;
ALTER TABLE nodes ADD COLUMN quarantine_reason TEXT;
