//! Request and response bodies of the sentinel's HTTP API (`/api/v1`).
//!
//! Request bodies refuse unknown fields, so a typo is an error that names the
//! field instead of a silently ignored setting.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// Every error response: what is wrong, naming the field or value.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// The problem.
    pub error: String,
}

/// `GET /status`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Status {
    /// Always "ok" when it answers.
    pub status: String,
    /// "sqlite" or "postgres".
    pub database: String,
    /// Engine module hashes jobs may name.
    pub pinned_engines: Vec<String>,
}

/// The answer to `PUT /configs/{hash}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PutConfig {
    /// The config's hash.
    pub hash: String,
    /// Whether this request stored it (false: it was there already).
    pub created: bool,
}

/// The answer to `PUT /modules/{hash}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PutModule {
    /// The module's hash.
    pub hash: String,
    /// "engine" or "rotation".
    pub kind: String,
    /// Whether this request stored it.
    pub created: bool,
}

/// Who may see a job, or whose jobs a node runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// The owner only.
    #[default]
    Private,
    /// Everyone.
    Public,
    /// The owner and these users.
    Users(Vec<String>),
    /// The owner and the members of this group.
    Group(String),
}

/// `POST /jobs`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateJob {
    /// Hash of a stored config.
    pub config_hash: String,
    /// Iterations to run.
    pub iterations: u64,
    /// Who may see it (default: private).
    #[serde(default)]
    pub access: Access,
    /// The job seed (default: random); the same config, seed and iterations
    /// give the same result as `wowlab sim --seed`.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Stop once the 95 % error of the mean DPS is at most this percent of
    /// it, checked after each chunk in order as `wowlab sim --target-error`
    /// checks its rounds; `iterations` is then the most to run.
    #[serde(default)]
    pub target_error: Option<f64>,
}

/// The answer to `POST /jobs`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedJob {
    /// The new job's id.
    pub job_id: i64,
    /// How many chunks it was split into.
    pub chunks: i64,
}

/// A job as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JobView {
    /// Id.
    pub id: i64,
    /// pending, running, done, failed or cancelled.
    pub status: String,
    /// Iterations completed.
    pub progress: i64,
    /// Iterations asked for (with `target_error`, the most to run).
    pub iterations: i64,
    /// The target error in percent of the mean, if it has one.
    #[serde(default)]
    pub target_error: Option<f64>,
    /// Number of chunks.
    pub chunks: i64,
    /// Chunks whose result a second node's run confirmed.
    #[serde(default)]
    pub verified_chunks: i64,
    /// Chunks whose result waits for a second node's run.
    #[serde(default)]
    pub checking_chunks: i64,
    /// The config it runs.
    pub config_hash: String,
    /// The job seed: iteration i runs with a seed derived from it and i.
    pub seed: u64,
    /// Who may see it.
    pub access: Access,
    /// The merged result (a `BatchResult`) once done.
    #[schema(value_type = Option<Object>)]
    pub result: Option<Value>,
    /// Why it failed.
    pub error: Option<String>,
}

/// `POST /nodes/register` (signed).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterNode {
    /// A name for the node's owner to recognise it by.
    pub name: String,
    /// Chunks it runs at once.
    pub max_parallel: u32,
    /// CPU cores it has (shown to its owner; 0 when not said).
    #[serde(default)]
    pub cores: u32,
}

/// The answer to a registration (and to a heartbeat).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Registered {
    /// The node's id.
    pub node_id: i64,
    /// The code a user enters to claim the node.
    pub claim_code: String,
    /// Whether a user owns it yet (it gets work only once claimed).
    pub claimed: bool,
    /// How often to send heartbeats, in seconds; a node silent for much
    /// longer goes offline and its chunks return to pending.
    pub heartbeat_every_secs: u64,
}

/// `POST /nodes/heartbeat` (signed).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Heartbeat {
    /// The chunks the node is running. Chunks assigned to it a while ago
    /// that it does not list (lost when it restarted) return to pending.
    #[serde(default)]
    pub running: Vec<i64>,
}

/// `POST /nodes/claim`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimNode {
    /// The code the node printed.
    pub code: String,
}

/// `PATCH /nodes/{id}`: only the fields given change.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateNode {
    /// A new name.
    pub name: Option<String>,
    /// Chunks it runs at once (1 to 1024).
    pub max_parallel: Option<u32>,
    /// Whose jobs it runs besides the owner's.
    pub permissions: Option<Access>,
}

/// A node as its owner sees it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NodeView {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Its Ed25519 public key, hex.
    pub public_key: String,
    /// The owner's name.
    pub owner: Option<String>,
    /// Chunks it runs at once.
    pub max_parallel: u32,
    /// Whose jobs it runs besides the owner's.
    pub permissions: Access,
    /// Whether its heartbeats arrive.
    pub online: bool,
    /// Unix seconds of its last signed request.
    pub last_seen_at: i64,
    /// Chunks it runs now.
    pub running: i64,
    /// CPU cores it has (0 when it did not say).
    pub cores: u32,
    /// Chunks it has completed.
    pub completed: i64,
    /// Its results that another node's run of the same chunk confirmed.
    #[serde(default)]
    pub verified: i64,
    /// Chunks on which its result was outvoted by other nodes'.
    #[serde(default)]
    pub mismatches: i64,
    /// How far the sentinel trusts its results.
    #[serde(default)]
    pub trust: Trust,
    /// Why it was quarantined.
    #[serde(default)]
    pub quarantine_reason: Option<String>,
}

/// How far the sentinel trusts a node's results (see the README's
/// "Verified results").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Trust {
    /// Too few of its results confirmed yet: most are re-run elsewhere.
    #[default]
    New,
    /// A run of confirmed results: a falling share is re-run.
    Reliable,
    /// Outvoted on a chunk: it gets no more work.
    Quarantined,
}

/// One chunk for a node to run: everything it needs is fetched by hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Assignment {
    /// The chunk's id (for complete, fail and release).
    pub chunk_id: i64,
    /// The job it belongs to.
    pub job_id: i64,
    /// `GET /configs/{config_hash}`.
    pub config_hash: String,
    /// The job seed.
    pub seed: u64,
    /// The first job iteration of the chunk.
    pub first_iteration: u64,
    /// How many iterations.
    pub iterations: u32,
}

/// The answer to `POST /nodes/poll` (signed), and each WebSocket message.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Assignments {
    /// Chunks now assigned to the node.
    pub assignments: Vec<Assignment>,
}

/// The most results one `POST /chunks/complete` may carry.
pub const MAX_RESULTS_PER_REPORT: usize = 64;

/// `POST /chunks/complete` (signed): the results of one or more finished
/// chunks (at most [`MAX_RESULTS_PER_REPORT`]), stored in one transaction.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteChunks {
    /// The results, each chunk at most once.
    pub results: Vec<ChunkResult>,
}

/// One finished chunk's result.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChunkResult {
    /// The chunk.
    pub chunk_id: i64,
    /// Its `BatchResult`.
    #[schema(value_type = Object)]
    pub result: Value,
    /// [`crate::digest::result_digest`] of the result: the sentinel
    /// compares it with the digest of the body it received and with other
    /// nodes' digests of the same chunk.
    pub digest: String,
}

/// The answer to `POST /chunks/complete`: every reported chunk is either
/// acknowledged (stored now or before: completion is idempotent) or refused.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CompletedChunks {
    /// The chunks whose results are stored.
    pub acks: Vec<ChunkAck>,
    /// The chunks whose results were not taken, and why.
    pub refused: Vec<RefusedChunk>,
}

/// A chunk result the sentinel did not take.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RefusedChunk {
    /// The chunk.
    pub chunk_id: i64,
    /// Why (unknown, not assigned to this node, or a result that does not fit it).
    pub error: String,
}

/// `POST /chunks/{id}/fail` (signed).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FailChunk {
    /// What went wrong.
    pub error: String,
    /// True when running it again would fail again (a trap, a script
    /// error): after three such failures on different nodes the job fails.
    pub deterministic: bool,
}

/// A chunk's state after a report: the answer to fail and release, and
/// each acknowledgement of complete.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChunkAck {
    /// The chunk.
    pub chunk_id: i64,
    /// Its status now.
    pub status: String,
    /// Its job's status now.
    pub job_status: String,
}

/// `POST /rotations`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRotation {
    /// Its name.
    pub name: String,
    /// The Rhai script.
    pub script: String,
    /// Whether everyone may see and use it.
    #[serde(default)]
    pub public: bool,
    /// The name of the spec pack it is written for, to browse by spec.
    #[serde(default)]
    pub spec: String,
}

/// `PUT /rotations/{id}`: a new version (with `script`) and/or visibility.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRotation {
    /// The new script; makes a new version.
    pub script: Option<String>,
    /// Whether everyone may see and use it.
    pub public: Option<bool>,
}

/// One version of a rotation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RotationVersion {
    /// 1, 2, ...
    pub version: i64,
    /// BLAKE3 of the script: what a config names.
    pub checksum: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// A rotation with its latest script.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RotationView {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// The owner's name.
    pub owner: String,
    /// Whether everyone may see and use it.
    pub public: bool,
    /// The name of the spec pack it is written for ("" when not said).
    #[serde(default)]
    pub spec: String,
    /// The latest version.
    pub version: i64,
    /// The latest version's checksum.
    pub checksum: String,
    /// The latest script.
    pub script: String,
    /// Every version, oldest first.
    pub versions: Vec<RotationVersion>,
}
