//! Connections, migrations and write transactions.
use crate::error::{Result, StoreError};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Connection, Executor, Row};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// SQLite allows one writer at a time; taking this lock before a write transaction
    /// avoids SQLITE_BUSY when two deferred transactions both try to upgrade.
    write_lock: Arc<Mutex<()>>,
    /// What this server keeps between requests on PostgreSQL ([`crate::live`]).
    pub live: Arc<crate::live::Live>,
    /// PostgreSQL: where the change listener connects.
    url: Arc<str>,
}

/// A write transaction. On SQLite it holds the process-wide write lock until it ends.
pub struct Tx {
    pub tx: sqlx::Transaction<'static, sqlx::Any>,
    _guard: Option<OwnedMutexGuard<()>>,
    live: Arc<crate::live::Live>,
    sessions_changed: bool,
}

impl Tx {
    pub async fn commit(mut self) -> Result<()> {
        let mut raised = None;
        if self._guard.is_none() {
            raised = sqlx::query_scalar::<_, i64>(crate::version::RAISE_IF_CHANGED)
                .fetch_optional(&mut *self.tx)
                .await?;
        }
        self.tx.commit().await?;
        // This server's own change counts before the caller goes on (the triggers
        // tell the other servers).
        if let Some(v) = raised {
            self.live.raised(v);
        }
        if self.sessions_changed {
            self.live.drop_sessions();
        }
        Ok(())
    }

    /// Marks this transaction as ending or changing sessions or the accounts they carry:
    /// the sessions this server keeps are dropped when it commits ([`crate::live`]).
    pub fn sessions_changed(&mut self) {
        self.sessions_changed = true;
    }

    pub fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }
}

/// The SQL of every migration, in order (for checks over the schema).
#[cfg(test)]
pub(crate) fn migration_sql() -> impl Iterator<Item = &'static str> {
    MIGRATIONS.iter().map(|m| m.sql)
}

/// Every `(table, column)` of every migration that refers to `target` without
/// `ON DELETE CASCADE` (a table rebuilt as `…_v2` under its final name): what a delete of
/// a `target` row must count first.
#[cfg(test)]
pub(crate) fn references_to(target: &str) -> Vec<(String, String)> {
    let needle = format!("REFERENCES {target}(id)");
    let mut out = Vec::new();
    for sql in migration_sql() {
        let mut table = "";
        for line in sql.lines() {
            let t = line.trim();
            if let Some(rest) = t.strip_prefix("CREATE TABLE ") {
                table = rest.split_whitespace().next().unwrap_or("");
            }
            if t.contains(&needle) && !t.contains("ON DELETE CASCADE") {
                let column = t.split_whitespace().next().unwrap_or("");
                out.push((
                    table.trim_end_matches("_v2").to_string(),
                    column.to_string(),
                ));
            }
        }
    }
    out
}

/// Whether a `REFERRING` count query (`SELECT COUNT(*) FROM <table> WHERE <column> = $1 …`)
/// counts `(table, column)`.
#[cfg(test)]
pub(crate) fn counts(queries: &[(&str, &str, &str)], table: &str, column: &str) -> bool {
    queries.iter().any(|(q, _, _)| {
        q.contains(&format!("FROM {table} WHERE")) && q.contains(&format!(" {column} = $1"))
    })
}

struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sql: include_str!("../../migrations/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "tree_paths",
        sql: include_str!("../../migrations/0002_tree_paths.sql"),
    },
    Migration {
        version: 3,
        name: "registers",
        sql: include_str!("../../migrations/0003_registers.sql"),
    },
    Migration {
        version: 4,
        name: "reports",
        sql: include_str!("../../migrations/0004_reports.sql"),
    },
    Migration {
        version: 5,
        name: "workers",
        sql: include_str!("../../migrations/0005_workers.sql"),
    },
    Migration {
        version: 6,
        name: "worker_titles",
        sql: include_str!("../../migrations/0006_worker_titles.sql"),
    },
    Migration {
        version: 7,
        name: "worker_certificates",
        sql: include_str!("../../migrations/0007_worker_certificates.sql"),
    },
    Migration {
        version: 8,
        name: "workflow",
        sql: include_str!("../../migrations/0008_workflow.sql"),
    },
    Migration {
        version: 9,
        name: "files_liuyou",
        sql: include_str!("../../migrations/0009_files_liuyou.sql"),
    },
    Migration {
        version: 10,
        name: "tasks_meetings",
        sql: include_str!("../../migrations/0010_tasks_meetings.sql"),
    },
    Migration {
        version: 11,
        name: "contacts_pairs",
        sql: include_str!("../../migrations/0011_contacts_pairs.sql"),
    },
    Migration {
        version: 12,
        name: "assessment",
        sql: include_str!("../../migrations/0012_assessment.sql"),
    },
    Migration {
        version: 13,
        name: "policies",
        sql: include_str!("../../migrations/0013_policies.sql"),
    },
    Migration {
        version: 14,
        name: "worker_indexes",
        sql: include_str!("../../migrations/0014_worker_indexes.sql"),
    },
    Migration {
        version: 15,
        name: "case_files",
        sql: include_str!("../../migrations/0015_case_files.sql"),
    },
    Migration {
        version: 16,
        name: "workflow_items_objections",
        sql: include_str!("../../migrations/0016_workflow_items_objections.sql"),
    },
    Migration {
        version: 17,
        name: "email_outbox",
        sql: include_str!("../../migrations/0017_email_outbox.sql"),
    },
    Migration {
        version: 18,
        name: "edit_and_end",
        sql: include_str!("../../migrations/0018_edit_and_end.sql"),
    },
    Migration {
        version: 19,
        name: "worker_hash_index",
        sql: include_str!("../../migrations/0019_worker_hash_index.sql"),
    },
    Migration {
        version: 20,
        name: "short_keyed_hashes",
        sql: include_str!("../../migrations/0020_short_keyed_hashes.sql"),
    },
    Migration {
        version: 21,
        name: "policy_owner_login_throttle",
        sql: include_str!("../../migrations/0021_policy_owner_login_throttle.sql"),
    },
    Migration {
        version: 22,
        name: "durable_jobs",
        sql: include_str!("../../migrations/0022_durable_jobs.sql"),
    },
    Migration {
        version: 23,
        name: "agg_covering_index",
        sql: include_str!("../../migrations/0023_agg_covering_index.sql"),
    },
    Migration {
        version: 24,
        name: "training",
        sql: include_str!("../../migrations/0024_training.sql"),
    },
    Migration {
        version: 25,
        name: "professors",
        sql: include_str!("../../migrations/0025_professors.sql"),
    },
    Migration {
        version: 26,
        name: "contests",
        sql: include_str!("../../migrations/0026_contests.sql"),
    },
    Migration {
        version: 27,
        name: "craftsmen",
        sql: include_str!("../../migrations/0027_craftsmen.sql"),
    },
    Migration {
        version: 28,
        name: "studios",
        sql: include_str!("../../migrations/0028_studios.sql"),
    },
    Migration {
        version: 29,
        name: "innovations",
        sql: include_str!("../../migrations/0029_innovations.sql"),
    },
    Migration {
        version: 30,
        name: "data_version",
        sql: include_str!("../../migrations/0030_data_version.sql"),
    },
];

impl Db {
    /// Connects to `url` (`sqlite://PATH?mode=rwc` or `postgres://…`).
    pub async fn connect(url: &str) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(StoreError::Other(format!(
                "unsupported database URL scheme (use sqlite: or postgres://): {}",
                redact(url)
            )));
        };
        let opts = AnyConnectOptions::from_str(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 10 })
            .acquire_timeout(Duration::from_secs(30))
            // No ping on every acquire (a round trip per request, issue #11's profile): an
            // embedded SQLite connection cannot go away under us; a PostgreSQL one can,
            // so one idle for more than a few seconds is pinged first (below).
            .test_before_acquire(false)
            // A task cancelled while its BEGIN was on the way (an aborted job, a dropped
            // request) leaves no `Transaction` to roll back: the connection comes back
            // to the pool inside a transaction, on SQLite holding the write lock, and
            // every other writer waits out the busy timeout. Such a connection is
            // closed (which rolls back) instead of being handed out; the check is a
            // flag, not a round trip. A PostgreSQL connection that has been idle (a
            // server restart, a dropped link) is pinged; a failed one is closed and
            // another taken.
            .before_acquire(move |conn, meta| {
                Box::pin(async move {
                    if conn.is_in_transaction() {
                        return Ok(false);
                    }
                    if backend == Backend::Postgres && meta.idle_for > Duration::from_secs(5) {
                        return Ok(conn.ping().await.is_ok());
                    }
                    Ok(true)
                })
            })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // 16 KiB pages for a new database (a no-op on an existing one: the
                        // page size is fixed when the file is created, so it goes before
                        // WAL mode). The worker registry's rows are about 450 bytes and
                        // bulk imports write hundreds of MB: a 1M-row import made 4× fewer
                        // WAL frames and B-tree pages than with 4 KiB, about 40 % less
                        // system CPU and 0.7–1.5 s less wall time (docs/performance.md).
                        conn.execute("PRAGMA page_size = 16384").await?;
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(opts)
            .await?;
        Ok(Db {
            pool,
            backend,
            write_lock: Arc::new(Mutex::new(())),
            live: crate::live::new(),
            url: url.into(),
        })
    }

    /// Opens (creating if needed) an SQLite database file.
    pub async fn open_sqlite(path: &std::path::Path) -> Result<Db> {
        Db::connect(&format!("sqlite://{}?mode=rwc", path.display())).await
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> Result<Tx> {
        let guard = match self.backend {
            Backend::Sqlite => Some(self.write_lock.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        // BEGIN IMMEDIATE takes SQLite's write lock at the start, where the busy timeout
        // applies. A deferred transaction that reads first and then writes gets SQLITE_BUSY
        // at once (no busy wait) if another connection still holds the lock, e.g. a
        // transaction dropped on an error path whose rollback has not run yet.
        let tx = match self.backend {
            Backend::Sqlite => {
                // A connection can come back to the pool still inside a transaction whose
                // task was cancelled (a dropped request, an aborted job): its rollback is
                // queued and lands within milliseconds, and until then a custom BEGIN on
                // it is refused. Wait for it rather than fail the caller.
                let mut tries = 0;
                loop {
                    match self.pool.begin_with("BEGIN IMMEDIATE").await {
                        Err(sqlx::Error::InvalidSavePointStatement) if tries < 50 => {
                            tries += 1;
                            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                        }
                        r => break r?,
                    }
                }
            }
            Backend::Postgres => self.pool_begin().await?,
        };
        Ok(Tx {
            tx,
            _guard: guard,
            live: self.live.clone(),
            sessions_changed: false,
        })
    }

    /// The pool's plain `BEGIN`, carried to its end even when the caller is dropped
    /// half-way.
    ///
    /// sqlx 0.8's PostgreSQL `BEGIN` is not cancel-safe (launchbadge/sqlx#2054 and
    /// transact-rs/sqlx#4393, fixed in sqlx 0.9.1): a future dropped while the answer to
    /// `BEGIN` is on its way leaves the session inside a transaction that sqlx does not
    /// know of, and the pool hands that connection to the next borrower, whose writes
    /// then sit in a transaction nobody commits: lost without an error. A request whose
    /// client went away, or an aborted job, is such a drop. Run as a task of its own, the
    /// begin always finishes; when nobody waits for it any more, the transaction it made
    /// is dropped whole and its `ROLLBACK` queued as for any dropped transaction.
    /// (SQLite's begin was fixed upstream, launchbadge/sqlx#2057; the test
    /// `transactions::a_begin_dropped_half_way_leaves_no_transaction_behind` runs on both.)
    pub(crate) async fn pool_begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        if self.backend == Backend::Sqlite {
            return Ok(self.pool.begin().await?);
        }
        let pool = self.pool.clone();
        tokio::spawn(async move { pool.begin().await })
            .await
            .map_err(|e| StoreError::Other(format!("begin: {e}")))?
            .map_err(Into::into)
    }

    /// Another handle on the same database with a pool and a [`crate::live::Live`] of its
    /// own: what a second server has.
    pub async fn reconnect(&self) -> Result<Db> {
        Db::connect(&self.url).await
    }

    /// A server on PostgreSQL: keeps sessions and the data version between requests,
    /// kept fresh by `LISTEN/NOTIFY` ([`crate::live`]). Nothing on SQLite. Needs a
    /// Tokio runtime; the listener stops when the last clone of this `Db` goes.
    pub fn listen(&self) {
        if self.backend == Backend::Postgres {
            crate::live::start(&self.live, &self.url);
        }
    }

    /// Applies pending migrations, each in its own transaction.
    pub async fn migrate(&self) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS gj_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        )
        .execute(tx.conn())
        .await?;
        // The data version (migration 30) exists before any other step: every commit
        // and every change to the tree may raise it, the data steps of older migrations
        // included.
        for stmt in split_statements(crate::version::SCHEMA) {
            sqlx::query(&stmt).execute(tx.conn()).await?;
        }
        tx.commit().await?;
        for m in MIGRATIONS {
            let mut tx = self.begin().await?;
            let done = sqlx::query("SELECT COUNT(*) FROM gj_migrations WHERE version = $1")
                .bind(m.version)
                .fetch_one(tx.conn())
                .await?
                .try_get::<i64, _>(0)?;
            if done > 0 {
                continue;
            }
            for stmt in split_statements(&self.dialect(m.sql)) {
                sqlx::query(&stmt).execute(tx.conn()).await.map_err(|e| {
                    StoreError::Other(format!(
                        "migration {} ({}) failed: {e}\n{stmt}",
                        m.version, m.name
                    ))
                })?;
            }
            // Data steps that follow a schema change.
            if m.version == 2 {
                crate::tree::rebuild(tx.conn()).await?;
            }
            if m.version == 6 && self.backend == Backend::Postgres {
                // Rows were copied with their ids: move the identity past them.
                sqlx::query("SELECT setval(pg_get_serial_sequence('designations', 'id'), COALESCE((SELECT MAX(id) FROM designations), 0) + 1, false)")
                    .execute(tx.conn())
                    .await?;
            }
            if m.version == 19 && self.backend == Backend::Postgres {
                // The same for the rebuilt worker table.
                sqlx::query("SELECT setval(pg_get_serial_sequence('workers', 'id'), COALESCE((SELECT MAX(id) FROM workers), 0) + 1, false)")
                    .execute(tx.conn())
                    .await?;
            }
            sqlx::query(
                "INSERT INTO gj_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(crate::now_ms())
            .execute(tx.conn())
            .await?;
            tx.commit().await?;
            tracing::info!(version = m.version, name = m.name, "migration applied");
        }
        if self.backend == Backend::Postgres {
            // The change notifications ([`crate::live`]); one server at a time.
            let mut tx = self.begin().await?;
            sqlx::query("SELECT pg_advisory_xact_lock(7461)")
                .execute(tx.conn())
                .await?;
            for stmt in crate::live::TRIGGERS {
                sqlx::query(stmt).execute(tx.conn()).await?;
            }
            tx.commit().await?;
        }
        Ok(())
    }

    fn dialect(&self, sql: &str) -> String {
        let id = match self.backend {
            Backend::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
            Backend::Postgres => "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        };
        sql.replace("{{ID}}", id)
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await.is_ok()
    }

    /// Tables that hold data, in an order that satisfies foreign keys on insert.
    pub const DATA_TABLES: &'static [&'static str] = &[
        "settings",
        "regions",
        "orgs",
        "org_closure",
        "users",
        "sessions",
        "audit_head",
        "audit_log",
        "pilots",
        "designations",
        "reports",
        "reminders",
        "workers",
        "agg",
        "wf_cases",
        "wf_events",
        "wf_items",
        "wf_objections",
        "wf_scores",
        "notifications",
        "wf_bulk",
        "asm_schemes",
        "asm_versions",
        "asm_rounds",
        "asm_targets",
        "asm_self",
        "asm_experts",
        "asm_conflicts",
        "asm_scores",
        "asm_results",
        "asm_totals",
        "tasks",
        "task_progress",
        "meeting_bodies",
        "meeting_members",
        "meetings",
        "meeting_attendance",
        "meeting_decisions",
        "contact_points",
        "contact_visits",
        "contact_problems",
        "pairs",
        "pair_activities",
        "files",
        "liuyou",
        "policies",
        "policy_grams",
        "training_classes",
        "class_trainees",
        "professor_engagements",
        "contests",
        "contest_aspects",
        "contest_entries",
        "contest_judges",
        "contest_recusals",
        "contest_marks",
        "contest_results",
        "craftsman_rounds",
        "craftsman_nominations",
        "studios",
        "studio_members",
        "studio_reviews",
        "innovations",
        "innovation_authors",
    ];

    /// Number of organisations (to decide whether `--demo` should load).
    pub async fn is_empty(&self) -> Result<bool> {
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM orgs")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        let u: i64 = sqlx::query("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        Ok(n == 0 && u == 0)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Splits a migration into statements at semicolons that end a line, dropping comments.
fn split_statements(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in sql.lines() {
        let t = line.trim();
        if t.starts_with("--") || t.is_empty() {
            continue;
        }
        cur.push_str(line);
        cur.push('\n');
        if t.ends_with(';') {
            out.push(cur.trim().trim_end_matches(';').to_string());
            cur.clear();
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// Hides a password in a database URL for messages and logs.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}
