-- Verified results. A chunk may be run again on other nodes to check its
-- result: each such run is a row of its own with check_of = the chunk's id
-- (same job, idx and iterations), so (job_id, idx) is unique only among the
-- chunks themselves.
ALTER TABLE chunks DROP CONSTRAINT chunks_job_id_idx_key;
-- The chunk this row re-runs; NULL for a chunk itself.
ALTER TABLE chunks ADD COLUMN check_of BIGINT REFERENCES chunks (id);
-- BLAKE3 of the result's canonical encoding.
ALTER TABLE chunks ADD COLUMN digest TEXT;
-- 1 once another node's run gave the same digest.
ALTER TABLE chunks ADD COLUMN verified BIGINT NOT NULL DEFAULT 0;

CREATE UNIQUE INDEX chunks_by_idx ON chunks (job_id, idx) WHERE check_of IS NULL;
-- A chunk's re-runs (a re-run is never given to a node that ran the chunk).
CREATE INDEX chunks_checks ON chunks (check_of) WHERE check_of IS NOT NULL;

-- Trust in a node: results confirmed in a row (the re-run rate falls as
-- the streak grows), confirmed and outvoted results, and quarantine.
ALTER TABLE nodes ADD COLUMN streak BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nodes ADD COLUMN verified BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nodes ADD COLUMN mismatches BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nodes ADD COLUMN quarantined_at BIGINT;
ALTER TABLE nodes ADD COLUMN quarantine_reason TEXT;
