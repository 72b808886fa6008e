-- Jobs that run until the 95 % error of the mean DPS is at most
-- target_error percent of it (iterations is then the most to run). Chunks
-- are checked in index order, as `wowlab sim --target-error` checks its
-- rounds: prefix_chunks chunks from the start are merged in prefix_result.
ALTER TABLE jobs ADD COLUMN target_error DOUBLE PRECISION;
ALTER TABLE jobs ADD COLUMN prefix_chunks BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN prefix_result TEXT;
