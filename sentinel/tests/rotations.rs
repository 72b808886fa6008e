//! Rotations and their versions, and jobs whose config names what nodes
//! could not fetch, on both stores.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;
use wowlab_engine::config::RotationRef;

on_both_stores!(
    rotations_are_versioned_by_checksum_and_scripts_served_by_it,
    scripts_that_do_not_parse_are_refused_with_line_and_column,
    only_owners_change_rotations_and_others_see_public_ones,
    jobs_naming_what_nodes_could_not_fetch_are_refused,
);

async fn rotations_are_versioned_by_checksum_and_scripts_served_by_it(s: Server) {
    let (status, v) = s
        .call(
            Method::POST,
            "/rotations",
            &s.token,
            Some(json!({ "name": "bm", "script": SCRIPT })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let first = wowlab_protocol::address::hash_of(SCRIPT.as_bytes());
    assert_eq!((&v["version"], &v["checksum"]), (&json!(1), &json!(first)));
    let id = v["id"].as_i64().unwrap();
    let path = format!("/rotations/{id}");

    let changed = format!("{SCRIPT}\n// tuned");
    let (status, v) = s
        .call(
            Method::PUT,
            &path,
            &s.token,
            Some(json!({ "script": changed })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let second = wowlab_protocol::address::hash_of(changed.as_bytes());
    assert_eq!((&v["version"], &v["checksum"]), (&json!(2), &json!(second)));
    // The same script again is not a new version.
    let (_, v) = s
        .call(
            Method::PUT,
            &path,
            &s.token,
            Some(json!({ "script": changed })),
        )
        .await;
    assert_eq!(v["versions"].as_array().unwrap().len(), 2);
    assert_eq!(v["versions"][0]["checksum"], first);

    for (checksum, script) in [(&first, SCRIPT), (&second, changed.as_str())] {
        let r = reqwest::get(s.url(&format!("/scripts/{checksum}")))
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(
            r.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("immutable")
        );
        assert_eq!(
            r.text().await.unwrap(),
            script,
            "old versions stay fetchable"
        );
    }
    let r = reqwest::get(s.url(&format!("/scripts/{}", "0".repeat(64))))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

async fn scripts_that_do_not_parse_are_refused_with_line_and_column(s: Server) {
    let (status, v) = s
        .call(
            Method::POST,
            "/rotations",
            &s.token,
            Some(json!({ "name": "broken", "script": "let x = 1;\nif x > { cast(s) }" })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    let error = v["error"].as_str().unwrap();
    assert!(error.starts_with("`script`: 2:"), "{error}");
    let (status, v) = s
        .call(
            Method::POST,
            "/rotations",
            &s.token,
            Some(json!({ "name": "", "script": SCRIPT })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    let (_, list) = s.call(Method::GET, "/rotations", &s.token, None).await;
    assert_eq!(list, json!([]), "nothing was stored");
}

async fn only_owners_change_rotations_and_others_see_public_ones(s: Server) {
    let other = add_user(&s, "other").await;
    let create = |name: &str, public: bool| {
        let body = json!({ "name": name, "script": SCRIPT, "public": public });
        let s = &s;
        async move {
            let (status, v) = s
                .call(Method::POST, "/rotations", &s.token, Some(body))
                .await;
            assert_eq!(status, StatusCode::CREATED, "{v}");
            v["id"].as_i64().unwrap()
        }
    };
    let private = create("mine", false).await;
    let public = create("shared", true).await;
    let (_, theirs) = s.call(Method::GET, "/rotations", &other, None).await;
    let names: Vec<&str> = theirs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["shared"]);
    let (status, _) = s
        .call(Method::GET, &format!("/rotations/{private}"), &other, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, v) = s
        .call(
            Method::PUT,
            &format!("/rotations/{public}"),
            &other,
            Some(json!({ "script": "wait()" })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{v}");
    let (_, v) = s
        .call(Method::GET, &format!("/rotations/{public}"), &other, None)
        .await;
    assert_eq!(v["version"], 1, "the refused update changed nothing");
    let (_, v) = s
        .call(
            Method::PUT,
            &format!("/rotations/{public}"),
            &s.token,
            Some(json!({ "public": false })),
        )
        .await;
    assert_eq!(v["public"], false);
    let (_, theirs) = s.call(Method::GET, "/rotations", &other, None).await;
    assert_eq!(theirs, json!([]));
}

async fn jobs_naming_what_nodes_could_not_fetch_are_refused(s: Server) {
    let engine = wowlab_protocol::address::hash_of(wowlab_artifacts::ENGINE);
    let rhai = wowlab_protocol::address::hash_of(wowlab_artifacts::RHAI);
    let script = wowlab_protocol::address::hash_of(b"never stored");
    let cases = [
        (RotationRef::default(), "rotation.backend"),
        (
            RotationRef {
                backend: "lua".into(),
                module: rhai.clone(),
                script: script.clone(),
            },
            "rotation.backend",
        ),
        (
            RotationRef {
                backend: "wasm".into(),
                module: "ab".repeat(32),
                script: String::new(),
            },
            "rotation.module",
        ),
        (
            RotationRef {
                backend: "rhai".into(),
                module: rhai.clone(),
                script,
            },
            "rotation.script",
        ),
    ];
    for (rotation, field) in cases {
        let (hash, json) = config_json_with(&engine, rotation);
        let (status, v) = s.put(&format!("/configs/{hash}"), json).await;
        assert!(status.is_success(), "{v}");
        let (status, v) = s
            .call(
                Method::POST,
                "/jobs",
                &s.token,
                Some(json!({ "config_hash": hash, "iterations": 1000 })),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {v}");
        assert!(
            v["error"].as_str().unwrap().contains(&format!("`{field}`")),
            "{field}: {v}"
        );
    }
    let (_, list) = s.call(Method::GET, "/jobs", &s.token, None).await;
    assert_eq!(list, json!([]));
}
