//! Nodes and chunks over real sockets, on both stores: registration and
//! claiming, signatures, assignment (permissions, fairness), completion and
//! the merged result, failures, and the WebSocket stream.

mod common;

use std::time::Duration;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wowlab_sentinel::store::JobId;

on_both_stores!(
    a_node_registers_and_its_owner_manages_it,
    chunks_are_assigned_completed_once_and_merged_into_the_job_result,
    several_results_in_one_report_finish_two_jobs_together,
    bad_results_and_reports_about_other_chunks_change_nothing,
    forged_stale_and_replayed_requests_are_refused_and_change_nothing,
    a_big_job_does_not_starve_a_small_one,
    permissions_decide_whose_chunks_a_node_gets,
    three_deterministic_failures_on_different_nodes_fail_the_job,
    a_node_skips_the_chunks_that_failed_on_it_and_takes_the_next,
    released_chunks_and_chunks_a_restarted_node_lost_return_to_pending,
    the_stream_pushes_assignments_after_a_signed_handshake,
    metrics_count_chunks_nodes_and_rejections,
    a_target_error_job_stops_at_the_first_chunks_in_order_that_reach_it,
);

async fn a_node_registers_and_its_owner_manages_it(s: Server) {
    let other = add_user(&s, "other").await;
    let node = TestNode::new(1, &s.base);
    let (status, v) = node
        .post(
            "/nodes/register",
            json!({ "name": "box", "max_parallel": 2 }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["claim_code"], node.key.claim_code());
    assert_eq!(v["claimed"], false);
    assert_eq!(v["heartbeat_every_secs"], 15);
    let id = v["node_id"].as_i64().unwrap();
    let (status, again) = node
        .post(
            "/nodes/register",
            json!({ "name": "box", "max_parallel": 2 }),
        )
        .await;
    assert_eq!(
        (status, again["node_id"].as_i64()),
        (StatusCode::OK, Some(id))
    );

    let claim = |token: &str, code: &str| {
        let (token, code) = (token.to_string(), code.to_string());
        let s = &s;
        async move {
            s.call(
                Method::POST,
                "/nodes/claim",
                &token,
                Some(json!({ "code": code })),
            )
            .await
        }
    };
    let (status, v) = claim(&s.token, "AAAAA-AAAAA").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{v}");
    assert!(v["error"].as_str().unwrap().contains("claim code"), "{v}");
    let (status, v) = node.post("/nodes/heartbeat", json!({})).await;
    assert_eq!((status, &v["claimed"]), (StatusCode::OK, &json!(false)));

    // Codes are typed by people: case and dashes do not matter.
    let typed = node.key.claim_code().replace('-', "").to_lowercase();
    let (status, v) = claim(&s.token, &typed).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        (v["id"].as_i64(), &v["owner"]),
        (Some(id), &json!("tester"))
    );
    let (status, v) = claim(&other, &typed).await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    let (_, v) = node.post("/nodes/heartbeat", json!({})).await;
    assert_eq!(v["claimed"], true);

    let (_, mine) = s.call(Method::GET, "/nodes", &s.token, None).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["online"], true);
    assert_eq!(mine[0]["permissions"], "private");
    let (_, theirs) = s.call(Method::GET, "/nodes", &other, None).await;
    assert_eq!(theirs, json!([]));

    let path = format!("/nodes/{id}");
    let (status, v) = s
        .call(
            Method::PATCH,
            &path,
            &s.token,
            Some(json!({ "name": "big box", "max_parallel": 8, "permissions": { "users": ["other"] } })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        (&v["name"], &v["max_parallel"], &v["permissions"]),
        (&json!("big box"), &json!(8), &json!({ "users": ["other"] }))
    );
    for (body, needle) in [
        (
            json!({ "permissions": { "users": ["nobody"] } }),
            "unknown user `nobody`",
        ),
        (
            json!({ "permissions": { "group": "nobody" } }),
            "unknown group `nobody`",
        ),
        (json!({ "max_parallel": 0 }), "max_parallel"),
        (json!({ "name": "" }), "name"),
        (json!({ "colour": "red" }), "colour"),
    ] {
        let (status, v) = s.call(Method::PATCH, &path, &s.token, Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{needle}: {v}");
        assert!(
            v["error"].as_str().unwrap().contains(needle),
            "{needle}: {v}"
        );
    }
    let (status, _) = s
        .call(
            Method::PATCH,
            &path,
            &other,
            Some(json!({ "name": "mine" })),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "only the owner updates");
    let (status, _) = s.call(Method::DELETE, &path, &other, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "only the owner deletes");
    let (_, mine) = s.call(Method::GET, "/nodes", &s.token, None).await;
    assert_eq!(
        (&mine[0]["name"], &mine[0]["max_parallel"]),
        (&json!("big box"), &json!(8)),
        "refused updates changed nothing"
    );

    let response = reqwest::Client::new()
        .delete(s.url(&path))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (_, mine) = s.call(Method::GET, "/nodes", &s.token, None).await;
    assert_eq!(mine, json!([]));
    let (status, v) = node.post("/nodes/heartbeat", json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{v}");
    assert!(
        v["error"].as_str().unwrap().contains("register first"),
        "{v}"
    );
}

async fn chunks_are_assigned_completed_once_and_merged_into_the_job_result(s: Server) {
    let hash = runnable_config(&s).await;
    let config = stored_config(&s, &hash).await;
    let job = create_job(&s, &s.token, &hash, 2_500).await;
    let node = TestNode::new(2, &s.base);
    node.join(&s, &s.token, 2).await;

    let first = node.poll().await;
    assert_eq!(
        first
            .iter()
            .map(|a| (a.first_iteration, a.iterations))
            .collect::<Vec<_>>(),
        [(0, 1000), (1000, 1000)],
        "as many chunks as free slots, oldest first"
    );
    assert!(node.poll().await.is_empty(), "no free slot left");
    let (_, v) = s
        .call(Method::GET, &format!("/jobs/{job}"), &s.token, None)
        .await;
    assert_eq!(v["status"], "running");

    for a in &first {
        let (status, ack) = node.complete(&config, a).await;
        assert_eq!(status, StatusCode::OK, "{ack}");
        assert_eq!(
            (&ack["status"], &ack["job_status"]),
            (&json!("done"), &json!("running"))
        );
    }
    // A repeated report (the node missed the acknowledgement) counts once.
    let (status, ack) = node.complete(&config, &first[0]).await;
    assert_eq!((status, &ack["status"]), (StatusCode::OK, &json!("done")));
    let (_, v) = s
        .call(Method::GET, &format!("/jobs/{job}"), &s.token, None)
        .await;
    assert_eq!(
        (v["progress"].as_i64(), &v["result"]),
        (Some(2000), &Value::Null)
    );

    let last = node.poll().await;
    assert_eq!(last.len(), 1);
    assert_eq!((last[0].first_iteration, last[0].iterations), (2000, 500));
    let (status, ack) = node.complete(&config, &last[0]).await;
    assert_eq!(status, StatusCode::OK, "{ack}");
    assert_eq!(ack["job_status"], "done");

    let (_, v) = s
        .call(Method::GET, &format!("/jobs/{job}"), &s.token, None)
        .await;
    assert_eq!(
        (&v["status"], v["progress"].as_i64()),
        (&json!("done"), Some(2500))
    );
    let whole = run_native(&config, v["seed"].as_u64().unwrap(), 0, 2500);
    assert_eq!(
        v["result"],
        serde_json::to_value(&whole).unwrap(),
        "the merged chunks equal one run over all iterations"
    );
    assert_eq!(
        s.store.chunk_counts(JobId(job)).await.unwrap(),
        vec![("done".to_string(), 3)]
    );
}

async fn several_results_in_one_report_finish_two_jobs_together(s: Server) {
    let hash = runnable_config(&s).await;
    let config = stored_config(&s, &hash).await;
    let two = create_job(&s, &s.token, &hash, 1_700).await;
    let one = create_job(&s, &s.token, &hash, 1_000).await;
    let node = TestNode::new(17, &s.base);
    let other = TestNode::new(18, &s.base);
    node.join(&s, &s.token, 3).await;
    other.join(&s, &s.token, 1).await;
    let mine = node.poll().await;
    assert_eq!(mine.len(), 3, "{mine:?}");
    let extra = create_job(&s, &s.token, &hash, 1_000).await;
    let theirs = other.poll().await.remove(0);
    assert_eq!(theirs.job_id, extra);

    let mut results: Vec<(i64, Value)> = mine
        .iter()
        .map(|a| (a.chunk_id, node.run(&config, a)))
        .collect();
    results.push((theirs.chunk_id, other.run(&config, &theirs)));
    let (status, v) = node.report(&results).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let acked: Vec<(i64, &str, &str)> = v["acks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["chunk_id"].as_i64().unwrap(),
                a["status"].as_str().unwrap(),
                a["job_status"].as_str().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(i64, &str, &str)> =
        mine.iter().map(|a| (a.chunk_id, "done", "done")).collect();
    assert_eq!(
        acked, expected,
        "every chunk stored, both jobs done in the same report"
    );
    assert_eq!(v["refused"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["refused"][0]["chunk_id"], theirs.chunk_id);

    for (job, iterations) in [(two, 1_700), (one, 1_000)] {
        let (_, v) = s
            .call(Method::GET, &format!("/jobs/{job}"), &s.token, None)
            .await;
        assert_eq!(
            (&v["status"], v["progress"].as_i64()),
            (&json!("done"), Some(iterations))
        );
        let whole = run_native(&config, v["seed"].as_u64().unwrap(), 0, iterations as u32);
        assert_eq!(v["result"], serde_json::to_value(&whole).unwrap());
    }
    let metrics = reqwest::get(format!("{}/metrics", s.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics
            .lines()
            .any(|l| l == "wowlab_job_duration_seconds_count 2"),
        "each finished job is timed once:\n{metrics}"
    );
    // The same report again (the node missed the answer) counts nothing twice.
    let (status, again) = node.report(&results[..3]).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["acks"].as_array().unwrap().len(), 3, "{again}");
    let (_, v) = s
        .call(Method::GET, &format!("/jobs/{two}"), &s.token, None)
        .await;
    assert_eq!(v["progress"], 1_700);
    assert_eq!(
        s.store.chunk_counts(JobId(extra)).await.unwrap(),
        vec![("running".to_string(), 1)],
        "the other node's chunk is still its own"
    );
}

async fn bad_results_and_reports_about_other_chunks_change_nothing(s: Server) {
    let hash = runnable_config(&s).await;
    let config = stored_config(&s, &hash).await;
    let job = create_job(&s, &s.token, &hash, 1_500).await;
    let node = TestNode::new(3, &s.base);
    let idle = TestNode::new(4, &s.base);
    node.join(&s, &s.token, 1).await;
    idle.join(&s, &s.token, 1).await;
    let a = node.poll().await.remove(0);
    let b = idle.poll().await.remove(0);

    let wrong_count = {
        let short = wowlab_protocol::api::Assignment {
            iterations: a.iterations - 1,
            ..a.clone()
        };
        node.run(&config, &short)
    };
    let result = |value: Value| json!({ "results": [{ "chunk_id": a.chunk_id, "result": value, "digest": "" }] });
    let good = node.run(&config, &a);
    let too_many: Vec<Value> = (0..=wowlab_protocol::api::MAX_RESULTS_PER_REPORT as i64)
        .map(|i| json!({ "chunk_id": i, "result": good, "digest": "" }))
        .collect();
    let cases = [
        (result(json!({ "dps": 1 })), "results[0].result"),
        (json!({ "answer": 42 }), "answer"),
        (
            json!({ "results": [{ "chunk_id": a.chunk_id, "result": good, "digest": "" },
                                { "chunk_id": a.chunk_id, "result": good, "digest": "" }] }),
            "`results[1].chunk_id`: chunk",
        ),
        (json!({ "results": too_many }), "at most 64"),
    ];
    for (body, needle) in cases {
        let (status, v) = node.post("/chunks/complete", body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{needle}: {v}");
        assert!(
            v["error"].as_str().unwrap().contains(needle),
            "{needle}: {v}"
        );
    }
    // A result that does not fit its chunk, another node's chunk and an
    // unknown chunk are refused one by one, each with its reason.
    let (status, v) = node.report(&[(a.chunk_id, wrong_count)]).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let error = v["refused"][0]["error"].as_str().unwrap();
    assert!(error.contains("iterations"), "{v}");
    let (status, v) = idle.complete(&config, &a).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        v["error"],
        format!("chunk {} is not assigned to this node", a.chunk_id)
    );
    let (status, v) = idle
        .post(&format!("/chunks/{}/release", a.chunk_id), json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    let (status, v) = idle.report(&[(999_999, good.clone())]).await;
    assert_eq!(
        (status, &v["refused"][0]["error"]),
        (StatusCode::OK, &json!("no chunk 999999"))
    );

    let (_, v) = s
        .call(Method::GET, &format!("/jobs/{job}"), &s.token, None)
        .await;
    assert_eq!(v["progress"], 0, "nothing was counted");
    assert_eq!(
        s.store.chunk_counts(JobId(job)).await.unwrap(),
        vec![("running".to_string(), 2)]
    );
    let (status, _) = idle.complete(&config, &b).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = node.complete(&config, &a).await;
    assert_eq!(status, StatusCode::OK);
    let (_, v) = s
        .call(Method::GET, &format!("/jobs/{job}"), &s.token, None)
        .await;
    assert_eq!(
        (&v["status"], &v["progress"]),
        (&json!("done"), &json!(1500))
    );
}

async fn forged_stale_and_replayed_requests_are_refused_and_change_nothing(s: Server) {
    use wowlab_protocol::signing::{NodeKey, SignedHeaders};
    let hash = runnable_config(&s).await;
    let config = stored_config(&s, &hash).await;
    let job = create_job(&s, &s.token, &hash, 1_000).await;
    let node = TestNode::new(5, &s.base);
    node.join(&s, &s.token, 1).await;
    let a = node.poll().await.remove(0);
    let path = "/chunks/complete";
    let body = serde_json::to_vec(
        &json!({ "results": [{ "chunk_id": a.chunk_id, "result": node.run(&config, &a), "digest": "" }] }),
    )
    .unwrap();
    let full_path = format!("/api/v1{path}");
    let now = wowlab_sentinel::now();

    let forged = SignedHeaders {
        key: node.key.public_hex(),
        ..NodeKey::from_secret([99; 32]).sign(now, &TestNode::nonce(), "POST", &full_path, &body)
    };
    let stale = node
        .key
        .sign(now - 301, &TestNode::nonce(), "POST", &full_path, &body);
    let future = node
        .key
        .sign(now + 400, &TestNode::nonce(), "POST", &full_path, &body);
    let tampered_body = node.sign("POST", path, b"{\"result\":{}}");
    let other_path = node.sign("POST", "/chunks/1/release", &body);
    let cases = [
        (forged, "bad signature"),
        (stale, "stale timestamp"),
        (future, "stale timestamp"),
        (tampered_body, "bad signature"),
        (other_path, "bad signature"),
    ];
    for (headers, needle) in cases {
        let (status, v) = node.send_signed(Method::POST, path, &body, &headers).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{needle}: {v}");
        assert!(
            v["error"].as_str().unwrap().contains(needle),
            "{needle}: {v}"
        );
    }
    let huge = vec![b' '; wowlab_sentinel::api::MAX_BODY + 1];
    let headers = node.sign("POST", path, &huge);
    let (status, v) = node.send_signed(Method::POST, path, &huge, &headers).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    let unsigned = reqwest::Client::new()
        .post(s.url(path))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    let v: Value = unsigned.json().await.unwrap();
    assert!(v["error"].as_str().unwrap().contains("x-wowlab-key"), "{v}");
    assert_eq!(
        s.store.chunk_counts(JobId(job)).await.unwrap(),
        vec![("running".to_string(), 1)],
        "no refused request completed the chunk"
    );

    // A good request, then the same bytes again: the replay is refused.
    let release_path = format!("/chunks/{}/release", a.chunk_id);
    let headers = node.sign("POST", &release_path, b"{}");
    let (status, v) = node
        .send_signed(Method::POST, &release_path, b"{}", &headers)
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let again = node.poll().await.remove(0);
    assert_eq!(again.chunk_id, a.chunk_id);
    let (status, v) = node
        .send_signed(Method::POST, &release_path, b"{}", &headers)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{v}");
    assert!(v["error"].as_str().unwrap().contains("replayed"), "{v}");
    assert_eq!(
        s.store.chunk_counts(JobId(job)).await.unwrap(),
        vec![("running".to_string(), 1)],
        "the replayed release did not release the chunk again"
    );
}

async fn a_big_job_does_not_starve_a_small_one(s: Server) {
    let small_user = add_user(&s, "small").await;
    let hash = runnable_config(&s).await;
    let big = create_job(&s, &s.token, &hash, 10_000).await;
    let small = create_job(&s, &small_user, &hash, 2_000).await;
    let node = TestNode::new(6, &s.base);
    let id = node.join(&s, &s.token, 4).await;
    let (status, _) = s
        .call(
            Method::PATCH,
            &format!("/nodes/{id}"),
            &s.token,
            Some(json!({ "permissions": "public" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let assigned = node.poll().await;
    let of = |job: i64| assigned.iter().filter(|a| a.job_id == job).count();
    assert_eq!(
        (of(big), of(small)),
        (2, 2),
        "users take turns: {assigned:?}"
    );
}

async fn permissions_decide_whose_chunks_a_node_gets(s: Server) {
    let other = add_user(&s, "other").await;
    let hash = runnable_config(&s).await;
    let theirs = create_job(&s, &other, &hash, 1_000).await;
    let node = TestNode::new(7, &s.base);
    let id = node.join(&s, &s.token, 4).await;
    let set = |permissions: Value| {
        let s = &s;
        async move {
            let (status, v) = s
                .call(
                    Method::PATCH,
                    &format!("/nodes/{id}"),
                    &s.token,
                    Some(json!({ "permissions": permissions })),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{v}");
        }
    };
    assert!(
        node.poll().await.is_empty(),
        "private: the owner's jobs only"
    );
    set(json!({ "users": ["tester"] })).await;
    assert!(node.poll().await.is_empty(), "`other` is not listed");
    s.store.add_group("guild").await.unwrap();
    set(json!({ "group": "guild" })).await;
    assert!(node.poll().await.is_empty(), "`other` is not in the guild");
    let guild = s.store.group_id("guild").await.unwrap().unwrap();
    let uid = s.store.user_id("other").await.unwrap().unwrap();
    s.store.add_member(guild, uid).await.unwrap();
    let got = node.poll().await;
    assert_eq!(got.iter().map(|a| a.job_id).collect::<Vec<_>>(), [theirs]);
}

async fn a_node_skips_the_chunks_that_failed_on_it_and_takes_the_next(s: Server) {
    let hash = runnable_config(&s).await;
    create_job(&s, &s.token, &hash, 3_000).await;
    let node = TestNode::new(19, &s.base);
    let other = TestNode::new(20, &s.base);
    node.join(&s, &s.token, 2).await;
    other.join(&s, &s.token, 2).await;
    let first = node.poll().await;
    let idx = |a: &[wowlab_protocol::api::Assignment]| {
        a.iter()
            .map(|a| a.first_iteration / 1000)
            .collect::<Vec<_>>()
    };
    assert_eq!(idx(&first), [0, 1]);
    for a in &first {
        let (status, v) = node
            .post(
                &format!("/chunks/{}/fail", a.chunk_id),
                json!({ "error": "trap", "deterministic": true }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
    }
    assert_eq!(
        idx(&node.poll().await),
        [2],
        "the failed chunks come first but are not this node's to take"
    );
    assert_eq!(idx(&other.poll().await), [0, 1]);
}

async fn three_deterministic_failures_on_different_nodes_fail_the_job(s: Server) {
    let hash = runnable_config(&s).await;
    let job = create_job(&s, &s.token, &hash, 1_000).await;
    let nodes: Vec<TestNode> = (10..13).map(|k| TestNode::new(k, &s.base)).collect();
    for node in &nodes {
        node.join(&s, &s.token, 1).await;
    }
    // A failure that is not deterministic (the node ran out of memory, say) is not counted.
    let a = nodes[0].poll().await.remove(0);
    let (status, v) = nodes[0]
        .post(
            &format!("/chunks/{}/fail", a.chunk_id),
            json!({ "error": "out of memory", "deterministic": false }),
        )
        .await;
    assert_eq!((status, &v["status"]), (StatusCode::OK, &json!("pending")));
    for (k, node) in nodes.iter().enumerate() {
        let a = node.poll().await.remove(0);
        let (status, v) = node
            .post(
                &format!("/chunks/{}/fail", a.chunk_id),
                json!({ "error": "rotation error at line 3, column 7: boom", "deterministic": true }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        if k < 2 {
            assert_eq!(v["job_status"], "running", "{v}");
            assert!(
                node.poll().await.is_empty(),
                "a node is not given a chunk that failed on it"
            );
        } else {
            assert_eq!(
                (&v["status"], &v["job_status"]),
                (&json!("failed"), &json!("failed"))
            );
        }
    }
    let (_, v) = s
        .call(Method::GET, &format!("/jobs/{job}"), &s.token, None)
        .await;
    assert_eq!(v["status"], "failed");
    let error = v["error"].as_str().unwrap();
    assert!(error.contains("line 3, column 7: boom"), "{error}");
}

async fn released_chunks_and_chunks_a_restarted_node_lost_return_to_pending(s: Server) {
    let hash = runnable_config(&s).await;
    let job = create_job(&s, &s.token, &hash, 2_000).await;
    let node = TestNode::new(14, &s.base);
    node.join(&s, &s.token, 2).await;
    let got = node.poll().await;
    assert_eq!(got.len(), 2);
    let (status, v) = node
        .post(&format!("/chunks/{}/release", got[0].chunk_id), json!({}))
        .await;
    assert_eq!((status, &v["status"]), (StatusCode::OK, &json!("pending")));
    assert_eq!(
        s.store.chunk_counts(JobId(job)).await.unwrap(),
        vec![("pending".to_string(), 1), ("running".to_string(), 1)]
    );
    // A restarted node's heartbeat does not list what it ran before; chunks
    // just assigned are spared (they may still be on their way).
    let (status, _) = node
        .post("/nodes/heartbeat", json!({ "running": [] }))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        s.store.chunk_counts(JobId(job)).await.unwrap(),
        vec![("pending".to_string(), 1), ("running".to_string(), 1)]
    );
    tokio::time::sleep(common::thresholds().delivery_grace).await;
    let (status, _) = node
        .post("/nodes/heartbeat", json!({ "running": [got[1].chunk_id] }))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        s.store.chunk_counts(JobId(job)).await.unwrap(),
        vec![("pending".to_string(), 1), ("running".to_string(), 1)],
        "a listed chunk stays"
    );
    let (status, _) = node
        .post("/nodes/heartbeat", json!({ "running": [] }))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        s.store.chunk_counts(JobId(job)).await.unwrap(),
        vec![("pending".to_string(), 2)],
        "an unlisted chunk returns"
    );

    // A node that goes silent loses its chunks to maintenance.
    let got = node.poll().await;
    assert_eq!(got.len(), 2);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let silent = wowlab_sentinel::thresholds::Thresholds {
        offline_after: Duration::ZERO,
        maintenance_every: Duration::ZERO,
        ..common::thresholds()
    };
    // The sentinel's own maintenance may hold the lock for a moment.
    let done = loop {
        if let Some(done) = s.store.maintain(&silent, "test").await.unwrap() {
            break done;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(done.chunks_returned, 2, "{done:?}");
    assert_eq!(
        s.store.chunk_counts(JobId(job)).await.unwrap(),
        vec![("pending".to_string(), 2)]
    );

    // Chunks given back after their job was cancelled are cancelled, not left pending.
    let got = node.poll().await;
    let (status, _) = s
        .call(Method::POST, &format!("/jobs/{job}/cancel"), &s.token, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    for a in &got {
        let (status, _) = node
            .post(&format!("/chunks/{}/release", a.chunk_id), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let tidy = wowlab_sentinel::thresholds::Thresholds {
        maintenance_every: Duration::ZERO,
        ..common::thresholds()
    };
    while s.store.maintain(&tidy, "test").await.unwrap().is_none() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        s.store.chunk_counts(JobId(job)).await.unwrap(),
        vec![("cancelled".to_string(), 2)]
    );
}

async fn the_stream_pushes_assignments_after_a_signed_handshake(s: Server) {
    let node = TestNode::new(15, &s.base);
    node.join(&s, &s.token, 3).await;
    let unsigned = tokio_tungstenite::connect_async(format!(
        "{}/api/v1/nodes/stream",
        s.base.replacen("http", "ws", 1)
    ))
    .await;
    match unsigned {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED)
        }
        other => panic!("an unsigned handshake must be refused: {other:?}"),
    }

    let mut stream = node.stream().await.unwrap();
    let hash = runnable_config(&s).await;
    let job = create_job(&s, &s.token, &hash, 5_000).await;
    let mut pushed = Vec::new();
    while pushed.len() < 3 {
        pushed.extend(next_pushed(&mut stream, Duration::from_secs(10)).await);
    }
    assert_eq!(pushed.len(), 3, "no more than max_parallel");
    assert!(pushed.iter().all(|a| a.job_id == job));
    drop(stream);
    // The stream is gone; polling still works and finds no free slot.
    assert!(node.poll().await.is_empty());
}

async fn metrics_count_chunks_nodes_and_rejections(s: Server) {
    let hash = runnable_config(&s).await;
    let config = stored_config(&s, &hash).await;
    create_job(&s, &s.token, &hash, 2_000).await;
    let node = TestNode::new(16, &s.base);
    node.join(&s, &s.token, 1).await;
    for _ in 0..2 {
        let a = node.poll().await.remove(0);
        node.complete(&config, &a).await;
    }
    let stale = node.key.sign(
        wowlab_sentinel::now() - 1000,
        &TestNode::nonce(),
        "POST",
        "/api/v1/nodes/poll",
        b"{}",
    );
    node.send_signed(Method::POST, "/nodes/poll", b"{}", &stale)
        .await;
    let text = reqwest::get(format!("{}/metrics", s.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "wowlab_chunks{state=\"done\"} 2",
        "wowlab_chunks{state=\"pending\"} 0",
        "wowlab_nodes_online 1",
        "wowlab_assignment_latency_seconds_count 2",
        "wowlab_job_duration_seconds_count 1",
        "wowlab_rejected_requests_total{reason=\"stale_timestamp\"} 1",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "`{line}` missing from:\n{text}"
        );
    }
}

async fn a_target_error_job_stops_at_the_first_chunks_in_order_that_reach_it(s: Server) {
    let hash = runnable_config(&s).await;
    let config = stored_config(&s, &hash).await;
    let (target, seed) = (50.0, 5);
    // What `wowlab sim --target-error` does: rounds of 1,000 in order, checked after each.
    let first = run_native(&config, seed, 0, 1000);
    let mean = first.dps.mean();
    assert!(
        mean > 0.0 && first.dps.error95() / mean * 100.0 <= target,
        "one round reaches it"
    );

    let (status, v) = s
        .call(
            Method::POST,
            "/jobs",
            &s.token,
            Some(json!({ "config_hash": hash, "iterations": 5000, "seed": seed, "target_error": target })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let job = v["job_id"].as_i64().unwrap();
    let node = TestNode::new(31, &s.base);
    node.join(&s, &s.token, 3).await;
    let taken = node.poll().await;
    assert_eq!(taken.len(), 3, "{taken:?}");
    let at = |i: u64| {
        taken
            .iter()
            .find(|a| a.first_iteration == i * 1000)
            .unwrap()
    };

    // Chunk 1 alone reaches the target too, but chunk 0 comes first: the job waits for it.
    let (_, ack) = node.complete(&config, at(1)).await;
    assert_eq!(ack["job_status"], "running", "{ack}");
    let (_, ack) = node.complete(&config, at(0)).await;
    assert_eq!(ack["job_status"], "done", "{ack}");
    let (_, v) = s
        .call(Method::GET, &format!("/jobs/{job}"), &s.token, None)
        .await;
    assert_eq!(
        v["result"],
        serde_json::to_value(&first).unwrap(),
        "chunk 0's result only"
    );
    assert_eq!(v["target_error"], target);
    let counts = s.store.chunk_counts(JobId(job)).await.unwrap();
    assert_eq!(
        counts,
        vec![
            ("cancelled".into(), 2),
            ("done".into(), 2),
            ("running".into(), 1)
        ],
        "the chunks not yet taken are cancelled"
    );
    let (status, ack) = node.complete(&config, at(2)).await;
    assert_eq!(
        (status, &ack["job_status"]),
        (StatusCode::OK, &json!("done")),
        "{ack}"
    );
    let (_, after) = s
        .call(Method::GET, &format!("/jobs/{job}"), &s.token, None)
        .await;
    assert_eq!(after["result"], v["result"], "a late chunk changes nothing");

    let (status, bad) = s
        .call(
            Method::POST,
            "/jobs",
            &s.token,
            Some(json!({ "config_hash": hash, "iterations": 5000, "target_error": 0.0 })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        bad["error"].as_str().unwrap().contains("target_error"),
        "{bad}"
    );
}
