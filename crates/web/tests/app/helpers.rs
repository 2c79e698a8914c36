//! The shared test harness (one for the whole test binary): each test gets the app on
//! port 0 with a database of its own — an SQLite file, or, when
//! GONGJIANG_TEST_DATABASE_URL is a postgres:// URL, a new PostgreSQL database — which
//! is removed when the test's `TestApp` (or `DbGuard`) is dropped. Request helpers
//! (`get_ok`, `post`, `post_ok`, `upload_file`, `import_and_wait`, `audit_of`, …) keep
//! the tests to what they check.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use gongjiang_storage::service::Service;
use gongjiang_storage::Db;
use gongjiang_web::{AppState, WebConfig};
use rand::Rng;
use reqwest::Method;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

pub struct TestApp {
    pub url: String,
    pub svc: Service,
    pub client: reqwest::Client,
    /// Removes the app's database when the test ends (none when the test owns it).
    db_guard: Option<DbGuard>,
}

fn unique() -> String {
    format!(
        "{}_{:08x}",
        std::process::id(),
        rand::thread_rng().gen::<u32>()
    )
}

/// The PostgreSQL server the tests use, when GONGJIANG_TEST_DATABASE_URL names one.
fn pg_base() -> Option<String> {
    std::env::var("GONGJIANG_TEST_DATABASE_URL")
        .ok()
        .filter(|base| base.starts_with("postgres"))
}

fn sqlite_dir() -> PathBuf {
    let dir = std::env::temp_dir().join("gongjiang-tests");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn pg_url(base: &str, name: &str) -> String {
    let mut url = url::Url::parse(base).expect("url");
    url.set_path(name);
    url.to_string()
}

/// A test's database, removed when this is dropped: the SQLite file with its -wal and
/// -shm, or the PostgreSQL database (dropped with FORCE, on a thread and runtime of its
/// own, since the test's runtime may be ending). Never panics: a leftover is only disk.
pub enum DbGuard {
    Sqlite(PathBuf),
    Postgres { base: String, name: String },
}

impl Drop for DbGuard {
    fn drop(&mut self) {
        match self {
            DbGuard::Sqlite(path) => remove_sqlite(path),
            DbGuard::Postgres { base, name } => {
                let (base, name) = (base.clone(), name.clone());
                let _ = std::thread::spawn(move || drop_pg_database(&base, &name)).join();
            }
        }
    }
}

fn remove_sqlite(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}

fn drop_pg_database(base: &str, name: &str) -> Option<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    rt.block_on(async {
        let admin = Db::connect(base).await.ok()?;
        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        let _ = sqlx::query(&sql).execute(&admin.pool).await;
        admin.close().await;
        Some(())
    })
}

/// A new database of the test's own (migrated), and the guard that removes it.
pub async fn fresh_db() -> (Db, DbGuard) {
    let (db, guard) = match pg_base() {
        Some(base) => {
            let admin = Db::connect(&base).await.expect("connect to PostgreSQL");
            let name = format!("gj_t_{}", unique());
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&admin.pool)
                .await
                .expect("create database");
            admin.close().await;
            let guard = DbGuard::Postgres {
                base: base.clone(),
                name: name.clone(),
            };
            let db = Db::connect(&pg_url(&base, &name))
                .await
                .expect("connect test db");
            (db, guard)
        }
        None => {
            let path = sqlite_dir().join(format!("t_{}.db", unique()));
            let guard = DbGuard::Sqlite(path.clone());
            (Db::open_sqlite(&path).await.expect("sqlite"), guard)
        }
    };
    db.migrate().await.expect("migrate");
    (db, guard)
}

/// The demo dataset is loaded once per test binary into a template (an SQLite file, or
/// a PostgreSQL database used as `TEMPLATE`), and each test gets a copy: the same fresh
/// database per test, without loading the demo every time. The SQLite template is
/// removed when the process exits; templates and test databases left by a run that was
/// killed are removed when the next run makes its template.
struct Template {
    /// SQLite file or PostgreSQL database name.
    source: String,
    key_hex: String,
}

static TEMPLATE: std::sync::OnceLock<Template> = std::sync::OnceLock::new();

extern "C" {
    fn atexit(f: extern "C" fn()) -> std::os::raw::c_int;
}

/// At exit: the SQLite template goes (a PostgreSQL one is dropped by the next run, or
/// by CI's clean-up of `gj_t_%`).
extern "C" fn remove_sqlite_template() {
    if let Some(t) = TEMPLATE.get() {
        if pg_base().is_none() {
            remove_sqlite(Path::new(&t.source));
        }
    }
}

/// Whether the process `pid` (from a database's name) has ended.
fn ended(pid: &str) -> bool {
    pid.parse::<u32>().is_ok() && !Path::new(&format!("/proc/{pid}")).exists()
}

/// The pid part of `gj_t_[tpl_]{pid}_{hex}` / `[t|tpl]_{pid}_{hex}.db`.
fn pid_of(name: &str) -> &str {
    let rest = name
        .trim_start_matches("gj_t_")
        .trim_start_matches("tpl_")
        .trim_start_matches("t_");
    rest.split('_').next().unwrap_or("")
}

/// Removes test databases of runs that ended without cleaning up (killed, or a
/// PostgreSQL template).
async fn sweep_leftovers() {
    if !Path::new("/proc/self").exists() {
        return;
    }
    match pg_base() {
        Some(base) => {
            let Ok(admin) = Db::connect(&base).await else {
                return;
            };
            let names: Vec<String> = sqlx::query_scalar(
                "SELECT datname FROM pg_database WHERE datname LIKE 'gj\\_t\\_%'",
            )
            .fetch_all(&admin.pool)
            .await
            .unwrap_or_default();
            for name in names.iter().filter(|n| ended(pid_of(n))) {
                let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                let _ = sqlx::query(&sql).execute(&admin.pool).await;
            }
            admin.close().await;
        }
        None => {
            let Ok(entries) = std::fs::read_dir(sqlite_dir()) else {
                return;
            };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                if (name.starts_with("t_") || name.starts_with("tpl_")) && ended(pid_of(&name)) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
    }
}

fn template() -> &'static Template {
    TEMPLATE.get_or_init(|| {
        std::thread::spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                sweep_leftovers().await;
                let key = gongjiang_storage::crypto::DataKey::random();
                let (db, source) = match pg_base() {
                    Some(base) => {
                        let admin = Db::connect(&base).await.expect("connect to PostgreSQL");
                        let name = format!("gj_t_tpl_{}", unique());
                        sqlx::query(&format!("CREATE DATABASE {name}"))
                            .execute(&admin.pool)
                            .await
                            .expect("create template");
                        admin.close().await;
                        let db = Db::connect(&pg_url(&base, &name)).await.expect("connect");
                        (db, name)
                    }
                    None => {
                        let path = sqlite_dir().join(format!("tpl_{}.db", unique()));
                        (
                            Db::open_sqlite(&path).await.expect("sqlite"),
                            path.display().to_string(),
                        )
                    }
                };
                db.migrate().await.expect("migrate");
                let svc = Service::with_key(db.clone(), key.clone());
                svc.ensure_base_regions().await.unwrap();
                let data = gongjiang_demo::generate(gongjiang_demo::DEFAULT_SEED);
                gongjiang_demo::load(&svc, &data, &mut |_, _| {})
                    .await
                    .expect("demo load");
                if db.backend == gongjiang_storage::Backend::Sqlite {
                    let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                        .execute(&db.pool)
                        .await;
                }
                db.close().await;
                Template {
                    source,
                    key_hex: key.to_hex(),
                }
            })
        })
        .join()
        .expect("template thread")
    });
    static AT_EXIT: std::sync::Once = std::sync::Once::new();
    // SAFETY: registers a plain function that only removes files.
    AT_EXIT.call_once(|| unsafe {
        atexit(remove_sqlite_template);
    });
    TEMPLATE.get().expect("template")
}

/// A copy of the demo template, and the guard that removes it.
async fn demo_db() -> (Db, gongjiang_storage::crypto::DataKey, DbGuard) {
    let t = template();
    let key = gongjiang_storage::crypto::DataKey::from_hex(&t.key_hex).unwrap();
    let (db, guard) = match pg_base() {
        Some(base) => {
            let admin = Db::connect(&base).await.expect("connect to PostgreSQL");
            let name = format!("gj_t_{}", unique());
            // Copies from one template are serialised by PostgreSQL; retry while another
            // copy holds it.
            let mut tries = 0;
            loop {
                match sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE {}", t.source))
                    .execute(&admin.pool)
                    .await
                {
                    Ok(_) => break,
                    Err(e) if tries < 200 => {
                        let _ = e;
                        tries += 1;
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    }
                    Err(e) => panic!("create from template: {e}"),
                }
            }
            admin.close().await;
            let guard = DbGuard::Postgres {
                base: base.clone(),
                name: name.clone(),
            };
            let db = Db::connect(&pg_url(&base, &name))
                .await
                .expect("connect test db");
            (db, guard)
        }
        None => {
            let path = sqlite_dir().join(format!("t_{}.db", unique()));
            let guard = DbGuard::Sqlite(path.clone());
            std::fs::copy(&t.source, &path).expect("copy template");
            (Db::open_sqlite(&path).await.expect("sqlite"), guard)
        }
    };
    db.migrate().await.expect("migrate");
    (db, key, guard)
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub async fn spawn_with(cfg: WebConfig, demo: bool) -> TestApp {
    spawn_with_files(cfg, demo, gongjiang_storage::files::FileStore::temp()).await
}

/// The service over a test database (a demo copy or an empty one), and its guard.
async fn test_service(demo: bool) -> (Service, DbGuard) {
    if demo {
        let (db, key, guard) = demo_db().await;
        (Service::with_key(db, key), guard)
    } else {
        let (db, guard) = fresh_db().await;
        let svc = Service::new(db);
        svc.ensure_base_regions().await.unwrap();
        (svc, guard)
    }
}

/// The app with its uploaded files kept in `files` (a directory or an S3 bucket).
pub async fn spawn_with_files(
    cfg: WebConfig,
    demo: bool,
    files: gongjiang_storage::files::FileStore,
) -> TestApp {
    let (svc, guard) = test_service(demo).await;
    let mut app = spawn_svc(cfg, svc.with_files(files)).await;
    app.db_guard = Some(guard);
    app
}

/// The app over a service made by the test (e.g. on a restored database); the test
/// keeps that database's guard.
pub async fn spawn_svc(cfg: WebConfig, svc: Service) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(svc.clone(), cfg);
    tokio::spawn(async move {
        let _ = gongjiang_web::serve(listener, state).await;
    });
    TestApp {
        url: format!("http://{addr}"),
        svc,
        client: client(),
        db_guard: None,
    }
}

/// The app with the demo dataset and accounts.
pub async fn spawn_demo() -> TestApp {
    spawn_with(WebConfig::default(), true).await
}

/// The demo app without the server's background duties (resuming bulk actions,
/// reaping stopped imports, reminders): for tests that drive those duties themselves
/// and must not race a background copy of them.
pub async fn spawn_quiet_demo() -> TestApp {
    let (svc, guard) = test_service(true).await;
    let svc = svc.with_files(gongjiang_storage::files::FileStore::temp());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(svc.clone(), WebConfig::default());
    let app =
        gongjiang_web::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    TestApp {
        url: format!("http://{addr}"),
        svc,
        client: client(),
        db_guard: Some(guard),
    }
}

/// The app with an empty database (regions only).
pub async fn spawn_empty() -> TestApp {
    spawn_with(WebConfig::default(), false).await
}

impl TestApp {
    /// The app removes this database when the test ends (for `spawn_svc` over a
    /// database the test made).
    pub fn with_db_guard(mut self, guard: DbGuard) -> TestApp {
        self.db_guard = Some(guard);
        self
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    pub async fn token(&self, user: &str) -> String {
        self.token_with(user, "gongjiang-demo").await
    }

    pub async fn token_with(&self, user: &str, password: &str) -> String {
        let r = self
            .client
            .post(self.at("/api/v1/auth/login"))
            .json(&json!({"username": user, "password": password}))
            .send()
            .await
            .unwrap();
        let status = r.status();
        if status != 200 {
            panic!("login {user}: {status} {}", r.text().await.unwrap());
        }
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// A GET as `token`, answered as it comes (for its headers, bytes or text).
    pub async fn raw(&self, token: &str, path: &str) -> reqwest::Response {
        let r = self.client.get(self.at(path)).bearer_auth(token);
        r.send().await.unwrap()
    }

    /// A GET without a token, answered as it comes.
    pub async fn anon(&self, path: &str) -> reqwest::Response {
        self.client.get(self.at(path)).send().await.unwrap()
    }

    pub async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        let r = self.raw(token, path).await;
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: Value,
    ) -> (u16, Value) {
        let r = self
            .client
            .request(method, self.at(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    /// A demo account's token: the demo names its accounts after their roles
    /// (`city`, `district`, `town`, `unit`, …), all with the demo password.
    pub async fn as_role(&self, role: &str) -> String {
        self.token(role).await
    }

    /// GET as `token`, which must answer 200; the body.
    /// The 统一社会信用代码 of the first organisation `/api/v1/orgs?{query}` lists.
    pub async fn first_uscc(&self, token: &str, query: &str) -> String {
        let v = self.get_ok(token, &format!("/api/v1/orgs?{query}")).await;
        v["items"][0]["uscc"].as_str().unwrap().to_string()
    }

    /// POSTs every `(token, path, body)` at the same moment; the status of each, in order.
    pub async fn post_at_once(&self, requests: Vec<(String, String, Value)>) -> Vec<u16> {
        let tasks: Vec<_> = requests
            .into_iter()
            .map(|(token, path, body)| {
                let (c, url) = (self.client.clone(), self.at(&path));
                tokio::spawn(async move {
                    let r = c.post(url).bearer_auth(token).json(&body).send().await;
                    r.unwrap().status().as_u16()
                })
            })
            .collect();
        let mut codes = Vec::new();
        for t in tasks {
            codes.push(t.await.unwrap());
        }
        codes
    }

    /// The OpenAPI document, as any client fetches it (no token).
    pub async fn openapi(&self) -> Value {
        let r = self
            .client
            .get(self.at("/api/v1/openapi.json"))
            .send()
            .await;
        r.unwrap().json().await.unwrap()
    }

    pub async fn get_ok(&self, token: &str, path: &str) -> Value {
        let (s, v) = self.get(token, path).await;
        assert_eq!(s, 200, "GET {path}: {v}");
        v
    }

    /// The status of a GET as `token`.
    pub async fn status(&self, token: &str, path: &str) -> u16 {
        self.get(token, path).await.0
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        self.send(Method::POST, token, path, body).await
    }

    pub async fn put(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        self.send(Method::PUT, token, path, body).await
    }

    pub async fn patch(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        self.send(Method::PATCH, token, path, body).await
    }

    /// `send`, which must answer 200; the body.
    pub async fn send_ok(&self, method: Method, token: &str, path: &str, body: Value) -> Value {
        let (s, v) = self.send(method.clone(), token, path, body).await;
        assert_eq!(s, 200, "{method} {path}: {v}");
        v
    }

    pub async fn post_ok(&self, token: &str, path: &str, body: Value) -> Value {
        self.send_ok(Method::POST, token, path, body).await
    }

    pub async fn put_ok(&self, token: &str, path: &str, body: Value) -> Value {
        self.send_ok(Method::PUT, token, path, body).await
    }

    pub async fn patch_ok(&self, token: &str, path: &str, body: Value) -> Value {
        self.send_ok(Method::PATCH, token, path, body).await
    }

    /// Uploads `bytes` as the multipart part `file` named `name`; status and body.
    pub async fn upload_file(
        &self,
        token: &str,
        path: &str,
        name: &str,
        bytes: Vec<u8>,
    ) -> (u16, Value) {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
        let r = self
            .client
            .post(self.at(path))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    /// Starts an import of `kind` (which must be accepted, 202) and waits for its job
    /// to finish; the finished job. `period` is sent only when given.
    pub async fn import_and_wait(
        &self,
        token: &str,
        kind: &str,
        name: &str,
        bytes: Vec<u8>,
        skip_invalid: bool,
        period: Option<&str>,
    ) -> Value {
        let mut form = reqwest::multipart::Form::new()
            .text("kind", kind.to_string())
            .text("skip_invalid", if skip_invalid { "1" } else { "0" });
        if let Some(p) = period {
            form = form.text("period", p.to_string());
        }
        let form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
        let r = self
            .client
            .post(self.at("/api/v1/imports"))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
        let id = r.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        self.wait_import(token, &id).await
    }

    /// Polls an import job until it is no longer running (up to ten minutes: large
    /// imports in a debug build on a busy machine); the finished job.
    pub async fn wait_import(&self, token: &str, id: &str) -> Value {
        for _ in 0..12_000 {
            let v = self.get_ok(token, &format!("/api/v1/imports/{id}")).await;
            if v["status"] != "running" {
                return v;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("import {id} did not finish");
    }

    /// The audit entries of one record, as `city` reads them.
    pub async fn audit_of(&self, kind: &str, id: i64) -> Vec<Value> {
        let city = self.token("city").await;
        let a = self
            .get_ok(
                &city,
                &format!("/api/v1/audit?entity_kind={kind}&entity_id={id}&per_page=100"),
            )
            .await;
        a["items"].as_array().unwrap().clone()
    }

    /// The id of the first organisation matching a query, as `city` sees it.
    pub async fn org_id(&self, token: &str, query: &str) -> i64 {
        let (s, v) = self.get(token, &format!("/api/v1/orgs?{query}")).await;
        assert_eq!(s, 200);
        v["items"][0]["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("no org for {query}: {v}"))
    }

    /// Posts the login form on `c` as a browser does: the form's CSRF token is read from
    /// the page first; `fields` are the rest (username, password, next).
    pub async fn sign_in(&self, c: &reqwest::Client, fields: &[(&str, &str)]) -> reqwest::Response {
        let page = c
            .get(self.at("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = hidden(&page, "_csrf");
        let mut form = fields.to_vec();
        form.push(("_csrf", csrf.as_str()));
        c.post(self.at("/login")).form(&form).send().await.unwrap()
    }

    /// Signs in through the login form (with its CSRF cookie) on a fresh cookie jar.
    pub async fn browser(&self, user: &str) -> Browser {
        self.browser_with(user, "gongjiang-demo").await
    }

    /// Signs in with a password of the test's choosing (a reset account lands on the
    /// password form, whose CSRF token is taken).
    pub async fn browser_with(&self, user: &str, password: &str) -> Browser {
        let c = client();
        let r = self
            .sign_in(
                &c,
                &[("username", user), ("password", password), ("next", "/")],
            )
            .await;
        assert_eq!(r.status(), 303, "browser login {user}");
        let mut home = c.get(self.at("/")).send().await.unwrap();
        if home.status() == 303 {
            home = c.get(self.at("/account/password")).send().await.unwrap();
        }
        let home = home.text().await.unwrap();
        let csrf = hidden(&home, "_csrf");
        Browser {
            c,
            csrf,
            base: self.url.clone(),
        }
    }
}

pub struct Browser {
    pub c: reqwest::Client,
    pub csrf: String,
    pub base: String,
}

impl Browser {
    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = self
            .c
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
    /// A page that must answer 200: its HTML.
    pub async fn get_ok(&self, path: &str) -> String {
        let (s, html) = self.get(path).await;
        assert_eq!(s, 200, "GET {path}: {html}");
        html
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, String, Option<String>) {
        let mut f: Vec<(&str, &str)> = form.to_vec();
        f.push(("_csrf", self.csrf.as_str()));
        let r = self
            .c
            .post(format!("{}{path}", self.base))
            .form(&f)
            .send()
            .await
            .unwrap();
        let loc = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        (r.status().as_u16(), r.text().await.unwrap(), loc)
    }

    /// A form the page must take (303): where it sends the browser next.
    pub async fn saved(&self, path: &str, form: &[(&str, &str)]) -> Option<String> {
        let (s, html, loc) = self.post(path, form).await;
        assert_eq!(s, 303, "POST {path}: {html}");
        loc
    }

    /// A form the page must refuse (422): the page drawn again, with its errors.
    pub async fn refused(&self, path: &str, form: &[(&str, &str)]) -> String {
        let (s, html, _) = self.post(path, form).await;
        assert_eq!(s, 422, "POST {path}: {html}");
        html
    }
}

/// The value of a hidden input in a page.
pub fn hidden(html: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&key)
        .unwrap_or_else(|| panic!("no hidden {name}"))
        + key.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// A valid 统一社会信用代码 for tests.
pub fn uscc(n: u32) -> String {
    gongjiang_domain::Uscc::from_first17(&format!("91320402MA{:07}", n))
        .unwrap()
        .as_str()
        .to_string()
}

/// The demo's last complete year, computed as the demo computes it: its statistics are
/// approved at the seed's scale, its task list, meetings, 六有 and assessment are the
/// demo's, and every page opens on it ("数据截至…年度").
pub fn demo_year() -> i64 {
    gongjiang_demo::DemoClock::now().base_year()
}

/// `demo_year() + offset` as text, for periods and years in requests: `demo_period(0)` is
/// the demo's last complete (approved) year, `demo_period(1)` the current one (under
/// review), `demo_period(-1)` the year before the last complete one.
pub fn demo_period(offset: i64) -> &'static str {
    Box::leak((demo_year() + offset).to_string().into_boxed_str())
}

/// The current year: the demo's reports of it are under review.
pub fn this_year() -> i64 {
    gongjiang_demo::DemoClock::now().this_year()
}

/// A date `days` after today (Beijing), YYYY-MM-DD.
pub fn in_days(days: i64) -> String {
    let today = gongjiang_storage::tasks::today();
    let d = chrono::NaiveDate::parse_from_str(&today, "%Y-%m-%d").expect("today");
    (d + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// The maintained aggregates whose measure starts with `prefix` (e.g. `task:`) equal a
/// full rebuild from the raw records: no change left them behind.
pub async fn aggregates_agree(app: &TestApp, prefix: &str) {
    use sqlx::Row;
    let snapshot = || async {
        sqlx::query("SELECT node, measure, period, value FROM agg WHERE value <> 0 AND measure LIKE $1 ORDER BY node, measure, period")
            .bind(format!("{prefix}%"))
            .fetch_all(&app.svc.db.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r.try_get::<String, _>(0).unwrap(),
                    r.try_get::<String, _>(1).unwrap(),
                    r.try_get::<String, _>(2).unwrap(),
                    r.try_get::<i64, _>(3).unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let maintained = snapshot().await;
    let mut tx = app.svc.db.begin().await.unwrap();
    gongjiang_storage::indicators::rebuild(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(maintained, snapshot().await);
}

/// The error code of an error answer (`""` when there is none).
pub fn err_code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

/// The field an error answer names (its first detail's, or its own; `""` when none).
pub fn err_field(v: &Value) -> String {
    v["error"]["details"][0]["field"]
        .as_str()
        .or(v["error"]["field"].as_str())
        .unwrap_or("")
        .to_string()
}

/// The JSON an HTML attribute carries (a chart's `data-chart`), its escapes undone.
pub fn attribute_json(raw: &str) -> Value {
    let text = raw
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&#60;", "<")
        .replace("&gt;", ">")
        .replace("&#62;", ">")
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// How many of `codes` are `status`.
pub fn tally(codes: &[u16], status: u16) -> usize {
    codes.iter().filter(|c| **c == status).count()
}

/// A valid 身份证号 from its first 17 characters (the check character added).
pub fn id_number(first17: &str) -> String {
    let check = gongjiang_domain::IdNumber::check_char(first17).unwrap();
    format!("{first17}{check}")
}

/// One indicator (code, value, unit …) of an indicator answer; a missing code panics
/// naming it and the answer.
pub fn indicator_of(v: &Value, code: &str) -> Value {
    v["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .unwrap_or_else(|| panic!("no indicator {code}: {v}"))
        .clone()
}

/// An indicator's value in an indicator answer (0 when it has none).
pub fn indicator_in(v: &Value, code: &str) -> f64 {
    indicator_of(v, code)["value"].as_f64().unwrap_or(0.0)
}

/// One indicator of an organisation or region for a period, live from the API.
pub async fn indicator_at(
    app: &TestApp,
    token: &str,
    org: &str,
    period: &str,
    code: &str,
) -> Value {
    let path = format!("/api/v1/indicators?org={org}&period={period}");
    indicator_of(&app.get_ok(token, &path).await, code)
}

/// The value of one indicator of an organisation or region for a period (0 when none).
pub async fn indicator_value(
    app: &TestApp,
    token: &str,
    org: &str,
    period: &str,
    code: &str,
) -> f64 {
    indicator_at(app, token, org, period, code).await["value"]
        .as_f64()
        .unwrap_or(0.0)
}

/// Any answer `(status, body)` — the API's JSON or a console page — whose status is
/// asserted where its request ends; a wrong status prints the body.
/// `let v = app.get(&t, path).await.answers(200);`
pub trait Status<B> {
    fn answers(self, want: u16) -> B;
}

impl<B: std::fmt::Display> Status<B> for (u16, B) {
    #[track_caller]
    fn answers(self, want: u16) -> B {
        assert_eq!(self.0, want, "{}", self.1);
        self.1
    }
}

/// An API answer `(status, body)` asserted where its request ends:
/// `app.post(&t, path, body).await.refused_on(422, "field");`.
pub trait Answer {
    /// Refused with this status and error code.
    fn refused(&self, want: u16, code: &str);
    /// Refused with this status, the error naming this field.
    fn refused_on(&self, want: u16, field: &str);
}

impl Answer for (u16, Value) {
    #[track_caller]
    fn refused(&self, want: u16, code: &str) {
        refused(self.0, &self.1, want, code)
    }

    #[track_caller]
    fn refused_on(&self, want: u16, field: &str) {
        refused_on(self.0, &self.1, want, field)
    }
}

/// Asserts an error answer: its status and its error code (the body is the message).
#[track_caller]
pub fn refused(status: u16, v: &Value, want: u16, code: &str) {
    assert_eq!((status, err_code(v)), (want, code), "{v}");
}

/// Asserts an error answer: its status and the field its error names.
#[track_caller]
pub fn refused_on(status: u16, v: &Value, want: u16, field: &str) {
    assert_eq!(
        (status, v["error"]["field"].as_str().unwrap_or("")),
        (want, field),
        "{v}"
    );
}

/// The text at `key` of each object in the array `v`: `strs(&v["items"], "title")`.
pub fn strs<'a>(v: &'a Value, key: &str) -> Vec<&'a str> {
    let items = v.as_array().unwrap_or_else(|| panic!("not an array: {v}"));
    items.iter().map(|x| x[key].as_str().unwrap()).collect()
}
