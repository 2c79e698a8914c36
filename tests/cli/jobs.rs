//! Import jobs across server processes (issue #9): two `gongjiang serve` processes on one
//! database. An import started on the first is followed on the second, and its rejected
//! rows are downloaded there; then the first is killed (SIGKILL) in the middle of a large
//! import, and the second reports that job as interrupted with nothing of its file
//! written — an import is one transaction.
//!
//! On PostgreSQL (GONGJIANG_TEST_DATABASE_URL=postgres://…) this is the real case of
//! several servers. On SQLite the two processes share one database file: the same holds,
//! except that progress written by the running process is not visible to the other while
//! its import holds the write lock.

use crate::common::*;
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "Werkstatt-Probe-2025!";

impl Env {
    fn add_user(&self, name: &str) {
        let mut child = self
            .command()
            .args([
                "user",
                "add",
                name,
                "--role",
                "city",
                "--org",
                "320400",
                "--password-stdin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{PASSWORD}\n").as_bytes())
            .unwrap();
        let o = child.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }

    /// A `serve` process on a free port, once it answers /healthz.
    async fn serve(&self) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = self
            .command()
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let s = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
        };
        let started = Instant::now();
        loop {
            if let Ok(r) = s.client.get(format!("{}/healthz", s.base)).send().await {
                if r.status() == 200 {
                    return s;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "server did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

struct Server {
    child: Child,
    base: String,
    client: reqwest::Client,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    async fn token(&self, user: &str) -> String {
        let r = self
            .client
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&json!({"username": user, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "login {user}");
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn upload(&self, tok: &str, name: &str, csv: String, skip_invalid: bool) -> String {
        let form = reqwest::multipart::Form::new()
            .text("kind", "orgs")
            .text("skip_invalid", if skip_invalid { "1" } else { "0" })
            .part(
                "file",
                reqwest::multipart::Part::bytes(csv.into_bytes()).file_name(name.to_string()),
            );
        let r = self
            .client
            .post(format!("{}/api/v1/imports", self.base))
            .bearer_auth(tok)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
        r.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn job(&self, tok: &str, id: &str) -> (u16, Value) {
        let r = self
            .client
            .get(format!("{}/api/v1/imports/{id}", self.base))
            .bearer_auth(tok)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    /// Polls a job until `done` says so (or `secs` pass).
    async fn wait(&self, tok: &str, id: &str, secs: u64, done: impl Fn(&Value) -> bool) -> Value {
        let started = Instant::now();
        loop {
            let (s, v) = self.job(tok, id).await;
            assert_eq!(s, 200, "{v}");
            if done(&v) {
                return v;
            }
            assert!(
                started.elapsed() < Duration::from_secs(secs),
                "job {id} did not get there: {v}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

fn uscc(prefix: &str, n: u32) -> String {
    gongjiang_domain::Uscc::from_first17(&format!("91320402{prefix}{n:07}"))
        .unwrap()
        .to_string()
}

const HEADER: &str = "单位名称,统一社会信用代码,单位类型,所属区划代码\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_share_import_jobs_and_a_killed_import_writes_nothing() {
    let e = env("jobs").await;
    if e.url.is_none() {
        eprintln!(
            "GONGJIANG_TEST_DATABASE_URL is not a postgres:// URL: running the two servers on one SQLite file"
        );
    }
    e.add_user("jobs");
    let mut a = e.serve().await;
    let b = e.serve().await;
    let tok = a.token("jobs").await;

    // Started on A, followed on B (the same bearer token works on both: sessions are in
    // the database), its rejected rows downloaded from B.
    let small = format!(
        "{HEADER}双机测试企业有限公司,{},企业,320402\n坏代码企业有限公司,91320402MA1XXXXX00,企业,320402\n",
        uscc("MC", 1)
    );
    let id = a.upload(&tok, "small.csv", small, true).await;
    let job = b.wait(&tok, &id, 60, |v| v["status"] != "running").await;
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(job["outcome"]["created"], 1, "{job}");
    assert_eq!(job["outcome"]["problems"][0]["row"], 3, "{job}");
    assert_eq!(job["has_rejected"], true, "{job}");
    let r = b
        .client
        .get(format!("{}/api/v1/imports/{id}/rejected", b.base))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(&r.bytes().await.unwrap()[..2], b"PK");

    // A large import on A, killed half way.
    let rows = 40_000;
    let mut big = String::from(HEADER);
    for i in 0..rows {
        big.push_str(&format!(
            "中断测试企业{i}有限公司,{},企业,320402\n",
            uscc("MD", i)
        ));
    }
    let id = a.upload(&tok, "big.csv", big, false).await;
    let running = if e.url.is_some() {
        // A saves its progress every two seconds: B shows it moving.
        b.wait(&tok, &id, 120, |v| {
            v["status"] == "running" && v["progress"].as_f64().unwrap_or(0.0) > 0.0
        })
        .await
    } else {
        // On SQLite A's import holds the write lock: B sees the job, not its progress.
        tokio::time::sleep(Duration::from_secs(3)).await;
        b.job(&tok, &id).await.1
    };
    assert_eq!(
        running["status"], "running",
        "still running when A is killed: {running}"
    );
    a.child.kill().unwrap(); // SIGKILL
    a.child.wait().unwrap();
    // B reports it interrupted once A's lease runs out (20 s) — all or nothing: nothing.
    let job = b.wait(&tok, &id, 120, |v| v["status"] != "running").await;
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["interrupted"], true, "{job}");
    assert!(
        job["error"].as_str().unwrap().contains("一行也没有写入"),
        "{job}"
    );
    let db = e.db().await;
    let written: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM orgs WHERE name LIKE '中断测试企业%'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(written, 0, "no row of the killed import was committed");
    db.close().await;
    // In English on request; and B still answers for the first job.
    let r = b
        .client
        .get(format!("{}/api/v1/imports/{id}?lang=en", b.base))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("nothing of this file was written"),
        "{v}"
    );
    // A restarted server answers for the jobs of the killed one.
    let c = e.serve().await;
    let (s, v) = c.job(&tok, &id).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("failed")), "{v}");
}
