-- Assignment reads only what it can take: the open jobs, and the first
-- pending chunks of each in index order.
CREATE INDEX chunks_pending ON chunks (job_id, idx) WHERE status = 'pending';
CREATE INDEX jobs_open ON jobs (owner, id) WHERE status IN ('pending', 'running');
