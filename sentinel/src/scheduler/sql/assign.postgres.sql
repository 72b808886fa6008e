-- After eligible.sql, on PostgreSQL: the chosen chunks are locked with
-- SKIP LOCKED, so concurrent assignments (several sentinels) and reports
-- never wait for each other's rows (a plain UPDATE ... WHERE id IN (...)
-- keeps locks on rows it rechecked and skipped, and deadlocked against
-- reports). `status = 'pending'` is checked again by the UPDATE itself.
, picked AS (
    SELECT c.id FROM chunks c JOIN eligible e ON e.id = c.id
    WHERE c.status = 'pending'
    ORDER BY e.turn, e.job_id, e.id
    LIMIT $3
    FOR UPDATE OF c SKIP LOCKED
)
UPDATE chunks SET status = 'running', node_id = $1, assigned_at = $2
WHERE status = 'pending' AND id IN (SELECT id FROM picked)
RETURNING id, job_id, first_iteration, iterations, pending_since,
    (SELECT config_hash FROM jobs WHERE jobs.id = chunks.job_id) AS config_hash,
    (SELECT seed FROM jobs WHERE jobs.id = chunks.job_id) AS seed
