//! Verified results: nodes of other owners re-run a sample of each node's
//! chunks, digests are compared exactly, and a node that is outvoted (or
//! whose digest does not match its own result) is quarantined. Real
//! sentinel, real signed requests, results from the native engine.

mod common;

use common::{
    Server, TestNode, create_job, join_public, run_native, runnable_config, stored_config,
    volunteer,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wowlab_engine::SimConfig;
use wowlab_protocol::api::Assignment;
use wowlab_sentinel::store::{JobId, NodeId};
use wowlab_sentinel::verification::Verification;

/// Reliable after two confirmed results, and then never re-run.
fn reliable_soon() -> Verification {
    Verification {
        reliable_after: 2,
        reliable_rate: 0.0,
        min_rate: 0.0,
        ..Verification::default()
    }
}

/// Re-runs do not wait for another owner's node.
fn any_other_node() -> Verification {
    Verification {
        other_owner_wait_ms: 0,
        ..Verification::default()
    }
}

/// A wrong result: one DPS more over the chunk.
fn lie(honest: &Value) -> Value {
    let mut result: wowlab_engine::BatchResult = serde_json::from_value(honest.clone()).unwrap();
    result.dps.sum += 65_536;
    serde_json::to_value(result).unwrap()
}

/// Runs and reports these assignments honestly (or lying); the answer.
async fn report(
    node: &TestNode,
    config: &SimConfig,
    assigned: &[Assignment],
    lying: bool,
) -> Value {
    let results: Vec<(i64, Value)> = assigned
        .iter()
        .map(|a| {
            let honest = node.run(config, a);
            (a.chunk_id, if lying { lie(&honest) } else { honest })
        })
        .collect();
    let (status, v) = node.report(&results).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v
}

async fn job(s: &Server, id: i64) -> Value {
    let (status, v) = s
        .call(Method::GET, &format!("/jobs/{id}"), &s.token, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v
}

/// The node `id` as its owner sees it in `GET /nodes`.
async fn node_view(s: &Server, token: &str, id: i64) -> Value {
    let (status, v) = s.call(Method::GET, "/nodes", token, None).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v.as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == id)
        .cloned()
        .unwrap()
}

/// The whole job run in one batch, as `wowlab sim` would.
fn whole(config: &SimConfig, job: &Value) -> Value {
    let iterations = job["iterations"].as_u64().unwrap() as u32;
    let seed = job["seed"].as_u64().unwrap();
    serde_json::to_value(run_native(config, seed, 0, iterations)).unwrap()
}

fn ranges(assigned: &[Assignment]) -> Vec<(i64, u64)> {
    let mut ranges: Vec<(i64, u64)> = assigned
        .iter()
        .map(|a| (a.job_id, a.first_iteration))
        .collect();
    ranges.sort();
    ranges
}

async fn a_second_node_confirms_each_result_of_a_new_node(s: Server) {
    let hash = runnable_config(&s).await;
    let config = stored_config(&s, &hash).await;
    let id = create_job(&s, &s.token, &hash, 3_000).await;
    let (alice, alice_id, alice_token) = volunteer(&s, 1, "alice", 3).await;
    let (bob, bob_id, bob_token) = volunteer(&s, 2, "bob", 3).await;

    let first = alice.poll().await;
    assert_eq!(first.len(), 3);
    report(&alice, &config, &first, false).await;
    let v = job(&s, id).await;
    assert_eq!(v["status"], "running", "{v}");
    assert_eq!(
        (v["progress"].as_i64(), v["checking_chunks"].as_i64()),
        (Some(0), Some(3))
    );
    assert!(alice.poll().await.is_empty(), "a node never checks itself");

    let checks = bob.poll().await;
    assert_eq!(
        ranges(&checks),
        ranges(&first),
        "bob re-runs alice's chunks"
    );
    assert!(
        checks
            .iter()
            .all(|c| first.iter().all(|f| f.chunk_id != c.chunk_id))
    );
    report(&bob, &config, &checks, false).await;
    let v = job(&s, id).await;
    assert_eq!(v["status"], "done", "{v}");
    assert_eq!(
        (v["verified_chunks"].as_i64(), v["checking_chunks"].as_i64()),
        (Some(3), Some(0))
    );
    assert_eq!(v["result"], whole(&config, &v));
    for (token, node) in [(&alice_token, alice_id), (&bob_token, bob_id)] {
        let view = node_view(&s, token, node).await;
        assert_eq!(
            (
                &view["completed"],
                &view["verified"],
                &view["mismatches"],
                &view["trust"]
            ),
            (&json!(3), &json!(3), &json!(0), &json!("new")),
            "{view}"
        );
    }
}

async fn a_lying_node_is_outvoted_and_quarantined(s: Server) {
    let hash = runnable_config(&s).await;
    let config = stored_config(&s, &hash).await;
    let first_job = create_job(&s, &s.token, &hash, 1_000).await;
    let second_job = create_job(&s, &s.token, &hash, 1_000).await;
    let (mallory, mallory_id, mallory_token) = volunteer(&s, 3, "mallory", 2).await;
    let (alice, alice_id, alice_token) = volunteer(&s, 1, "alice", 1).await;
    let (bob, _, _) = volunteer(&s, 2, "bob", 1).await;

    let lies = mallory.poll().await;
    assert_eq!(lies.len(), 2);
    report(&mallory, &config, &lies, true).await;
    let check = alice.poll().await;
    assert_eq!(ranges(&check), vec![(first_job, 0)]);
    report(&alice, &config, &check, false).await;
    assert_eq!(
        job(&s, first_job).await["status"],
        "running",
        "two nodes disagree: a third decides"
    );
    let tiebreak = bob.poll().await;
    assert_eq!(ranges(&tiebreak), vec![(first_job, 0)]);
    report(&bob, &config, &tiebreak, false).await;

    let v = job(&s, first_job).await;
    assert_eq!(v["status"], "done", "{v}");
    assert_eq!(v["result"], whole(&config, &v), "the honest result wins");
    assert_eq!(v["verified_chunks"], 1);
    let view = node_view(&s, &mallory_token, mallory_id).await;
    assert_eq!(view["trust"], "quarantined", "{view}");
    assert_eq!(view["mismatches"], 1, "{view}");
    let why = view["quarantine_reason"].as_str().unwrap();
    assert!(
        why.contains(&format!("chunk 0 of job {first_job}")),
        "{why}"
    );
    assert!(
        mallory.poll().await.is_empty(),
        "a quarantined node gets no work"
    );

    // Its unconfirmed result in the open job runs again, on an honest node.
    assert_eq!(
        s.store.chunk_counts(JobId(second_job)).await.unwrap(),
        vec![("pending".to_string(), 1)]
    );
    let rerun = alice.poll().await;
    assert_eq!(ranges(&rerun), vec![(second_job, 0)]);
    report(&alice, &config, &rerun, false).await;
    let check = bob.poll().await;
    report(&bob, &config, &check, false).await;
    let v = job(&s, second_job).await;
    assert_eq!(v["status"], "done", "{v}");
    assert_eq!(v["result"], whole(&config, &v));
    assert_eq!(node_view(&s, &alice_token, alice_id).await["mismatches"], 0);

    // The operator lifts the quarantine: it starts over as a new node.
    assert!(s.store.release_node(NodeId(mallory_id)).await.unwrap());
    let view = node_view(&s, &mallory_token, mallory_id).await;
    assert_eq!(
        (&view["trust"], &view["quarantine_reason"]),
        (&json!("new"), &Value::Null)
    );
    create_job(&s, &s.token, &hash, 1_000).await;
    assert_eq!(mallory.poll().await.len(), 1, "it gets work again");
}

async fn a_quarantined_nodes_other_chunk_is_decided_by_the_runs_already_in(s: Server) {
    let hash = runnable_config(&s).await;
    let config = stored_config(&s, &hash).await;
    let id = create_job(&s, &s.token, &hash, 2_000).await;
    let (mallory, _, _) = volunteer(&s, 3, "mallory", 2).await;
    let (alice, _, _) = volunteer(&s, 1, "alice", 2).await;
    let (bob, _, _) = volunteer(&s, 2, "bob", 2).await;
    let lies = mallory.poll().await;
    report(&mallory, &config, &lies, true).await;
    let checks = alice.poll().await;
    report(&alice, &config, &checks, false).await;
    let mut tiebreaks = bob.poll().await;
    assert_eq!(tiebreaks.len(), 2, "both chunks go to a third node");
    tiebreaks.sort_by_key(|a| a.first_iteration);
    let last = tiebreaks.pop().unwrap();
    report(&bob, &config, &tiebreaks, false).await;
    // Mallory is quarantined; chunk 1 keeps alice's vote and bob's run of it.
    let v = job(&s, id).await;
    assert_eq!(
        (&v["progress"], &v["verified_chunks"]),
        (&json!(1000), &json!(1)),
        "{v}"
    );
    report(&bob, &config, &[last], false).await;
    let v = job(&s, id).await;
    assert_eq!(v["status"], "done", "{v}");
    assert_eq!(v["result"], whole(&config, &v));
}

async fn a_digest_that_does_not_match_the_result_quarantines_at_once(s: Server) {
    let hash = runnable_config(&s).await;
    let config = stored_config(&s, &hash).await;
    let id = create_job(&s, &s.token, &hash, 1_000).await;
    let (mallory, mallory_id, mallory_token) = volunteer(&s, 3, "mallory", 1).await;
    let a = mallory.poll().await.remove(0);
    let honest = mallory.run(&config, &a);
    let digest = wowlab_protocol::digest::result_digest(
        &serde_json::from_value::<wowlab_engine::BatchResult>(honest.clone()).unwrap(),
    );
    let (status, v) = mallory
        .post(
            "/chunks/complete",
            json!({ "results": [{ "chunk_id": a.chunk_id, "result": lie(&honest), "digest": digest }] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let error = v["refused"][0]["error"].as_str().unwrap();
    assert!(
        error.contains("digest") && error.contains("quarantined"),
        "{error}"
    );
    assert_eq!(
        s.store.chunk_counts(JobId(id)).await.unwrap(),
        vec![("pending".to_string(), 1)],
        "nothing it reported is kept"
    );
    let view = node_view(&s, &mallory_token, mallory_id).await;
    assert_eq!(view["trust"], "quarantined", "{view}");
    assert!(
        view["quarantine_reason"]
            .as_str()
            .unwrap()
            .contains(&digest)
    );
    assert!(mallory.poll().await.is_empty());
}

async fn results_from_the_job_owners_own_node_are_trusted(s: Server) {
    let hash = runnable_config(&s).await;
    let config = stored_config(&s, &hash).await;
    let id = create_job(&s, &s.token, &hash, 2_000).await;
    let own = TestNode::new(4, &s.base);
    own.join(&s, &s.token, 2).await;
    let assigned = own.poll().await;
    report(&own, &config, &assigned, false).await;
    let v = job(&s, id).await;
    assert_eq!(v["status"], "done", "{v}");
    assert_eq!(v["verified_chunks"], 0);
    assert_eq!(
        s.store.pending_chunks().await.unwrap(),
        0,
        "nothing is re-run"
    );
}

async fn a_streak_makes_a_node_reliable_and_a_disagreement_ends_it(s: Server) {
    let hash = runnable_config(&s).await;
    let config = stored_config(&s, &hash).await;
    let first = create_job(&s, &s.token, &hash, 2_000).await;
    let (alice, alice_id, alice_token) = volunteer(&s, 1, "alice", 2).await;
    let (bob, _, _) = volunteer(&s, 2, "bob", 2).await;
    let ran = alice.poll().await;
    report(&alice, &config, &ran, false).await;
    let checks = bob.poll().await;
    report(&bob, &config, &checks, false).await;
    assert_eq!(job(&s, first).await["status"], "done");
    assert_eq!(
        node_view(&s, &alice_token, alice_id).await["trust"],
        "reliable"
    );

    // Reliable at rate 0 here: its results are taken as they come.
    let second = create_job(&s, &s.token, &hash, 2_000).await;
    let ran = alice.poll().await;
    report(&alice, &config, &ran, false).await;
    let v = job(&s, second).await;
    assert_eq!(
        (&v["status"], &v["verified_chunks"]),
        (&json!("done"), &json!(0)),
        "{v}"
    );

    // Checking a liar, alice disagrees with it: she is new again until the tie is broken.
    let third = create_job(&s, &s.token, &hash, 1_000).await;
    let (mallory, _, _) = volunteer(&s, 3, "mallory", 1).await;
    let lies = mallory.poll().await;
    report(&mallory, &config, &lies, true).await;
    let check = alice.poll().await;
    report(&alice, &config, &check, false).await;
    assert_eq!(node_view(&s, &alice_token, alice_id).await["trust"], "new");
    let tiebreak = bob.poll().await;
    report(&bob, &config, &tiebreak, false).await;
    let v = job(&s, third).await;
    assert_eq!(v["result"], whole(&config, &v));
}

async fn a_check_waits_for_a_node_of_another_owner(s: Server) {
    let hash = runnable_config(&s).await;
    let config = stored_config(&s, &hash).await;
    create_job(&s, &s.token, &hash, 1_000).await;
    let (first, _, alice_token) = volunteer(&s, 1, "alice", 1).await;
    let second = TestNode::new(5, &s.base);
    join_public(&s, &second, &alice_token, 1).await;
    let (bob, _, _) = volunteer(&s, 2, "bob", 1).await;
    let ran = first.poll().await;
    report(&first, &config, &ran, false).await;
    assert!(
        second.poll().await.is_empty(),
        "the same owner's other node waits"
    );
    assert_eq!(ranges(&bob.poll().await), ranges(&ran));
}

async fn without_another_owner_a_check_goes_to_the_same_owners_other_node(s: Server) {
    let hash = runnable_config(&s).await;
    let config = stored_config(&s, &hash).await;
    let id = create_job(&s, &s.token, &hash, 1_000).await;
    let (first, _, alice_token) = volunteer(&s, 1, "alice", 1).await;
    let second = TestNode::new(5, &s.base);
    join_public(&s, &second, &alice_token, 1).await;
    let ran = first.poll().await;
    report(&first, &config, &ran, false).await;
    let check = second.poll().await;
    assert_eq!(ranges(&check), ranges(&ran));
    report(&second, &config, &check, false).await;
    assert_eq!(job(&s, id).await["verified_chunks"], 1);
}

on_both_stores!(
    a_second_node_confirms_each_result_of_a_new_node,
    a_lying_node_is_outvoted_and_quarantined,
    a_quarantined_nodes_other_chunk_is_decided_by_the_runs_already_in,
    a_digest_that_does_not_match_the_result_quarantines_at_once,
    results_from_the_job_owners_own_node_are_trusted,
    a_check_waits_for_a_node_of_another_owner,
);

on_both_stores!(
    with super::reliable_soon();
    a_streak_makes_a_node_reliable_and_a_disagreement_ends_it,
);

on_both_stores!(
    with super::any_other_node();
    without_another_owner_a_check_goes_to_the_same_owners_other_node,
);
