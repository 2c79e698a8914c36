//! Test harness: each test gets the app on port 0 with a fresh database — an SQLite file,
//! or, when GONGJIANG_TEST_DATABASE_URL is a postgres:// URL, a new PostgreSQL database.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use gongjiang_storage::service::Service;
use gongjiang_storage::Db;
use gongjiang_web::{AppState, WebConfig};
use rand::Rng;
use serde_json::{json, Value};

pub struct TestApp {
    pub url: String,
    pub svc: Service,
    pub client: reqwest::Client,
}

fn unique() -> String {
    format!(
        "{}_{:08x}",
        std::process::id(),
        rand::thread_rng().gen::<u32>()
    )
}

pub async fn fresh_db() -> Db {
    match std::env::var("GONGJIANG_TEST_DATABASE_URL") {
        Ok(base) if base.starts_with("postgres") => {
            let admin = Db::connect(&base).await.expect("connect to PostgreSQL");
            let name = format!("gj_t_{}", unique());
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&admin.pool)
                .await
                .expect("create database");
            admin.close().await;
            let mut url = url::Url::parse(&base).expect("url");
            url.set_path(&name);
            let db = Db::connect(url.as_str()).await.expect("connect test db");
            db.migrate().await.expect("migrate");
            db
        }
        _ => {
            let dir = std::env::temp_dir().join("gongjiang-tests");
            std::fs::create_dir_all(&dir).unwrap();
            let db = Db::open_sqlite(&dir.join(format!("t_{}.db", unique())))
                .await
                .expect("sqlite");
            db.migrate().await.expect("migrate");
            db
        }
    }
}

/// The demo dataset is loaded once per test binary into a template (an SQLite file, or
/// a PostgreSQL database used as `TEMPLATE`), and each test gets a copy: the same fresh
/// database per test, without loading the demo every time.
struct Template {
    /// SQLite file or PostgreSQL database name.
    source: String,
    key_hex: String,
}

static TEMPLATE: std::sync::OnceLock<Template> = std::sync::OnceLock::new();

fn template() -> &'static Template {
    TEMPLATE.get_or_init(|| {
        std::thread::spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let key = gongjiang_storage::crypto::DataKey::random();
                let (db, source) = match std::env::var("GONGJIANG_TEST_DATABASE_URL") {
                    Ok(base) if base.starts_with("postgres") => {
                        let admin = Db::connect(&base).await.expect("connect to PostgreSQL");
                        let name = format!("gj_t_tpl_{}", unique());
                        sqlx::query(&format!("CREATE DATABASE {name}"))
                            .execute(&admin.pool)
                            .await
                            .expect("create template");
                        admin.close().await;
                        let mut url = url::Url::parse(&base).expect("url");
                        url.set_path(&name);
                        (Db::connect(url.as_str()).await.expect("connect"), name)
                    }
                    _ => {
                        let dir = std::env::temp_dir().join("gongjiang-tests");
                        std::fs::create_dir_all(&dir).unwrap();
                        let path = dir.join(format!("tpl_{}.db", unique()));
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
    })
}

/// A copy of the demo template.
async fn demo_db() -> (Db, gongjiang_storage::crypto::DataKey) {
    let t = template();
    let key = gongjiang_storage::crypto::DataKey::from_hex(&t.key_hex).unwrap();
    let db = match std::env::var("GONGJIANG_TEST_DATABASE_URL") {
        Ok(base) if base.starts_with("postgres") => {
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
            let mut url = url::Url::parse(&base).expect("url");
            url.set_path(&name);
            Db::connect(url.as_str()).await.expect("connect test db")
        }
        _ => {
            let dir = std::env::temp_dir().join("gongjiang-tests");
            let path = dir.join(format!("t_{}.db", unique()));
            std::fs::copy(&t.source, &path).expect("copy template");
            Db::open_sqlite(&path).await.expect("sqlite")
        }
    };
    db.migrate().await.expect("migrate");
    (db, key)
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

/// The app with its uploaded files kept in `files` (a directory or an S3 bucket).
pub async fn spawn_with_files(
    cfg: WebConfig,
    demo: bool,
    files: gongjiang_storage::files::FileStore,
) -> TestApp {
    let svc = if demo {
        let (db, key) = demo_db().await;
        Service::with_key(db, key)
    } else {
        let db = fresh_db().await;
        let svc = Service::new(db);
        svc.ensure_base_regions().await.unwrap();
        svc
    };
    spawn_svc(cfg, svc.with_files(files)).await
}

/// The app over a service made by the test (e.g. on a restored database).
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
    }
}

/// The app with the demo dataset and accounts.
pub async fn spawn_demo() -> TestApp {
    spawn_with(WebConfig::default(), true).await
}

/// The app with an empty database (regions only).
pub async fn spawn_empty() -> TestApp {
    spawn_with(WebConfig::default(), false).await
}

impl TestApp {
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

    pub async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        let r = self
            .client
            .get(self.at(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
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

    /// The id of the first organisation matching a query, as `city` sees it.
    pub async fn org_id(&self, token: &str, query: &str) -> i64 {
        let (s, v) = self.get(token, &format!("/api/v1/orgs?{query}")).await;
        assert_eq!(s, 200);
        v["items"][0]["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("no org for {query}: {v}"))
    }

    /// Signs in through the login form (with its CSRF cookie) on a fresh cookie jar.
    pub async fn browser(&self, user: &str) -> Browser {
        self.browser_with(user, "gongjiang-demo").await
    }

    /// Signs in with a password of the test's choosing (a reset account lands on the
    /// password form, whose CSRF token is taken).
    pub async fn browser_with(&self, user: &str, password: &str) -> Browser {
        let c = client();
        let page = c
            .get(self.at("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = hidden(&page, "_csrf");
        let r = c
            .post(self.at("/login"))
            .form(&[
                ("username", user),
                ("password", password),
                ("_csrf", csrf.as_str()),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
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
