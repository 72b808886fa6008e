//! The API over real sockets, on both stores (see `common`).

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use wowlab_sentinel::api::MAX_BODY;
use wowlab_sentinel::store::JobId;

on_both_stores!(
    status_names_the_database_and_pins,
    a_config_is_stored_once_under_its_hash,
    a_config_whose_hash_does_not_match_is_refused_and_not_stored,
    bad_requests_get_json_errors_and_change_nothing,
    modules_are_checked_classified_and_served_by_hash,
    modules_that_are_not_loadable_components_are_refused,
    a_job_is_split_into_chunks_and_shown_to_its_owner,
    jobs_that_cannot_run_are_refused_and_nothing_is_created,
    access_decides_who_sees_a_job_and_only_the_owner_cancels,
    the_openapi_document_describes_every_route,
    the_openapi_document_states_the_limits_the_handlers_enforce,
    bad_paths_and_unknown_routes_get_json_errors,
);

async fn status_names_the_database_and_pins(s: Server) {
    let v = s.get_json("/status").await;
    assert_eq!(v["status"], "ok");
    let expected = match s.store.backend() {
        wowlab_sentinel::store::Backend::Sqlite => "sqlite",
        wowlab_sentinel::store::Backend::Postgres => "postgres",
    };
    assert_eq!(v["database"], expected);
    let builtin = wowlab_protocol::address::hash_of(wowlab_artifacts::ENGINE);
    assert_eq!(
        v["pinned_engines"],
        json!([builtin]),
        "pinned on first start"
    );
    s.store.unpin_engine(&builtin).await.unwrap();
    s.store.pin_engine(&"ab".repeat(32)).await.unwrap();
    let v = s.get_json("/status").await;
    assert_eq!(v["pinned_engines"], json!(["ab".repeat(32)]));
}

async fn a_config_is_stored_once_under_its_hash(s: Server) {
    let (hash, json) = config_json();
    let (status, v) = s.put(&format!("/configs/{hash}"), json.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["created"], true);
    // The same config with other whitespace is the same config.
    let pretty =
        serde_json::to_string_pretty(&serde_json::from_str::<Value>(&json).unwrap()).unwrap();
    let (status, v) = s.put(&format!("/configs/{hash}"), pretty).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["created"], false);
    let r = reqwest::get(s.url(&format!("/configs/{hash}")))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert_eq!(r.text().await.unwrap(), json);
}

async fn a_config_whose_hash_does_not_match_is_refused_and_not_stored(s: Server) {
    let (hash, json) = config_json();
    let wrong = "0".repeat(64);
    let (status, v) = s.put(&format!("/configs/{wrong}"), json).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains(&format!("hashes to {hash}")),
        "{v}"
    );
    let r = reqwest::get(s.url(&format!("/configs/{wrong}")))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(s.store.config(&wrong).await.unwrap().is_none());
}

async fn bad_requests_get_json_errors_and_change_nothing(s: Server) {
    let (hash, json) = config_json();
    let path = format!("/configs/{hash}");
    let cases: Vec<(reqwest::RequestBuilder, StatusCode, &str)> = vec![
        (
            reqwest::Client::new().put(s.url(&path)).body(json.clone()),
            StatusCode::UNAUTHORIZED,
            "Authorization",
        ),
        (
            reqwest::Client::new()
                .put(s.url(&path))
                .bearer_auth("nope")
                .body(json.clone()),
            StatusCode::UNAUTHORIZED,
            "unknown API token",
        ),
        (
            reqwest::Client::new()
                .put(s.url(&path))
                .bearer_auth(&s.token)
                .body("{\"spec\": {"),
            StatusCode::BAD_REQUEST,
            "invalid config",
        ),
        (
            reqwest::Client::new()
                .put(s.url(&path))
                .bearer_auth(&s.token)
                .body(json.replace("\"duration_ms\":60000", "\"duration_ms\":\"long\"")),
            StatusCode::BAD_REQUEST,
            "fight.duration_ms",
        ),
        (
            reqwest::Client::new()
                .put(s.url("/configs/XYZ"))
                .bearer_auth(&s.token)
                .body(json.clone()),
            StatusCode::BAD_REQUEST,
            "not a config hash",
        ),
        (
            reqwest::Client::new()
                .put(s.url(&path))
                .bearer_auth(&s.token)
                .body(vec![b' '; MAX_BODY + 1]),
            StatusCode::PAYLOAD_TOO_LARGE,
            "larger than",
        ),
        (
            // serde would read a struct from an array of its fields.
            reqwest::Client::new()
                .post(s.url("/rotations"))
                .bearer_auth(&s.token)
                .body(r#"["name", "cast(\"x\");", true, ""]"#),
            StatusCode::BAD_REQUEST,
            "must be a JSON object",
        ),
    ];
    for (request, status, needle) in cases {
        let r = request.send().await.unwrap();
        assert_eq!(r.status(), status, "{needle}");
        let v: Value = r.json().await.unwrap();
        assert!(
            v["error"].as_str().unwrap().contains(needle),
            "{needle}: {v}"
        );
    }
    assert!(
        s.store.config(&hash).await.unwrap().is_none(),
        "nothing was stored"
    );
}

async fn modules_are_checked_classified_and_served_by_hash(s: Server) {
    // The built-in engine is stored on start, for nodes to fetch.
    let engine = wowlab_protocol::address::hash_of(wowlab_artifacts::ENGINE);
    let (status, v) = s
        .put(
            &format!("/modules/{engine}"),
            wowlab_artifacts::ENGINE.to_vec(),
        )
        .await;
    assert_eq!(
        (status, &v["kind"], &v["created"]),
        (StatusCode::OK, &json!("engine"), &json!(false))
    );
    for (bytes, kind) in [
        (wowlab_artifacts::HOSTILE, "rotation"),
        (wowlab_artifacts::BM_HUNTER_RS, "rotation"),
    ] {
        let hash = wowlab_protocol::address::hash_of(bytes);
        let (status, v) = s.put(&format!("/modules/{hash}"), bytes.to_vec()).await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        assert_eq!(v["kind"], kind);
        let (status, v) = s.put(&format!("/modules/{hash}"), bytes.to_vec()).await;
        assert_eq!((status, &v["created"]), (StatusCode::OK, &json!(false)));
        let r = reqwest::get(s.url(&format!("/modules/{hash}")))
            .await
            .unwrap();
        assert_eq!(r.headers()["content-type"], "application/wasm");
        assert_eq!(r.bytes().await.unwrap().as_ref(), bytes);
    }
}

async fn modules_that_are_not_loadable_components_are_refused(s: Server) {
    let junk = b"\0asm\x0d\0\x01\0 but not really".to_vec();
    let cases: Vec<(Vec<u8>, Option<String>, StatusCode, &str)> = vec![
        (
            wowlab_artifacts::ENGINE.to_vec(),
            Some("0".repeat(64)),
            StatusCode::BAD_REQUEST,
            "hash mismatch",
        ),
        (junk, None, StatusCode::BAD_REQUEST, "not a wasm component"),
        (
            wowlab_artifacts::HOSTILE_NETWORK.to_vec(),
            None,
            StatusCode::BAD_REQUEST,
            "wasi:sockets",
        ),
        (
            vec![0; wowlab_sentinel::api::MAX_MODULE + 1],
            None,
            StatusCode::PAYLOAD_TOO_LARGE,
            "larger than",
        ),
    ];
    for (bytes, path_hash, status, needle) in cases {
        let hash = path_hash.unwrap_or_else(|| wowlab_protocol::address::hash_of(&bytes));
        let (got, v) = s.put(&format!("/modules/{hash}"), bytes).await;
        assert_eq!(got, status, "{needle}: {v}");
        assert!(
            v["error"].as_str().unwrap().contains(needle),
            "{needle}: {v}"
        );
        assert!(
            s.store.module_kind(&hash).await.unwrap().is_none(),
            "{needle}: nothing stored"
        );
    }
}

async fn a_job_is_split_into_chunks_and_shown_to_its_owner(s: Server) {
    let config = runnable_config(&s).await;
    let body = json!({ "config_hash": config, "iterations": 2500 });
    let (status, v) = s
        .call(reqwest::Method::POST, "/jobs", &s.token, Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["chunks"], 3);
    let id = v["job_id"].as_i64().unwrap();
    assert_eq!(
        s.store.chunk_counts(JobId(id)).await.unwrap(),
        vec![("pending".to_string(), 3)]
    );
    let (status, job) = s
        .call(reqwest::Method::GET, &format!("/jobs/{id}"), &s.token, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            job["status"].as_str(),
            job["progress"].as_i64(),
            job["iterations"].as_i64(),
            job["chunks"].as_i64()
        ),
        (Some("pending"), Some(0), Some(2500), Some(3))
    );
    assert_eq!(job["access"], "private");
    let (_, list) = s.call(reqwest::Method::GET, "/jobs", &s.token, None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

async fn jobs_that_cannot_run_are_refused_and_nothing_is_created(s: Server) {
    let config = runnable_config(&s).await;
    let (unpinned, json) = config_json_for_engine(&"f".repeat(64));
    s.put(&format!("/configs/{unpinned}"), json).await;
    let cases = [
        (
            json!({ "config_hash": "0".repeat(64), "iterations": 10 }),
            "unknown config",
        ),
        (
            json!({ "config_hash": unpinned, "iterations": 10 }),
            "is not pinned",
        ),
        (
            json!({ "config_hash": config, "iterations": 0 }),
            "`iterations` must be between 1 and 20000",
        ),
        (
            json!({ "config_hash": config, "iterations": 20_001 }),
            "`iterations` must be between",
        ),
        (
            json!({ "config_hash": config, "iterations": 10, "access": { "users": ["nobody"] } }),
            "unknown user `nobody`",
        ),
        (
            json!({ "config_hash": config, "iterations": 10, "access": "secret" }),
            "invalid job at `access`",
        ),
        (
            json!({ "config_hash": config }),
            "missing field `iterations`",
        ),
    ];
    for (body, needle) in cases {
        let (status, v) = s
            .call(reqwest::Method::POST, "/jobs", &s.token, Some(body))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{needle}: {v}");
        assert!(
            v["error"].as_str().unwrap().contains(needle),
            "{needle}: {v}"
        );
    }
    let (_, list) = s.call(reqwest::Method::GET, "/jobs", &s.token, None).await;
    assert_eq!(list, json!([]));
}

async fn access_decides_who_sees_a_job_and_only_the_owner_cancels(s: Server) {
    let other = "other-token";
    s.store
        .add_user(
            "other",
            &wowlab_protocol::address::hash_of(other.as_bytes()),
        )
        .await
        .unwrap()
        .unwrap();
    let config = runnable_config(&s).await;
    let create =
        |access: Value| json!({ "config_hash": config, "iterations": 1500, "access": access });
    let (_, private) = s
        .call(
            reqwest::Method::POST,
            "/jobs",
            &s.token,
            Some(create(json!("private"))),
        )
        .await;
    let (_, shared) = s
        .call(
            reqwest::Method::POST,
            "/jobs",
            &s.token,
            Some(create(json!({ "users": ["other"] }))),
        )
        .await;
    let private = private["job_id"].as_i64().unwrap();
    let shared = shared["job_id"].as_i64().unwrap();

    let (status, v) = s
        .call(
            reqwest::Method::GET,
            &format!("/jobs/{private}"),
            other,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{v}");
    let (status, _) = s
        .call(
            reqwest::Method::GET,
            &format!("/jobs/{shared}"),
            other,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = s
        .call(
            reqwest::Method::POST,
            &format!("/jobs/{shared}/cancel"),
            other,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "only the owner cancels");

    let (status, v) = s
        .call(
            reqwest::Method::POST,
            &format!("/jobs/{private}/cancel"),
            &s.token,
            None,
        )
        .await;
    assert_eq!(
        (status, v["status"].as_str()),
        (StatusCode::OK, Some("cancelled"))
    );
    assert_eq!(
        s.store.chunk_counts(JobId(private)).await.unwrap(),
        vec![("cancelled".to_string(), 2)]
    );
    let (status, v) = s
        .call(
            reqwest::Method::POST,
            &format!("/jobs/{private}/cancel"),
            &s.token,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert_eq!(
        s.store.chunk_counts(JobId(shared)).await.unwrap(),
        vec![("pending".to_string(), 2)]
    );
}

async fn the_openapi_document_describes_every_route(s: Server) {
    let doc = s.get_json("/openapi.json").await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{doc}");
    let routes = [
        ("get", "/api/v1/status"),
        ("get", "/metrics"),
        ("put", "/api/v1/configs/{hash}"),
        ("get", "/api/v1/configs/{hash}"),
        ("put", "/api/v1/modules/{hash}"),
        ("get", "/api/v1/modules/{hash}"),
        ("post", "/api/v1/rotations"),
        ("get", "/api/v1/rotations"),
        ("get", "/api/v1/rotations/{id}"),
        ("put", "/api/v1/rotations/{id}"),
        ("get", "/api/v1/scripts/{checksum}"),
        ("post", "/api/v1/jobs"),
        ("get", "/api/v1/jobs"),
        ("get", "/api/v1/jobs/{id}"),
        ("post", "/api/v1/jobs/{id}/cancel"),
        ("post", "/api/v1/nodes/register"),
        ("post", "/api/v1/nodes/heartbeat"),
        ("post", "/api/v1/nodes/poll"),
        ("get", "/api/v1/nodes/stream"),
        ("post", "/api/v1/nodes/claim"),
        ("get", "/api/v1/nodes"),
        ("patch", "/api/v1/nodes/{id}"),
        ("delete", "/api/v1/nodes/{id}"),
        ("post", "/api/v1/chunks/complete"),
        ("post", "/api/v1/chunks/{id}/fail"),
        ("post", "/api/v1/chunks/{id}/release"),
    ];
    let documented: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| p.as_object().unwrap().len())
        .sum();
    assert_eq!(documented, routes.len(), "every operation, no more");
    for (method, path) in routes {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} is not documented"
        );
    }
    let create_job = &doc["components"]["schemas"]["CreateJob"];
    assert!(
        create_job["properties"]["config_hash"].is_object(),
        "{create_job}"
    );
    assert!(doc["components"]["securitySchemes"]["node_signature"].is_object());
}

/// Every operation of the document, with its method and path.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            all.push((method.clone(), path.clone(), operation.clone()));
        }
    }
    all
}

async fn the_openapi_document_states_the_limits_the_handlers_enforce(s: Server) {
    use wowlab_protocol::address::HASH_PATTERN;
    let doc = s.get_json("/openapi.json").await;
    let operations = operations(&doc);
    let ids: std::collections::BTreeSet<&str> = operations
        .iter()
        .map(|(_, _, op)| op["operationId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), operations.len(), "operation ids are unique");
    assert!(ids.contains("get_jobs_id") && ids.contains("put_configs_hash"));
    for (method, path, op) in &operations {
        let statuses = op["responses"].as_object().unwrap();
        assert!(statuses.contains_key("500"), "{method} {path}: no 500");
        if path.contains('{') || op.get("requestBody").is_some() {
            assert!(statuses.contains_key("400"), "{method} {path}: no 400");
        }
        if op.get("requestBody").is_some() {
            assert!(statuses.contains_key("413"), "{method} {path}: no 413");
        }
        for parameter in op["parameters"].as_array().into_iter().flatten() {
            assert_eq!(parameter["required"], true, "{method} {path}: {parameter}");
            if matches!(parameter["name"].as_str(), Some("hash" | "checksum")) {
                assert_eq!(
                    parameter["schema"]["pattern"], HASH_PATTERN,
                    "{method} {path}"
                );
            }
        }
    }
    let schemas = &doc["components"]["schemas"];
    let iterations = &schemas["CreateJob"]["properties"]["iterations"];
    assert_eq!(iterations["minimum"], 1, "{iterations}");
    assert_eq!(
        iterations["maximum"], 20_000,
        "the test sentinel's limit: {iterations}"
    );
    assert_eq!(
        schemas["CreateJob"]["properties"]["config_hash"]["pattern"],
        HASH_PATTERN
    );
    assert_eq!(
        schemas["ChunkResult"]["properties"]["digest"]["pattern"],
        HASH_PATTERN
    );
    assert_eq!(
        schemas["CompleteChunks"]["properties"]["results"]["maxItems"],
        wowlab_protocol::api::MAX_RESULTS_PER_REPORT
    );
    for schema in ["RegisterNode", "UpdateNode"] {
        let properties = &schemas[schema]["properties"];
        assert_eq!(
            properties["name"]["maxLength"],
            wowlab_sentinel::nodes::MAX_NAME
        );
        assert_eq!(
            properties["max_parallel"]["maximum"],
            wowlab_sentinel::nodes::MAX_PARALLEL
        );
    }
    // The documented bounds are the handlers' own: at the bound is
    // accepted, past it refused with the documented 400.
    let name_max = schemas["CreateRotation"]["properties"]["name"]["maxLength"]
        .as_u64()
        .unwrap() as usize;
    let script = "cast(\"kill_command\");";
    for (name, expected) in [
        ("é".repeat(name_max), StatusCode::CREATED),
        ("é".repeat(name_max + 1), StatusCode::BAD_REQUEST),
        (" ".into(), StatusCode::BAD_REQUEST),
    ] {
        let body = json!({ "name": name, "script": script });
        let (status, v) = s
            .call(reqwest::Method::POST, "/rotations", &s.token, Some(body))
            .await;
        assert_eq!(
            status,
            expected,
            "a name of {} characters: {v}",
            name.chars().count()
        );
    }
    let config = runnable_config(&s).await;
    let max = iterations["maximum"].as_u64().unwrap();
    let body = json!({ "config_hash": config, "iterations": max + 1 });
    let (status, v) = s
        .call(reqwest::Method::POST, "/jobs", &s.token, Some(body))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    let body = json!({ "config_hash": config, "iterations": max });
    let (status, v) = s
        .call(reqwest::Method::POST, "/jobs", &s.token, Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
}

async fn bad_paths_and_unknown_routes_get_json_errors(s: Server) {
    let (status, v) = s
        .call(reqwest::Method::GET, "/jobs/abc", &s.token, None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["error"].as_str().unwrap().contains("bad path"), "{v}");
    let (status, v) = s
        .call(reqwest::Method::GET, "/nothing", &s.token, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{v}");
    assert!(
        v["error"].as_str().unwrap().contains("/api/v1/nothing"),
        "{v}"
    );
}
