//! A headless Chromium driven over WebDriver (Debian's `chromium` and
//! `chromedriver`), for the portal's browser tests. The client speaks the
//! W3C WebDriver protocol directly: a handful of JSON requests.
//!
//! Without chromedriver the tests that need it are skipped with a message,
//! unless `WOWLAB_REQUIRE_BROWSER` is set (CI sets it), which makes a
//! missing browser a failure.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::Process;

/// Where Debian installs the driver and the browser.
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
/// The WebDriver key of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// One browser at a time: two cores do not run several Chromiums well.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// A browser session.
pub struct Browser {
    driver: Process,
    session: String,
    base: String,
    client: reqwest::blocking::Client,
    _turn: MutexGuard<'static, ()>,
}

/// Where screenshots go: `target/screenshots`.
pub fn screenshot_dir() -> PathBuf {
    crate::bin_dir()
        .parent()
        .expect("the target directory")
        .join("screenshots")
}

impl Browser {
    /// Starts chromedriver and a headless Chromium; `None` (skip) when they
    /// are not installed and the browser is not required.
    pub fn start() -> Option<Self> {
        if !Path::new(CHROMEDRIVER).exists() || !Path::new(CHROMIUM).exists() {
            assert!(
                std::env::var_os("WOWLAB_REQUIRE_BROWSER").is_none(),
                "WOWLAB_REQUIRE_BROWSER is set but {CHROMEDRIVER} or {CHROMIUM} is missing \
                 (apt-get install chromium chromium-driver)"
            );
            eprintln!("browser test not run: install chromium and chromium-driver");
            return None;
        }
        let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = Command::new(CHROMEDRIVER);
        command.arg(format!("--port={port}"));
        let driver = Process::start(command);
        driver.wait_for("started successfully", Duration::from_secs(30));
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let created: Value = client
            .post(format!("{base}/session"))
            .json(&json!({
                "capabilities": { "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": CHROMIUM,
                        "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                                 "--disable-dev-shm-usage", "--window-size=1280,1100"]
                    }
                }}
            }))
            .send()
            .and_then(|r| r.json())
            .expect("chromedriver opens a session");
        let session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_string();
        Some(Self {
            driver,
            session,
            base,
            client,
            _turn: turn,
        })
    }

    fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut request = self.client.request(method, &url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer: Value = request
            .send()
            .and_then(|r| r.json())
            .unwrap_or_else(|e| panic!("WebDriver {path}: {e}"));
        answer["value"].clone()
    }

    fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body))
    }

    fn get(&self, path: &str) -> Value {
        self.call(reqwest::Method::GET, path, None)
    }

    /// Opens `url`.
    pub fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url }));
    }

    /// The current URL.
    pub fn url(&self) -> String {
        self.get("/url").as_str().unwrap_or_default().to_string()
    }

    /// The element matching `css` now, if any.
    fn element(&self, css: &str) -> Option<String> {
        let found = self.post("/element", json!({ "using": "css selector", "value": css }));
        found[ELEMENT].as_str().map(str::to_string)
    }

    /// Waits until `css` matches an element; its reference.
    fn wait_element(&self, css: &str, within: Duration) -> String {
        let start = Instant::now();
        loop {
            if let Some(e) = self.element(css) {
                return e;
            }
            assert!(
                start.elapsed() < within,
                "no element `{css}` within {within:?} on {}\n{}",
                self.url(),
                self.text("body")
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Whether `css` matches an element now.
    pub fn has(&self, css: &str) -> bool {
        self.element(css).is_some()
    }

    /// Waits until `css` matches an element.
    pub fn wait_for(&self, css: &str, within: Duration) {
        self.wait_element(css, within);
    }

    /// The text of the first element matching `css` ("" if none).
    pub fn text(&self, css: &str) -> String {
        match self.element(css) {
            Some(e) => self
                .get(&format!("/element/{e}/text"))
                .as_str()
                .unwrap_or_default()
                .to_string(),
            None => String::new(),
        }
    }

    /// Waits until the text of `css` contains `needle`; the text.
    pub fn wait_for_text(&self, css: &str, needle: &str, within: Duration) -> String {
        let start = Instant::now();
        loop {
            let text = self.text(css);
            if text.contains(needle) {
                return text;
            }
            assert!(
                start.elapsed() < within,
                "`{css}` never said `{needle}` within {within:?}; it says `{text}` on {}",
                self.url()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Clicks the element matching `css` (waiting for it).
    pub fn click(&self, css: &str) {
        let e = self.wait_element(css, Duration::from_secs(10));
        self.post(&format!("/element/{e}/click"), json!({}));
    }

    /// Types `text` into the field matching `css`, replacing its content.
    pub fn fill(&self, css: &str, text: &str) {
        let e = self.wait_element(css, Duration::from_secs(10));
        self.post(&format!("/element/{e}/clear"), json!({}));
        self.post(&format!("/element/{e}/value"), json!({ "text": text }));
    }

    /// Runs `script` in the page with `args`; its value.
    pub fn script(&self, script: &str, args: Value) -> Value {
        self.post("/execute/sync", json!({ "script": script, "args": args }))
    }

    /// Saves a screenshot as `target/screenshots/NAME.png`.
    pub fn screenshot(&self, name: &str) {
        let data = self.get("/screenshot");
        let png = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            data.as_str().unwrap_or_default(),
        )
        .expect("a base64 screenshot");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self
            .client
            .delete(format!("{}/session/{}", self.base, self.session))
            .send();
        self.driver.kill();
    }
}
