//! The portal over HTTP (the browser tests in tests/e2e drive it in
//! Chromium): sign-in and sessions, CSRF refusal, access to job pages, the
//! Test button and job submission, on SQLite and PostgreSQL.

mod common;

use common::Server;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";

on_both_stores!(
    signing_in_opens_a_session_and_signing_out_ends_it,
    a_form_without_the_session_csrf_token_changes_nothing,
    sign_in_needs_the_form_it_was_given_and_the_right_password,
    pages_ask_for_sign_in_and_unknown_paths_get_a_page,
    a_public_job_opens_for_anyone_and_a_private_one_for_nobody_else,
    the_test_button_gives_dps_or_the_line_of_the_mistake,
    submitting_the_form_creates_a_job_and_keeps_the_rotation,
);

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value cookie `name` is set to in `response`.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_string())
}

/// The `value` of the input named `name` in `html`.
fn input_value(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no input {name} in {html}"));
    let rest = &html[at..];
    let value = rest.find("value=\"").unwrap() + 7;
    rest[value..value + rest[value..].find('"').unwrap()].to_string()
}

async fn give_password(s: &Server, name: &str) {
    let id = s.store.user_id(name).await.unwrap().unwrap();
    let phc = wowlab_sentinel::passwords::hash(PASSWORD).unwrap();
    assert!(s.store.set_password(id, &phc).await.unwrap());
}

/// A signed-in browser: its session cookie and CSRF token.
struct Session {
    cookie: String,
    csrf: String,
}

async fn sign_in(s: &Server, name: &str, password: &str) -> reqwest::Response {
    let http = client();
    let form = http.get(format!("{}/signin", s.base)).send().await.unwrap();
    let pairing_cookie = set_cookie(&form, "wowlab_signin").expect("a pairing cookie");
    let pairing = input_value(&form.text().await.unwrap(), "pairing");
    http.post(format!("{}/signin", s.base))
        .header(COOKIE, format!("wowlab_signin={pairing_cookie}"))
        .form(&[
            ("name", name),
            ("password", password),
            ("pairing", &pairing),
            ("next", "/jobs"),
        ])
        .send()
        .await
        .unwrap()
}

async fn session(s: &Server) -> Session {
    give_password(s, "tester").await;
    let signed_in = sign_in(s, "tester", PASSWORD).await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let cookie = format!(
        "wowlab_session={}",
        set_cookie(&signed_in, "wowlab_session").unwrap()
    );
    let page = client()
        .get(format!("{}/simulate", s.base))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    Session {
        cookie,
        csrf: input_value(&page, "csrf"),
    }
}

async fn post_form(
    s: &Server,
    session: &Session,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client()
        .post(format!("{}{path}", s.base))
        .header(COOKIE, &session.cookie)
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn signing_in_opens_a_session_and_signing_out_ends_it(s: Server) {
    let session = session(&s).await;
    let jobs = client()
        .get(format!("{}/jobs", s.base))
        .header(COOKIE, &session.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(jobs.status(), StatusCode::OK);
    let out = post_form(&s, &session, "/signout", &[("csrf", &session.csrf)]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(out.headers()[LOCATION], "/signin");
    let after = client()
        .get(format!("{}/jobs", s.base))
        .header(COOKIE, &session.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        after.status(),
        StatusCode::SEE_OTHER,
        "the old cookie opens nothing"
    );
    assert_eq!(after.headers()[LOCATION], "/signin?next=%2Fjobs");
}

async fn a_form_without_the_session_csrf_token_changes_nothing(s: Server) {
    let session = session(&s).await;
    let forged = post_form(&s, &session, "/signout", &[("csrf", "forged")]).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(forged.text().await.unwrap().contains("Reload the page"));
    let missing = post_form(&s, &session, "/nodes/claim", &[("code", "ABCD-EFGH")]).await;
    assert_eq!(missing.status(), StatusCode::FORBIDDEN);
    let still = client()
        .get(format!("{}/jobs", s.base))
        .header(COOKIE, &session.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        still.status(),
        StatusCode::OK,
        "the forged sign-out did not sign out"
    );
}

async fn sign_in_needs_the_form_it_was_given_and_the_right_password(s: Server) {
    give_password(&s, "tester").await;
    let unpaired = client()
        .post(format!("{}/signin", s.base))
        .form(&[
            ("name", "tester"),
            ("password", PASSWORD),
            ("pairing", "made-up"),
        ])
        .send()
        .await
        .unwrap();
    assert!(set_cookie(&unpaired, "wowlab_session").is_none());
    assert!(unpaired.text().await.unwrap().contains("expired"));
    for (name, password) in [("tester", "wrong password"), ("nobody", PASSWORD)] {
        let refused = sign_in(&s, name, password).await;
        assert_eq!(refused.status(), StatusCode::OK);
        assert!(set_cookie(&refused, "wowlab_session").is_none());
        assert!(
            refused
                .text()
                .await
                .unwrap()
                .contains("Wrong name or password.")
        );
    }
    let ok = sign_in(&s, "tester", PASSWORD).await;
    assert_eq!(ok.headers()[LOCATION], "/jobs");
    let cookie = ok
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("wowlab_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}

async fn pages_ask_for_sign_in_and_unknown_paths_get_a_page(s: Server) {
    let jobs = client()
        .get(format!("{}/nodes", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(jobs.status(), StatusCode::SEE_OTHER);
    assert_eq!(jobs.headers()[LOCATION], "/signin?next=%2Fnodes");
    let page = client()
        .get(format!("{}/no/such/page", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("There is no page at /no/such/page")
    );
    let api = client()
        .get(format!("{}/api/v1/nothing", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    let body: Value = api.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("no API route"));
    let css = client()
        .get(format!("{}/assets/portal.css", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert!(
        css.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
}

async fn create_job(s: &Server, access: Value) -> i64 {
    let hash = common::runnable_config(s).await;
    let (status, created) = s
        .call(
            reqwest::Method::POST,
            "/jobs",
            &s.token,
            Some(json!({"config_hash": hash, "iterations": 1000, "access": access})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["job_id"].as_i64().unwrap()
}

async fn a_public_job_opens_for_anyone_and_a_private_one_for_nobody_else(s: Server) {
    let public = create_job(&s, json!("public")).await;
    let private = create_job(&s, json!("private")).await;
    let open = client()
        .get(format!("{}/jobs/{public}", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(open.status(), StatusCode::OK);
    let html = open.text().await.unwrap();
    assert!(html.contains(&format!("Job {public}")), "{html}");
    assert!(html.contains("Anyone can open this job"), "{html}");
    let hidden = client()
        .get(format!("{}/jobs/{private}", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    let events = client()
        .get(format!("{}/jobs/{private}/events", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), StatusCode::NOT_FOUND);
    let session = session(&s).await;
    let own = client()
        .get(format!("{}/jobs/{private}", s.base))
        .header(COOKIE, &session.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::OK, "its owner sees it");
}

fn sim_form<'a>(csrf: &'a str, script: &'a str, iterations: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("pack", "bm_hunter"),
        ("attack_power", "10000"),
        ("crit_rating", "1800"),
        ("haste_rating", "1700"),
        ("mastery_rating", "1800"),
        ("versatility_rating", "820"),
        ("duration_s", "60"),
        ("targets", "1"),
        ("iterations", iterations),
        ("rotation", "new"),
        ("rotation_name", "Portal rotation"),
        ("script", script),
        ("access", "private"),
    ]
}

const SCRIPT: &str = include_str!("../../examples/rotations/bm_hunter.rhai");

async fn the_test_button_gives_dps_or_the_line_of_the_mistake(s: Server) {
    let session = session(&s).await;
    let ok: Value = post_form(
        &s,
        &session,
        "/simulate/test",
        &sim_form(&session.csrf, SCRIPT, "1"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(ok["outcome"], "dps", "{ok}");
    assert_eq!(ok["iterations"], 100);
    assert!(ok["mean"].as_f64().unwrap() > 0.0);
    let broken = "if ready(kill_command) {\n    cast(kill_command)\n} else if ready(cobra_shot {\n    cast(cobra_shot)\n} else {\n    wait()\n}\n";
    let bad: Value = post_form(
        &s,
        &session,
        "/simulate/test",
        &sim_form(&session.csrf, broken, "1"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(bad["outcome"], "error", "{bad}");
    assert_eq!(bad["line"], 3, "{bad}");
}

async fn submitting_the_form_creates_a_job_and_keeps_the_rotation(s: Server) {
    let session = session(&s).await;
    let refused = post_form(
        &s,
        &session,
        "/simulate",
        &sim_form(&session.csrf, SCRIPT, "lots"),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::OK);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("Iterations must be a number (got `lots`)"),
        "{page}"
    );
    assert!(
        page.contains("Keep Frenzy rolling"),
        "the script survives the error"
    );

    let created = post_form(
        &s,
        &session,
        "/simulate",
        &sim_form(&session.csrf, SCRIPT, "2000"),
    )
    .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let location = created.headers()[LOCATION].to_str().unwrap().to_string();
    let id: i64 = location.strip_prefix("/jobs/").unwrap().parse().unwrap();
    let (_, job) = s
        .call(reqwest::Method::GET, &format!("/jobs/{id}"), &s.token, None)
        .await;
    assert_eq!(job["iterations"], 2000);
    assert_eq!(job["chunks"], 2);
    let (_, rotations) = s
        .call(reqwest::Method::GET, "/rotations", &s.token, None)
        .await;
    let names: Vec<&str> = rotations
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert!(names.contains(&"Portal rotation"), "{rotations}");
}
