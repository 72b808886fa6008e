//! The portal over HTTP (the browser tests in tests/e2e drive it in
//! Chromium): sign-in and sessions, CSRF refusal, access to job pages, the
//! Test button and job submission, on SQLite and PostgreSQL.

mod common;

use common::Server;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};
use wowlab_sentinel::store::JobId;

const PASSWORD: &str = "correct horse battery";

on_both_stores!(
    signing_in_opens_a_session_and_signing_out_ends_it,
    a_form_without_the_session_csrf_token_changes_nothing,
    sign_in_needs_the_form_it_was_given_and_the_right_password,
    pages_ask_for_sign_in_and_unknown_paths_get_a_page,
    a_public_job_opens_for_anyone_and_a_private_one_for_nobody_else,
    the_test_button_gives_dps_or_the_line_of_the_mistake,
    submitting_the_form_creates_a_job_and_keeps_the_rotation,
    the_password_changes_and_api_tokens_come_and_go,
    deleting_an_account_removes_everything_it_owns_and_nothing_else,
    rotations_are_versioned_published_found_and_copied,
    rankings_list_public_results_best_first,
    guessing_passwords_locks_the_name_for_a_while,
    node_cards_show_trust_and_job_pages_count_confirmed_chunks,
    a_pasted_profile_is_the_character_and_its_talents_the_options,
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

/// The `value` of the input named `name` in `html` (the first value when `name` is empty).
fn input_value(html: &str, name: &str) -> String {
    let at = if name.is_empty() {
        0
    } else {
        html.find(&format!("name=\"{name}\""))
            .unwrap_or_else(|| panic!("no input {name} in {html}"))
    };
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
    session_of(s, "tester").await
}

async fn session_of(s: &Server, name: &str) -> Session {
    give_password(s, name).await;
    let signed_in = sign_in(s, name, PASSWORD).await;
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
        page.contains("A fresh Barbed Shot just before Bestial Wrath."),
        "the script survives the error"
    );

    let mut targeted = sim_form(&session.csrf, SCRIPT, "2000");
    targeted.push(("target_error", "tiny"));
    let refused = post_form(&s, &session, "/simulate", &targeted).await;
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("Target error must be a number (got `tiny`)"),
        "{page}"
    );

    let (_, job) = submit_form(&s, &session, &sim_form(&session.csrf, SCRIPT, "2000")).await;
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

/// Posts the simulate form, which must redirect to the job it created:
/// the job page's path and the job as the API shows it.
async fn submit_form(s: &Server, session: &Session, form: &[(&str, &str)]) -> (String, Value) {
    let created = post_form(s, session, "/simulate", form).await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let location = created.headers()[LOCATION].to_str().unwrap().to_string();
    let id: i64 = location.strip_prefix("/jobs/").unwrap().parse().unwrap();
    let (_, job) = s
        .call(reqwest::Method::GET, &format!("/jobs/{id}"), &s.token, None)
        .await;
    (location, job)
}

const PROFILE: &str = include_str!("../../examples/profiles/MID1_Hunter_Beast_Mastery.simc");

async fn a_pasted_profile_is_the_character_and_its_talents_the_options(s: Server) {
    let session = session(&s).await;
    let mut form = sim_form(&session.csrf, SCRIPT, "1000");
    form.push(("simc", PROFILE));
    let (location, job) = submit_form(&s, &session, &form).await;
    let hash = job["config_hash"].as_str().unwrap();
    let config: Value = reqwest::get(s.url(&format!("/configs/{hash}")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // The profile's sheet (with its food's and rune's agility) replaces
    // the form's stats; its talents are options; the raid is SimulationCraft's
    // optimal_raid, and the fight varies as SimulationCraft's does.
    assert_eq!(
        config["player"]["attack_power"],
        2009.0 + 50.0 + 25.10191,
        "{config}"
    );
    assert_eq!(config["player"]["attack_power_percent"], 5.0);
    assert_eq!(config["player"]["crit_rating"], 0.0);
    assert_eq!(config["target"]["damage_taken"][0]["name"], "mystic_touch");
    assert_eq!(
        config["fight"]["external_auras"][1]["aura"]["name"],
        "bloodlust"
    );
    assert_eq!(config["fight"]["vary_length"], 0.2);
    assert_eq!(config["options"]["thrill_of_the_hunt"], 2, "{config}");
    assert_eq!(config["options"]["natures_ally"], 1);
    let ignored: Vec<&str> = config["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    let throat =
        "line 13: talent Go for the Throat (459550), rank 1: the pack has no option for it";
    assert!(ignored.contains(&throat), "{ignored:?}");
    // The job page lists what is not simulated.
    let (_, page) = get_page(&s, &session, &location).await;
    assert!(page.contains("Not simulated (from the profile)"), "{page}");
    assert!(page.contains("talent Go for the Throat (459550)"), "{page}");
    // A malformed profile is refused with its line; the form keeps it.
    let bad = PROFILE.replace("level=90", "level=9x");
    let mut form = sim_form(&session.csrf, SCRIPT, "1000");
    form.push(("simc", &bad));
    let refused = post_form(&s, &session, "/simulate", &form).await;
    assert_eq!(refused.status(), StatusCode::OK);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("The SimulationCraft profile: line 9, column 7"),
        "{page}"
    );
    assert!(page.contains("level=9x"), "the profile survives the error");
    // The Test button runs the profile's character too, not the form's.
    let mut with = sim_form(&session.csrf, SCRIPT, "1");
    with.push(("simc", PROFILE));
    let with_profile: Value = post_form(&s, &session, "/simulate/test", &with)
        .await
        .json()
        .await
        .unwrap();
    let plain = sim_form(&session.csrf, SCRIPT, "1");
    let without: Value = post_form(&s, &session, "/simulate/test", &plain)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(with_profile["outcome"], "dps", "{with_profile}");
    assert_ne!(with_profile["mean"], without["mean"]);
}

async fn get_page(s: &Server, session: &Session, path: &str) -> (StatusCode, String) {
    let r = client()
        .get(format!("{}{path}", s.base))
        .header(COOKIE, &session.cookie)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn the_password_changes_and_api_tokens_come_and_go(s: Server) {
    let session = session(&s).await;
    let csrf = session.csrf.as_str();
    let wrong = post_form(
        &s,
        &session,
        "/account/password",
        &[
            ("csrf", csrf),
            ("current", "nope nope"),
            ("new", "a new password"),
            ("again", "a new password"),
        ],
    )
    .await;
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("The current password is wrong.")
    );
    let changed = post_form(
        &s,
        &session,
        "/account/password",
        &[
            ("csrf", csrf),
            ("current", PASSWORD),
            ("new", "a new password"),
            ("again", "a new password"),
        ],
    )
    .await;
    assert!(changed.text().await.unwrap().contains("Password changed"));
    assert!(set_cookie(&sign_in(&s, "tester", PASSWORD).await, "wowlab_session").is_none());
    assert!(
        set_cookie(
            &sign_in(&s, "tester", "a new password").await,
            "wowlab_session"
        )
        .is_some()
    );

    let created = post_form(
        &s,
        &session,
        "/account/tokens",
        &[("csrf", csrf), ("name", "laptop")],
    )
    .await;
    let page = created.text().await.unwrap();
    let at = page
        .find("id=\"new-token\"")
        .expect("the new token is shown");
    let token = input_value(&page[at..], "");
    let at = page.rfind("/revoke").unwrap();
    let id = page[..at].rsplit('/').next().unwrap().to_string();
    let (status, _) = s.call(reqwest::Method::GET, "/jobs", &token, None).await;
    assert_eq!(status, StatusCode::OK, "the new token works");
    let revoked = post_form(
        &s,
        &session,
        &format!("/account/tokens/{id}/revoke"),
        &[("csrf", csrf)],
    )
    .await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    let (status, _) = s.call(reqwest::Method::GET, "/jobs", &token, None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a revoked token opens nothing"
    );
    let (status, _) = s.call(reqwest::Method::GET, "/jobs", &s.token, None).await;
    assert_eq!(status, StatusCode::OK, "the first token still works");
    let (_, page) = get_page(&s, &session, "/account").await;
    assert!(
        page.contains("<td>made by user add</td>") && !page.contains("<td>laptop</td>"),
        "{page}"
    );
}

async fn deleting_an_account_removes_everything_it_owns_and_nothing_else(s: Server) {
    let other = common::add_user(&s, "other").await;
    let hash = common::runnable_config(&s).await;
    let mine = common::create_job(&s, &s.token, &hash, 2000).await;
    let theirs = common::create_job(&s, &other, &hash, 1000).await;
    let node = common::TestNode::new(21, &s.base);
    node.join(&s, &s.token, 1).await;
    let running = node.poll().await;
    assert_eq!(running.len(), 1);
    let tester = s.store.user_id("tester").await.unwrap().unwrap();

    let session = session(&s).await;
    let refused = post_form(
        &s,
        &session,
        "/account/delete",
        &[
            ("csrf", &session.csrf),
            ("confirm", "someone"),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("nothing was deleted")
    );
    assert!(s.store.job(JobId(mine)).await.unwrap().is_some());

    let deleted = post_form(
        &s,
        &session,
        "/account/delete",
        &[
            ("csrf", &session.csrf),
            ("confirm", "tester"),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(deleted.status(), StatusCode::OK);
    assert!(
        set_cookie(&deleted, "wowlab_session").is_some_and(|v| v.is_empty()),
        "the cookie is cleared"
    );
    let page = deleted.text().await.unwrap();
    assert!(
        page.contains("1 job(s), 1 rotation(s) and 1 node(s)"),
        "{page}"
    );
    assert!(s.store.user_id("tester").await.unwrap().is_none());
    assert!(s.store.job(JobId(mine)).await.unwrap().is_none());
    assert!(s.store.nodes_of(tester).await.unwrap().is_empty());
    let (status, _) = s.call(reqwest::Method::GET, "/jobs", &s.token, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, job) = s
        .call(
            reqwest::Method::GET,
            &format!("/jobs/{theirs}"),
            &other,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{job}");
    assert!(
        s.store.config(&hash).await.unwrap().is_some(),
        "the config the other user's job runs stays"
    );
    let (_, after) = get_page(&s, &session, "/jobs").await;
    assert!(
        after.contains("Sign in") || after.is_empty(),
        "the old session opens nothing"
    );
}

async fn rotations_are_versioned_published_found_and_copied(s: Server) {
    let session = session(&s).await;
    let csrf = session.csrf.as_str();
    let created = post_form(
        &s,
        &session,
        "/rotations",
        &[
            ("csrf", csrf),
            ("name", "Focus pooler"),
            ("spec", "Beast Mastery Hunter"),
            ("script", SCRIPT),
        ],
    )
    .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let path = created.headers()[LOCATION].to_str().unwrap().to_string();
    let broken = "if ready(kill_command) {\n    cast(kill_command)\n} else if ready(cobra_shot {\n    wait()\n}\n";
    let refused = post_form(&s, &session, &path, &[("csrf", csrf), ("script", broken)]).await;
    let page = refused.text().await.unwrap();
    assert!(page.contains("Line 3, column"), "{page}");
    assert!(page.contains("version 1 of 1"), "nothing saved: {page}");
    let second = format!("{SCRIPT}\n// pooling harder\n");
    post_form(&s, &session, &path, &[("csrf", csrf), ("script", &second)]).await;
    let (_, page) = get_page(&s, &session, &path).await;
    assert!(
        page.contains("version 2 of 2") && page.contains("pooling harder"),
        "{page}"
    );
    let (_, first) = get_page(&s, &session, &format!("{path}?version=1")).await;
    assert!(first.contains("version 1 of 2") && !first.contains("pooling harder"));

    let viewer = session_of(&s, "tester").await;
    common::add_user(&s, "other").await;
    let other = session_of(&s, "other").await;
    let (status, _) = get_page(&s, &other, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "private until published");
    post_form(
        &s,
        &viewer,
        &format!("{path}/visibility"),
        &[("csrf", &viewer.csrf), ("public", "true")],
    )
    .await;
    let (_, found) = get_page(
        &s,
        &other,
        "/rotations/public?spec=Beast+Mastery+Hunter&q=POOL",
    )
    .await;
    assert!(
        found.contains("Focus pooler") && found.contains("tester"),
        "{found}"
    );
    let (_, none) = get_page(&s, &other, "/rotations/public?spec=&q=50%25").await;
    assert!(none.contains("No public rotation matches"), "{none}");
    let copied = post_form(
        &s,
        &other,
        &format!("{path}/copy"),
        &[("csrf", &other.csrf)],
    )
    .await;
    let copy = copied.headers()[LOCATION].to_str().unwrap().to_string();
    assert_ne!(copy, path);
    let (_, page) = get_page(&s, &other, &copy).await;
    assert!(
        page.contains("Focus pooler (copy)")
            && page.contains("By other")
            && page.contains("private"),
        "{page}"
    );
    assert!(
        page.contains("pooling harder"),
        "the copy has the latest version"
    );
    let edit = post_form(
        &s,
        &other,
        &path,
        &[("csrf", &other.csrf), ("script", SCRIPT)],
    )
    .await;
    assert_eq!(
        edit.status(),
        StatusCode::FORBIDDEN,
        "only the author saves versions"
    );
}

async fn rankings_list_public_results_best_first(s: Server) {
    let hash = common::runnable_config(&s).await;
    let config = common::stored_config(&s, &hash).await;
    let mut jobs = Vec::new();
    for (seed, access) in [(1, "public"), (2, "public"), (3, "private")] {
        let (status, v) = s
            .call(reqwest::Method::POST, "/jobs", &s.token, Some(json!({"config_hash": hash, "iterations": 1000, "seed": seed, "access": access})))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        jobs.push(v["job_id"].as_i64().unwrap());
    }
    let node = common::TestNode::new(23, &s.base);
    node.join(&s, &s.token, 3).await;
    for a in node.poll().await {
        let (status, v) = node.complete(&config, &a).await;
        assert_eq!(status, StatusCode::OK, "{v}");
    }
    let mut dps = Vec::new();
    for job in &jobs {
        let (_, v) = s
            .call(
                reqwest::Method::GET,
                &format!("/jobs/{job}"),
                &s.token,
                None,
            )
            .await;
        assert_eq!(v["status"], "done", "{v}");
        let result: wowlab_engine::BatchResult =
            serde_json::from_value(v["result"].clone()).unwrap();
        dps.push(result.dps.mean());
    }
    let page = client()
        .get(format!("{}/rankings", s.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let today = &page[page.find("Top sims of the day").unwrap()..];
    let at = |job: i64| today.find(&format!("href=\"/jobs/{job}\""));
    assert!(at(jobs[2]).is_none(), "a private job is not ranked: {page}");
    let (a, b) = (at(jobs[0]).unwrap(), at(jobs[1]).unwrap());
    assert_eq!(a < b, dps[0] >= dps[1], "best first: {dps:?} {page}");
    assert!(
        today.contains(&format!("{:.0}", dps[0].max(dps[1]))),
        "{page}"
    );
}

async fn guessing_passwords_locks_the_name_for_a_while(s: Server) {
    give_password(&s, "tester").await;
    common::add_user(&s, "other").await;
    give_password(&s, "other").await;
    for _ in 0..5 {
        let wrong = sign_in(&s, "tester", "a guess at it").await;
        assert!(set_cookie(&wrong, "wowlab_session").is_none());
    }
    let locked = sign_in(&s, "tester", PASSWORD).await;
    assert!(
        set_cookie(&locked, "wowlab_session").is_none(),
        "even the right password waits"
    );
    let page = locked.text().await.unwrap();
    assert!(
        page.contains("Too many wrong passwords for this name. Try again in"),
        "{page}"
    );
    let other = sign_in(&s, "other", PASSWORD).await;
    assert!(
        set_cookie(&other, "wowlab_session").is_some(),
        "other names are not locked"
    );
}

async fn node_cards_show_trust_and_job_pages_count_confirmed_chunks(s: Server) {
    let id = create_job(&s, json!("private")).await;
    let hash = s.store.job(JobId(id)).await.unwrap().unwrap().config_hash;
    let config = common::stored_config(&s, &hash).await;
    let (alice, _, _) = common::volunteer(&s, 1, "alice", 1).await;
    let (bob, _, _) = common::volunteer(&s, 2, "bob", 1).await;
    let a = alice.poll().await.remove(0);
    alice.complete(&config, &a).await;
    let tester = session(&s).await;
    let (_, page) = get_page(&s, &tester, &format!("/jobs/{id}")).await;
    assert!(
        page.contains("0 of 1 chunks confirmed by a second node, 1 waiting for one"),
        "{page}"
    );
    let check = bob.poll().await.remove(0);
    bob.complete(&config, &check).await;
    let (_, page) = get_page(&s, &tester, &format!("/jobs/{id}")).await;
    assert!(
        page.contains("1 of 1 chunks confirmed by a second node"),
        "{page}"
    );

    let (_, page) = get_page(&s, &session_of(&s, "alice").await, "/nodes").await;
    assert!(page.contains(r#"<dd class="verified">1</dd>"#), "{page}");
    assert!(
        page.contains("new: most of its results are re-run"),
        "{page}"
    );

    // A node whose digest does not match its result: its owner sees why.
    create_job(&s, json!("private")).await;
    let (mallory, _, _) = common::volunteer(&s, 3, "mallory", 1).await;
    let a = mallory.poll().await.remove(0);
    let result = json!({ "chunk_id": a.chunk_id, "result": mallory.run(&config, &a), "digest": "0".repeat(64) });
    mallory
        .post("/chunks/complete", json!({ "results": [result] }))
        .await;
    let (_, page) = get_page(&s, &session_of(&s, "mallory").await, "/nodes").await;
    assert!(page.contains("quarantined: it gets no work"), "{page}");
    assert!(
        page.contains(&format!(
            "Quarantined: reported chunk {} with digest 000",
            a.chunk_id
        )),
        "{page}"
    );
}
