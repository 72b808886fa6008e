//! Votes on reported results: which are accepted, which are re-run on
//! another node, and which nodes are quarantined.
//!
//! A chunk's result is a pure function of its inputs, so honest runs agree
//! bit for bit and are compared by digest. A result from a node the job's
//! owner owns is trusted; any other is re-run on another node at the rate
//! [`crate::verification::Verification`] gives for the node's streak. The chunk then waits in
//! `checking` until two nodes agree on a digest (one node, one vote; a
//! quarantined node has none). Nodes outvoted are quarantined: they get no
//! more work, and their unconfirmed results in open jobs run again.

use std::collections::{BTreeMap, BTreeSet};

use super::MAX_RUNS;
use crate::store::{ChunkId, ChunkStatus, JobId, NodeId, StoreError, Tx, UserId, fail_job};

/// The (job, iterations) of each chunk a verdict accepted.
pub(crate) type Accepted = Vec<(JobId, i64)>;

/// The owner of `node` and its streak of confirmed results.
pub(crate) async fn owner_and_streak(
    tx: &mut Tx,
    node: NodeId,
) -> Result<(Option<UserId>, i64), sqlx::Error> {
    sqlx::query_as("SELECT owner, streak FROM nodes WHERE id = $1")
        .bind(node)
        .fetch_one(&mut **tx)
        .await
}

/// Judges a result `node` just stored (`reported`): a re-run of chunk
/// `check_of` is a vote on it; a chunk's own result drawn for a re-run
/// waits in `checking` for one. Returns the chunks it made accepted (with a
/// quarantine, others than this one).
pub(crate) async fn judge(
    tx: &mut Tx,
    node: NodeId,
    run: ChunkId,
    check_of: Option<ChunkId>,
) -> Result<Accepted, StoreError> {
    let (status, runner): (String, Option<NodeId>) =
        sqlx::query_as("SELECT status, node_id FROM chunks WHERE id = $1")
            .bind(run)
            .fetch_one(&mut **tx)
            .await?;
    let status = ChunkStatus::parse(&status)?;
    if status != ChunkStatus::Reported || runner != Some(node) {
        // Its node was quarantined by an earlier verdict of this report.
        return Ok(Vec::new());
    }
    match check_of {
        Some(chunk) => {
            set_status(tx, run, ChunkStatus::Done).await?;
            settle(tx, chunk).await
        }
        None => {
            set_status(tx, run, ChunkStatus::Checking).await?;
            settle(tx, run).await
        }
    }
}

async fn set_status(tx: &mut Tx, id: ChunkId, status: ChunkStatus) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE chunks SET status = $1 WHERE id = $2")
        .bind(status.as_str())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// One run of a chunk: the chunk's own row or a re-run's.
#[derive(sqlx::FromRow)]
struct Run {
    id: ChunkId,
    node: Option<NodeId>,
    digest: Option<String>,
    #[sqlx(try_from = "String")]
    status: ChunkStatus,
    /// When its node was quarantined, if it was.
    quarantined_at: Option<i64>,
}

impl Run {
    /// Whether its node is quarantined (its result no longer votes).
    fn quarantined(&self) -> bool {
        self.quarantined_at.is_some()
    }
}

/// The chunk being settled.
#[derive(sqlx::FromRow)]
struct Settling {
    #[sqlx(try_from = "String")]
    status: ChunkStatus,
    job_id: JobId,
    idx: i64,
    iterations: i64,
}

/// A chunk of a quarantined node that is not confirmed yet.
#[derive(sqlx::FromRow)]
struct Unconfirmed {
    id: ChunkId,
    job_id: JobId,
    idx: i64,
    iterations: i64,
    #[sqlx(try_from = "String")]
    status: ChunkStatus,
    /// Finished re-runs of it by nodes that are not quarantined.
    votes: i64,
}

/// Settles `chunk` and, when that quarantines nodes, the chunks whose
/// votes that changes (see [`settle_one`]).
pub(crate) async fn settle(tx: &mut Tx, chunk: ChunkId) -> Result<Accepted, StoreError> {
    let mut accepted = Vec::new();
    let mut work = vec![chunk];
    while let Some(chunk) = work.pop() {
        let (done, unsettled) = settle_one(tx, chunk).await?;
        accepted.extend(done);
        work.extend(unsettled);
    }
    Ok(accepted)
}

/// Counts the votes on a `checking` chunk: accepts it once two nodes agree
/// (quarantining the nodes that disagree), else asks one more node, or
/// fails the job when [`MAX_RUNS`] runs still disagree. Returns (job,
/// iterations) when the chunk was accepted, and the chunks the quarantines
/// left to settle.
async fn settle_one(
    tx: &mut Tx,
    chunk: ChunkId,
) -> Result<(Option<(JobId, i64)>, Vec<ChunkId>), StoreError> {
    let head: Settling =
        sqlx::query_as("SELECT status, job_id, idx, iterations FROM chunks WHERE id = $1")
            .bind(chunk)
            .fetch_one(&mut **tx)
            .await?;
    if head.status != ChunkStatus::Checking {
        // Run again since (its node was quarantined): this vote waits for the new run.
        return Ok((None, Vec::new()));
    }
    let (job, idx, iterations) = (head.job_id, head.idx, head.iterations);
    let runs: Vec<Run> = sqlx::query_as(
        "SELECT c.id, c.node_id AS node, c.digest, c.status, n.quarantined_at \
         FROM chunks c LEFT JOIN nodes n ON n.id = c.node_id \
         WHERE c.id = $1 OR c.check_of = $1 ORDER BY c.id",
    )
    .bind(chunk)
    .fetch_all(&mut **tx)
    .await?;
    let finished: Vec<&Run> = runs
        .iter()
        .filter(|r| r.status == ChunkStatus::Done || r.id == chunk)
        .collect();
    let mut votes: BTreeMap<&str, BTreeSet<NodeId>> = BTreeMap::new();
    for run in finished.iter().filter(|r| !r.quarantined()) {
        if let (Some(digest), Some(node)) = (&run.digest, run.node) {
            votes.entry(digest).or_default().insert(node);
        }
    }
    let mut tally: Vec<(&str, &BTreeSet<NodeId>)> = votes.iter().map(|(d, n)| (*d, n)).collect();
    tally.sort_by_key(|(_, nodes)| std::cmp::Reverse(nodes.len()));
    let leader = tally.first().map_or(0, |(_, nodes)| nodes.len());
    let runner_up = tally.get(1).map_or(0, |(_, nodes)| nodes.len());
    if leader >= 2 && leader > runner_up {
        let (winner, agreed) = tally[0];
        let winning_run = finished
            .iter()
            .find(|r| r.digest.as_deref() == Some(winner) && !r.quarantined())
            .expect("a vote has its run");
        accept(tx, chunk, winning_run.id, winner).await?;
        for node in agreed {
            sqlx::query(
                "UPDATE nodes SET verified = verified + 1, streak = streak + 1 WHERE id = $1",
            )
            .bind(*node)
            .execute(&mut **tx)
            .await?;
        }
        let outvoted: BTreeSet<NodeId> = tally[1..]
            .iter()
            .flat_map(|(_, nodes)| nodes.iter().copied())
            .collect();
        let mut unsettled = Vec::new();
        for node in outvoted {
            let why = format!(
                "its result for chunk {idx} of job {job} differs from the one {} other nodes agree on",
                agreed.len()
            );
            unsettled.extend(quarantine(tx, node, &why).await?);
        }
        return Ok((Some((job, iterations)), unsettled));
    }
    if tally.len() > 1 {
        // Either side may be lying: every voter's results are re-run at the new-node rate again.
        for node in votes.values().flatten() {
            sqlx::query("UPDATE nodes SET streak = 0 WHERE id = $1")
                .bind(*node)
                .execute(&mut **tx)
                .await?;
        }
        if finished.len() as i64 >= MAX_RUNS {
            let error = format!(
                "{} runs on different nodes gave {} different results",
                finished.len(),
                tally.len()
            );
            fail_job(tx, job, chunk, &error).await?;
            return Ok((None, Vec::new()));
        }
    }
    let waiting = runs
        .iter()
        .any(|r| r.id != chunk && matches!(r.status, ChunkStatus::Pending | ChunkStatus::Running));
    if !waiting {
        sqlx::query(
            "INSERT INTO chunks (job_id, idx, first_iteration, iterations, status, pending_since, check_of) \
             SELECT job_id, idx, first_iteration, iterations, 'pending', $1, id FROM chunks WHERE id = $2",
        )
        .bind(crate::now_ms())
        .bind(chunk)
        .execute(&mut **tx)
        .await?;
    }
    Ok((None, Vec::new()))
}

/// Accepts `chunk` with the result of run `winner` (digest `digest`): the
/// re-runs' bodies are no longer needed, and re-runs not yet given out are cancelled.
async fn accept(
    tx: &mut Tx,
    chunk: ChunkId,
    winner: ChunkId,
    digest: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE chunks SET status = 'done', verified = 1, digest = $1, \
             result = (SELECT w.result FROM chunks w WHERE w.id = $2) \
         WHERE id = $3",
    )
    .bind(digest)
    .bind(winner)
    .bind(chunk)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE chunks SET result = NULL, \
             status = CASE WHEN status = 'pending' THEN 'cancelled' ELSE status END \
         WHERE check_of = $1",
    )
    .bind(chunk)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Quarantines `node` for `why` (the first reason stays): it gets no more
/// work, what it runs goes back to pending, and its unconfirmed chunks of
/// open jobs (their progress taken back) are decided again: by the other
/// nodes' runs of them where there are any (returned, to [`settle`]), else
/// by running them again.
pub(crate) async fn quarantine(
    tx: &mut Tx,
    node: NodeId,
    why: &str,
) -> Result<Vec<ChunkId>, StoreError> {
    let now_ms = crate::now_ms();
    tracing::warn!(%node, "node quarantined: {why}");
    sqlx::query(
        "UPDATE nodes SET quarantined_at = COALESCE(quarantined_at, $1), \
             quarantine_reason = COALESCE(quarantine_reason, $2), \
             mismatches = mismatches + 1, streak = 0 \
         WHERE id = $3",
    )
    .bind(crate::now())
    .bind(why)
    .bind(node)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE chunks SET status = 'pending', node_id = NULL, pending_since = $1 \
         WHERE node_id = $2 AND status = 'running'",
    )
    .bind(now_ms)
    .bind(node)
    .execute(&mut **tx)
    .await?;
    // Its re-runs not yet judged go to another node (its finished ones no longer vote).
    sqlx::query(
        "UPDATE chunks SET status = 'pending', node_id = NULL, result = NULL, digest = NULL, \
             pending_since = $1 \
         WHERE node_id = $2 AND status = 'reported' AND check_of IS NOT NULL",
    )
    .bind(now_ms)
    .bind(node)
    .execute(&mut **tx)
    .await?;
    let unconfirmed: Vec<Unconfirmed> = sqlx::query_as(
        "SELECT c.id, c.job_id, c.idx, c.iterations, c.status, \
             (SELECT COUNT(*) FROM chunks o JOIN nodes n ON n.id = o.node_id \
              WHERE o.check_of = c.id AND o.status = 'done' AND n.quarantined_at IS NULL) AS votes \
         FROM chunks c JOIN jobs j ON j.id = c.job_id \
         WHERE c.node_id = $1 AND c.check_of IS NULL AND c.verified = 0 \
           AND c.status IN ('done', 'checking', 'reported') \
           AND j.status IN ('pending', 'running')",
    )
    .bind(node)
    .fetch_all(&mut **tx)
    .await?;
    let mut unsettled = Vec::new();
    for chunk in unconfirmed {
        let Unconfirmed {
            id,
            job_id: job,
            idx,
            iterations,
            status,
            votes,
        } = chunk;
        let voted = votes > 0;
        sqlx::query(
            "UPDATE chunks SET status = $1, node_id = NULL, result = NULL, digest = NULL, \
                 pending_since = $2 WHERE id = $3",
        )
        .bind(
            if voted {
                ChunkStatus::Checking
            } else {
                ChunkStatus::Pending
            }
            .as_str(),
        )
        .bind(now_ms)
        .bind(id)
        .execute(&mut **tx)
        .await?;
        if voted {
            unsettled.push(id);
        } else {
            sqlx::query(
                "UPDATE chunks SET status = 'cancelled' WHERE check_of = $1 AND status = 'pending'",
            )
            .bind(id)
            .execute(&mut **tx)
            .await?;
        }
        let taken_back = if status == ChunkStatus::Done {
            iterations
        } else {
            0
        };
        sqlx::query(
            "UPDATE jobs SET progress = progress - $1, \
                 prefix_result = CASE WHEN prefix_chunks > $2 THEN NULL ELSE prefix_result END, \
                 prefix_chunks = CASE WHEN prefix_chunks > $2 THEN 0 ELSE prefix_chunks END \
             WHERE id = $3",
        )
        .bind(taken_back)
        .bind(idx)
        .bind(job)
        .execute(&mut **tx)
        .await?;
    }
    Ok(unsettled)
}
