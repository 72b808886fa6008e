-- After eligible.sql, on SQLite: one writer at a time needs no row locks.
-- `status = 'pending'` is checked again by the UPDATE itself, so two
-- assignments never take a chunk twice.
UPDATE chunks SET status = 'running', node_id = $1, assigned_at = $2
WHERE status = 'pending'
  AND id IN (SELECT id FROM eligible ORDER BY turn, job_id, id LIMIT $3)
RETURNING id, job_id, first_iteration, iterations, pending_since,
    (SELECT config_hash FROM jobs WHERE jobs.id = chunks.job_id) AS config_hash,
    (SELECT seed FROM jobs WHERE jobs.id = chunks.job_id) AS seed
