//! Each test's environment: a fresh data dir, and a fresh PostgreSQL database when
//! GONGJIANG_TEST_DATABASE_URL is set; both are removed when the test ends.

use gongjiang_storage::Db;
use rand::Rng;
use std::path::PathBuf;
use std::process::{Command, Output};

pub struct Env {
    pub dir: PathBuf,
    pub url: Option<String>,
    /// The PostgreSQL server's URL and this test's database on it, dropped with `Env`.
    pg: Option<(String, String)>,
}

/// A fresh data dir named `gongjiang-{prefix}-…`, and a fresh PostgreSQL database when
/// GONGJIANG_TEST_DATABASE_URL is set.
pub async fn env(prefix: &str) -> Env {
    let tag = format!(
        "{}_{:08x}",
        std::process::id(),
        rand::thread_rng().gen::<u32>()
    );
    let dir = std::env::temp_dir().join(format!("gongjiang-{prefix}-{tag}"));
    std::fs::create_dir_all(&dir).unwrap();
    let (url, pg) = match std::env::var("GONGJIANG_TEST_DATABASE_URL") {
        Ok(base) if base.starts_with("postgres") => {
            let admin = Db::connect(&base).await.unwrap();
            let name = format!("gj_t_{tag}");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&admin.pool)
                .await
                .unwrap();
            admin.close().await;
            let mut u = url::Url::parse(&base).unwrap();
            u.set_path(&name);
            (Some(u.to_string()), Some((base, name)))
        }
        _ => (None, None),
    };
    Env { dir, url, pg }
}

impl Env {
    /// `gongjiang --data-dir <dir>` on this environment's database, logging warnings only.
    pub fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_gongjiang"));
        c.arg("--data-dir")
            .arg(&self.dir)
            .env_remove("GONGJIANG_DATABASE_URL")
            .env_remove("DATABASE_URL")
            .env("GONGJIANG_LOG", "warn");
        if let Some(u) = &self.url {
            c.env("GONGJIANG_DATABASE_URL", u);
        }
        c
    }

    /// The database the commands use.
    pub async fn db(&self) -> Db {
        match &self.url {
            Some(u) => Db::connect(u).await.unwrap(),
            None => Db::open_sqlite(&self.dir.join("gongjiang.db"))
                .await
                .unwrap(),
        }
    }
}

/// Removes the data dir and drops the database (on a thread of its own, with its own
/// runtime: a test's runtime may be ending). Never panics: a leftover is only disk.
impl Drop for Env {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((base, name)) = self.pg.take() {
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                rt.block_on(async {
                    let admin = Db::connect(&base).await.ok()?;
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = sqlx::query(&sql).execute(&admin.pool).await;
                    admin.close().await;
                    Some(())
                })
            })
            .join();
        }
    }
}

/// A command's standard error, as text.
pub fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}
