-- The chunks node $1 may take now, each with its turn. Shared head of
-- assign.sqlite.sql and assign.postgres.sql (see scheduler/assignment.rs).
--
-- $1 the node, $3 the most chunks to take, $4 the time (ms) before which a
-- re-run must have been pending to stop waiting for another owner's node.
--
-- Who may take what:
-- * `node`: a claimed node that is not quarantined (else nothing).
-- * `open`: the pending or running jobs whose owner the node permits: its
--   own owner's, everyone's when public, listed users', a group's members'.
-- * A chunk is runnable here unless it already failed on this node, and a
--   re-run (`check_of` set) never goes to a node that ran the chunk (or
--   another re-run of it), nor, until it has been pending since before $4,
--   to a node of the same owner as one of those.
-- Fairness:
-- * `turn` is a chunk's rank among its owner's pending chunks plus the
--   owner's running chunks: every user with work gets slots in turn, a big
--   job cannot starve a small one; within a turn, older jobs first.
-- * Only the first $3 pending chunks of each open job can be taken, so only
--   those are ranked: `bounds` finds each job's $3th (through the partial
--   index `chunks_pending`), and the ranking reads an index range per job.
WITH running AS (
    SELECT j.owner AS owner, COUNT(*) AS n
    FROM chunks c JOIN jobs j ON j.id = c.job_id
    WHERE c.status = 'running'
    GROUP BY j.owner
),
node AS (
    SELECT id, owner, access_kind, access_group FROM nodes
    WHERE id = $1 AND owner IS NOT NULL AND quarantined_at IS NULL
),
open AS (
    SELECT j.id AS id, j.owner AS owner
    FROM jobs j CROSS JOIN node n
    WHERE j.status IN ('pending', 'running')
      AND (j.owner = n.owner
           OR n.access_kind = 'public'
           OR (n.access_kind = 'users' AND EXISTS (
                 SELECT 1 FROM node_users nu WHERE nu.node_id = n.id AND nu.user_id = j.owner))
           OR (n.access_kind = 'group' AND EXISTS (
                 SELECT 1 FROM group_members gm WHERE gm.group_id = n.access_group AND gm.user_id = j.owner)))
),
bounds AS MATERIALIZED (
    SELECT o.id AS id, o.owner AS owner,
           COALESCE((SELECT c.idx FROM chunks c
            WHERE c.job_id = o.id AND c.status = 'pending'
              AND NOT EXISTS (SELECT 1 FROM chunk_failures f WHERE f.chunk_id = c.id AND f.node_id = $1)
              AND (c.check_of IS NULL OR NOT EXISTS (
                SELECT 1 FROM chunks o JOIN nodes m ON m.id = o.node_id
                WHERE (o.id = c.check_of OR o.check_of = c.check_of)
                  AND (o.node_id = $1
                       OR (c.pending_since > $4 AND m.owner = (SELECT owner FROM node)))))
            ORDER BY c.idx LIMIT 1 OFFSET $3 - 1), 9223372036854775807) AS last_idx
    FROM open o
),
eligible AS (
    SELECT c.id AS id, c.job_id AS job_id,
           ROW_NUMBER() OVER (PARTITION BY b.owner ORDER BY b.id, c.idx) + COALESCE(r.n, 0) AS turn
    FROM bounds b
    JOIN chunks c ON c.job_id = b.id AND c.status = 'pending' AND c.idx <= b.last_idx
    LEFT JOIN running r ON r.owner = b.owner
    -- The same runnable-here test as in `bounds` (SQL has no named predicates).
    WHERE NOT EXISTS (SELECT 1 FROM chunk_failures f WHERE f.chunk_id = c.id AND f.node_id = $1)
              AND (c.check_of IS NULL OR NOT EXISTS (
                SELECT 1 FROM chunks o JOIN nodes m ON m.id = o.node_id
                WHERE (o.id = c.check_of OR o.check_of = c.check_of)
                  AND (o.node_id = $1
                       OR (c.pending_since > $4 AND m.owner = (SELECT owner FROM node)))))
)
