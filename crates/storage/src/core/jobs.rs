//! Import jobs in the database, so that they outlive the process that runs them and any
//! server on the same database answers for any job (issue #9).
//!
//! - A job is a row of `import_jobs` (migration 0022), keyed for clients by a random
//!   token. The process running it holds a *lease*: it renews `lease_until` (with the
//!   progress) every [`HEARTBEAT`]; a running job whose lease is more than [`LEASE_MS`]
//!   old belongs to a process that died, and any server marks it interrupted
//!   ([`Service::reap_import_jobs`]).
//! - An import is one transaction. In that transaction, just before it commits, it sets
//!   the job's `written_at` — but only while the job is still `running`
//!   ([`mark_written`]). So a job declared interrupted can never commit a row
//!   afterwards, and a job with rows committed is never declared "nothing written": an
//!   interrupted job wrote either all of its file's valid rows (`written_at` set; the
//!   counts are kept) or none.
//! - Finished jobs keep their outcome with at most [`MAX_KEPT_PROBLEMS`] problems
//!   (`problems_total` counts them all) and the rejected-rows workbook, which carries
//!   every problem, sealed with the data key in the content-addressed file store.
//!
//! On SQLite an import holds the database's single write lock for its whole transaction,
//! so neither progress nor the lease can be written while it runs: the process running
//! it answers with the progress it holds in memory, other processes on the same file see
//! the progress of the last write, and the lease of a job of another, live process may
//! run out meanwhile — marking it interrupted needs that write lock too, so it happens
//! only after the import's transaction ended, and then only if it wrote nothing.
use crate::core::outcome::Outcome;
use crate::error::{Result, StoreError};
use crate::now_ms;
use crate::service::Service;
use crate::sql::Sql;
use crate::{Actor, Page, Scope};
use gongjiang_domain::Code;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::sync::OnceLock;
use std::time::Duration;

/// How long a job's lease lasts without being renewed.
pub const LEASE_MS: i64 = 20_000;
/// How often the running process renews its leases (and saves the progress).
pub const HEARTBEAT: Duration = Duration::from_secs(2);
/// Problems kept with a finished job (the rejected-rows workbook has them all).
pub const MAX_KEPT_PROBLEMS: usize = 1000;

/// This process, as the holder of leases: random per process start.
pub fn instance_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| crate::users::random_token()[..16].to_string())
}

/// An import job as stored.
#[derive(Debug, Clone)]
pub struct ImportJob {
    pub id: i64,
    pub token: String,
    pub owner_id: i64,
    pub kind: String,
    pub file_name: String,
    /// running, done or failed
    pub status: String,
    /// 0.0 – 1.0
    pub progress: f64,
    pub outcome: Option<Outcome>,
    /// Problems found, of which `outcome` keeps the first [`MAX_KEPT_PROBLEMS`].
    pub problems_total: i64,
    pub error: Option<String>,
    pub has_rejected: bool,
    /// The process running it died: see [`ImportJob::written`].
    pub interrupted: bool,
    /// The file's rows were committed (before an interruption, all of its valid rows).
    pub written: bool,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

const COLUMNS: &str = "id, token, owner_id, kind, file_name, status, progress, outcome, problems_total, error, rejected_sha, interrupted, written_at, created_at, finished_at";

fn from_row(r: &sqlx::any::AnyRow) -> Result<ImportJob> {
    let outcome: Option<String> = r.try_get("outcome")?;
    Ok(ImportJob {
        id: r.try_get("id")?,
        token: r.try_get("token")?,
        owner_id: r.try_get("owner_id")?,
        kind: r.try_get("kind")?,
        file_name: r.try_get("file_name")?,
        status: r.try_get("status")?,
        progress: r.try_get::<i64, _>("progress")? as f64 / 1000.0,
        outcome: outcome.and_then(|o| serde_json::from_str(&o).ok()),
        problems_total: r.try_get("problems_total")?,
        error: r.try_get("error")?,
        has_rejected: r.try_get::<Option<String>, _>("rejected_sha")?.is_some(),
        interrupted: r.try_get::<i64, _>("interrupted")? != 0,
        written: r.try_get::<Option<i64>, _>("written_at")?.is_some(),
        created_at: r.try_get("created_at")?,
        finished_at: r.try_get("finished_at")?,
    })
}

/// The outcome as kept: the first [`MAX_KEPT_PROBLEMS`] problems only.
fn capped_json(outcome: &Outcome, written: bool) -> Result<String> {
    let kept = Outcome {
        problems: outcome
            .problems
            .iter()
            .take(MAX_KEPT_PROBLEMS)
            .cloned()
            .collect(),
        written,
        ..outcome.clone()
    };
    serde_json::to_string(&kept).map_err(|e| StoreError::Other(e.to_string()))
}

/// Called by an import inside its write transaction, just before the commit: marks the
/// job's rows as written — only while the job is still running. A job already declared
/// interrupted refuses, and the import rolls back: its outcome stays "nothing written".
pub(crate) async fn mark_written(
    conn: &mut sqlx::AnyConnection,
    job: Option<i64>,
    outcome: &Outcome,
) -> Result<()> {
    let Some(job) = job else {
        return Ok(());
    };
    let now = now_ms();
    let n = sqlx::query(
        "UPDATE import_jobs SET written_at = $1, outcome = $2, problems_total = $3, updated_at = $1 \
         WHERE id = $4 AND status = 'running'",
    )
    .bind(now)
    .bind(capped_json(outcome, true)?)
    .bind(outcome.problems.len() as i64)
    .bind(job)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::conflict(
            Code::ImportInterrupted,
            None,
            "导入任务已被判定为中断（服务进程失联），本次导入未写入任何数据，请重新上传",
            "the import job was declared interrupted (its server stopped answering); nothing was written, upload the file again",
        ))
    }
}

impl Service {
    /// Records a new running import job held by this process; returns its row id.
    pub async fn create_import_job(
        &self,
        token: &str,
        owner_id: i64,
        kind: &str,
        file_name: &str,
    ) -> Result<i64> {
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO import_jobs (token, owner_id, kind, file_name, status, progress, lease_owner, lease_until, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'running', 0, $5, $6, $7, $7) RETURNING id",
        )
        .bind(token)
        .bind(owner_id)
        .bind(kind)
        .bind(file_name)
        .bind(instance_id())
        .bind(now + LEASE_MS)
        .bind(now)
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
        tx.commit().await?;
        Ok(id)
    }

    /// An import job by its token (no access check: the caller compares `owner_id`).
    pub async fn import_job(&self, token: &str) -> Result<Option<ImportJob>> {
        let mut conn = self.db.pool.acquire().await?;
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM import_jobs WHERE token = $1"
        ))
        .bind(token)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
    }

    /// Renews the lease of a running job of this process and saves its progress
    /// (0.0 – 1.0). False when the job is no longer running (finished, or declared
    /// interrupted).
    pub async fn heartbeat_import_job(&self, id: i64, progress: f64) -> Result<bool> {
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        let n = sqlx::query(
            "UPDATE import_jobs SET progress = $1, lease_owner = $2, lease_until = $3, updated_at = $4 \
             WHERE id = $5 AND status = 'running'",
        )
        .bind((progress.clamp(0.0, 1.0) * 1000.0) as i64)
        .bind(instance_id())
        .bind(now + LEASE_MS)
        .bind(now)
        .bind(id)
        .execute(tx.conn())
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Records the result of an import: the outcome with its first problems, and the
    /// rejected-rows workbook (sealed with the data key: it holds numbers such as
    /// 身份证号 as written) in the file store.
    pub async fn finish_import_job(
        &self,
        id: i64,
        outcome: &Outcome,
        rejected: Option<&[u8]>,
    ) -> Result<()> {
        let (sha, size) = match rejected {
            Some(bytes) => {
                let sealed = self.key.seal(bytes).ok_or_else(|| {
                    StoreError::Other("the rejected rows could not be encrypted".into())
                })?;
                let sha = hex::encode(Sha256::digest(&sealed));
                self.files.put(&sha, &sealed).await?;
                (Some(sha), Some(bytes.len() as i64))
            }
            None => (None, None),
        };
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "UPDATE import_jobs SET status = 'done', progress = 1000, outcome = $1, problems_total = $2, error = NULL, \
             rejected_sha = $3, rejected_size = $4, interrupted = 0, lease_until = NULL, updated_at = $5, finished_at = $5 WHERE id = $6",
        )
        .bind(capped_json(outcome, outcome.written)?)
        .bind(outcome.problems.len() as i64)
        .bind(sha)
        .bind(size)
        .bind(now)
        .bind(id)
        .execute(tx.conn())
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records that a file could not be imported at all (message in the uploader's
    /// language).
    pub async fn fail_import_job(&self, id: i64, error: &str) -> Result<()> {
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "UPDATE import_jobs SET status = 'failed', progress = 1000, error = $1, lease_until = NULL, updated_at = $2, finished_at = $2 WHERE id = $3",
        )
        .bind(error)
        .bind(now)
        .bind(id)
        .execute(tx.conn())
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks running jobs of other processes whose lease ran out as interrupted: `failed`
    /// when nothing was written (the import's transaction never committed, and now never
    /// will), `done` with the counts saved at commit when the rows were written. Returns
    /// how many.
    pub async fn reap_import_jobs(&self) -> Result<u64> {
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        let failed = sqlx::query(
            "UPDATE import_jobs SET status = 'failed', interrupted = 1, updated_at = $1, finished_at = $1 \
             WHERE status = 'running' AND lease_until < $1 AND written_at IS NULL AND (lease_owner IS NULL OR lease_owner <> $2)",
        )
        .bind(now)
        .bind(instance_id())
        .execute(tx.conn())
        .await?
        .rows_affected();
        let written = sqlx::query(
            "UPDATE import_jobs SET status = 'done', progress = 1000, interrupted = 1, updated_at = $1, finished_at = $1 \
             WHERE status = 'running' AND lease_until < $1 AND written_at IS NOT NULL AND (lease_owner IS NULL OR lease_owner <> $2)",
        )
        .bind(now)
        .bind(instance_id())
        .execute(tx.conn())
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(failed + written)
    }

    /// The rejected-rows workbook of a job, if it has one.
    pub async fn import_job_rejected(&self, id: i64) -> Result<Option<Vec<u8>>> {
        let mut conn = self.db.pool.acquire().await?;
        let sha: Option<String> = sqlx::query("SELECT rejected_sha FROM import_jobs WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?
            .flatten();
        drop(conn);
        let Some(sha) = sha else {
            return Ok(None);
        };
        let sealed = self.files.get(&sha).await?;
        self.key.open(&sealed).map(Some).ok_or_else(|| {
            StoreError::unavailable(
                "被拒绝行文件无法解密（数据密钥与写入时不同）",
                "the rejected rows cannot be decrypted (the data key differs from the one they were written with)",
            )
        })
    }
}

/// The counts of an import's outcome, without its problems (read for lists).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OutcomeCounts {
    pub total: usize,
    pub valid: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub would_create: usize,
    pub would_update: usize,
    pub written: bool,
}

impl OutcomeCounts {
    /// Rows rejected (not written, or refused when nothing was written).
    pub fn rejected(&self) -> usize {
        self.total.saturating_sub(self.valid)
    }
}

/// An import job as listed in the import history: who ran it, and its counts.
#[derive(Debug, Clone)]
pub struct ImportJobSummary {
    pub token: String,
    pub owner_id: i64,
    /// The owner's user name and display name (None if the account is gone).
    pub owner_username: Option<String>,
    pub owner_name: Option<String>,
    pub kind: String,
    pub file_name: String,
    pub status: String,
    pub progress: f64,
    pub counts: Option<OutcomeCounts>,
    pub problems_total: i64,
    pub has_rejected: bool,
    pub interrupted: bool,
    pub written: bool,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

fn history_scope(actor: &Actor) -> Option<Scope> {
    crate::access::import_history_scope(actor)
}

/// ` WHERE (j.owner_id = me OR <owner in the actor's area>)` over `import_jobs j`
/// joined with the owner `u`, the owner's organisation `o` and region `r`.
async fn visible_filter(conn: &mut sqlx::AnyConnection, actor: &Actor) -> Result<Sql> {
    let mut w = Sql::new(" WHERE (j.owner_id = ");
    w.bind_int(actor.user_id.unwrap_or(-1));
    match history_scope(actor) {
        None => {}
        Some(Scope::All) => {
            w.push(" OR 1 = 1");
        }
        Some(scope) => {
            let resolved = scope.resolve(conn).await?;
            w.push(" OR (o.id IS NOT NULL");
            resolved.org_filter(&mut w, "o");
            w.push(") OR (r.code IS NOT NULL");
            resolved.region_filter(&mut w, "r");
            w.push(")");
        }
    }
    w.push(")");
    Ok(w)
}

const HISTORY_FROM: &str = " FROM import_jobs j LEFT JOIN users u ON u.id = j.owner_id \
     LEFT JOIN orgs o ON o.id = u.org_id LEFT JOIN regions r ON r.code = u.region_code";

fn qualified_columns() -> String {
    COLUMNS
        .split(", ")
        .map(|c| format!("j.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn summary_row(r: &sqlx::any::AnyRow) -> Result<ImportJobSummary> {
    let outcome: Option<String> = r.try_get("outcome")?;
    Ok(ImportJobSummary {
        token: r.try_get("token")?,
        owner_id: r.try_get("owner_id")?,
        owner_username: r.try_get("owner_username")?,
        owner_name: r.try_get("owner_name")?,
        kind: r.try_get("kind")?,
        file_name: r.try_get("file_name")?,
        status: r.try_get("status")?,
        progress: r.try_get::<i64, _>("progress")? as f64 / 1000.0,
        counts: outcome.and_then(|o| serde_json::from_str(&o).ok()),
        problems_total: r.try_get("problems_total")?,
        has_rejected: r.try_get::<Option<String>, _>("rejected_sha")?.is_some(),
        interrupted: r.try_get::<i64, _>("interrupted")? != 0,
        written: r.try_get::<Option<i64>, _>("written_at")?.is_some(),
        created_at: r.try_get("created_at")?,
        finished_at: r.try_get("finished_at")?,
    })
}

impl Service {
    /// An import job by its token, if `actor` may see it: their own, or (region staff)
    /// one of an account in their area — see the import history. Otherwise None, like a
    /// missing one.
    pub async fn import_job_for(&self, actor: &Actor, token: &str) -> Result<Option<ImportJob>> {
        let mut conn = self.db.pool.acquire().await?;
        let w = visible_filter(&mut conn, actor).await?;
        let mut q = Sql::new(&format!(
            "SELECT {}{HISTORY_FROM}{} AND j.token = ",
            qualified_columns(),
            w.text()
        ));
        q.set_args(w.args().to_vec());
        q.bind_text(token);
        q.query()
            .fetch_optional(&mut *conn)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// The import history an actor sees, newest first: their own imports and, for
    /// region staff, those of the accounts in their area (the city and the platform
    /// operator: everyone's).
    pub async fn import_history(
        &self,
        actor: &Actor,
        page: i64,
        per_page: i64,
    ) -> Result<Page<ImportJobSummary>> {
        let mut conn = self.db.pool.acquire().await?;
        let w = visible_filter(&mut conn, actor).await?;
        crate::sql::page_up_to(
            &mut conn,
            (
                &format!("SELECT COUNT(*){HISTORY_FROM}"),
                &format!(
                    "SELECT {}, u.username AS owner_username, u.display_name AS owner_name{HISTORY_FROM}",
                    qualified_columns()
                ),
            ),
            &w,
            " ORDER BY j.created_at DESC, j.id DESC",
            (page, per_page),
            200,
            summary_row,
        )
        .await
    }
}
