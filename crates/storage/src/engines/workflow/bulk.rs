//! Bulk actions: chunked, resumable after a restart, never acting twice.

use crate::error::{Result, StoreError};
use crate::now_ms;
use crate::scope::Actor;
use crate::service::Service;
use gongjiang_domain::workflow::{Action, Refusal};
use gongjiang_domain::{FieldError, Rule};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

use super::rules::refusal;
use super::types::{ActInput, BulkJob};

impl Service {
    /// Records a bulk action; [`Service::run_bulk`] carries it out. Ids of cases that do
    /// not exist are dropped here.
    pub async fn start_bulk(
        &self,
        actor: &Actor,
        ids: &[i64],
        action: &str,
        comment: Option<&str>,
    ) -> Result<BulkJob> {
        let Some(a) = Action::parse(action) else {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "action",
                Rule::UnknownValue,
                format!("未知的操作“{action}”"),
                format!("unknown action '{action}'"),
            )]));
        };
        if a.by_applicant() {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "action",
                Rule::Forbidden,
                "批量操作只用于审核（通过、退回、不予通过）",
                "bulk actions are for reviewers (accept, return, reject)",
            )]));
        }
        if a.needs_comment() && comment.map(str::trim).unwrap_or("").is_empty() {
            return Err(refusal(Refusal::CommentRequired, a, ""));
        }
        if ids.is_empty() || ids.len() > 20_000 {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "ids",
                Rule::BadLength,
                "请选择1至20000件事项",
                "choose 1 to 20,000 cases",
            )]));
        }
        let uid = actor.user_id.ok_or(StoreError::Forbidden)?;
        let mut w = self.write(actor).await?;
        // The version of every case now: acting at exactly that version makes a resumed
        // job skip what it already did.
        let mut pairs: Vec<(i64, i64)> = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let list = chunk
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            for r in sqlx::query(&format!(
                "SELECT id, version FROM wf_cases WHERE id IN ({list})"
            ))
            .fetch_all(w.conn())
            .await?
            {
                pairs.push((r.try_get(0)?, r.try_get(1)?));
            }
        }
        pairs.sort_unstable();
        let id = crate::users::random_token()[..16].to_string();
        let now = w.now;
        let json = serde_json::to_string(&pairs).map_err(|e| StoreError::Other(e.to_string()))?;
        // Held by this process from the start: the periodic resume of other servers
        // leaves it alone while the lease is renewed.
        sqlx::query(
            "INSERT INTO wf_bulk (id, user_id, action, comment, case_ids, done, succeeded, skipped, status, created_at, updated_at, lease_owner, lease_until) \
             VALUES ($1, $2, $3, $4, $5, 0, 0, $6, 'running', $7, $7, $8, $9)",
        )
        .bind(&id)
        .bind(uid)
        .bind(a.code())
        .bind(comment)
        .bind(&json)
        .bind(0i64)
        .bind(now)
        .bind(crate::jobs::instance_id())
        .bind(now + crate::jobs::LEASE_MS)
        .execute(w.conn())
        .await?;
        w.commit().await?;
        self.bulk_job(actor, &id).await
    }

    pub async fn bulk_job(&self, actor: &Actor, id: &str) -> Result<BulkJob> {
        let mut conn = self.db.pool.acquire().await?;
        let r = sqlx::query(
            "SELECT id, action, case_ids, done, succeeded, skipped, status, user_id FROM wf_bulk WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
        let owner: i64 = r.try_get(7)?;
        if actor.user_id != Some(owner) {
            return Err(StoreError::NotFound);
        }
        let pairs: Vec<(i64, i64)> =
            serde_json::from_str(&r.try_get::<String, _>(2)?).unwrap_or_default();
        let skipped: i64 = r.try_get(5)?;
        Ok(BulkJob {
            id: r.try_get(0)?,
            action: r.try_get(1)?,
            total: pairs.len() as i64,
            done: r.try_get(3)?,
            succeeded: r.try_get(4)?,
            skipped,
            status: r.try_get(6)?,
        })
    }

    /// Running jobs that no live process holds: left by a stopped or killed server (its
    /// lease ran out), or recorded before leases existed. Any server may take them over.
    pub async fn unfinished_bulk_jobs(&self) -> Result<Vec<String>> {
        let mut conn = self.db.pool.acquire().await?;
        sqlx::query(
            "SELECT id FROM wf_bulk WHERE status = 'running' AND (lease_until IS NULL OR lease_until < $1) ORDER BY created_at",
        )
        .bind(now_ms())
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok(r.try_get(0)?))
        .collect()
    }

    /// Carries out (or resumes) a bulk job. The process takes the job's lease first (a
    /// job held by another live process is left to it). Each case is acted on in one
    /// transaction with the job's progress and counts, fenced by the lease and the
    /// position: a kill at any moment leaves the counts exact, and a resumed job neither
    /// acts on a case twice nor counts a case it accepted before the kill as skipped. A
    /// case that moved on since the job started (someone else acted) is skipped.
    pub async fn run_bulk(&self, id: &str) -> Result<()> {
        let Some(_running) = BulkRunning::enter(id) else {
            // This process runs it already.
            return Ok(());
        };
        let me = crate::jobs::instance_id();
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        let claimed = sqlx::query(
            "UPDATE wf_bulk SET lease_owner = $1, lease_until = $2, updated_at = $3 WHERE id = $4 AND status = 'running' \
             AND (lease_owner IS NULL OR lease_owner = $1 OR lease_until IS NULL OR lease_until < $3)",
        )
        .bind(me)
        .bind(now + crate::jobs::LEASE_MS)
        .bind(now)
        .bind(id)
        .execute(tx.conn())
        .await?
        .rows_affected();
        tx.commit().await?;
        let mut conn = self.db.pool.acquire().await?;
        let r = sqlx::query(
            "SELECT user_id, action, comment, case_ids, done, status FROM wf_bulk WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
        if claimed == 0 {
            // Finished, or another live process holds it.
            return Ok(());
        }
        let uid: i64 = r.try_get(0)?;
        let action: String = r.try_get(1)?;
        let comment: Option<String> = r.try_get(2)?;
        let pairs: Vec<(i64, i64)> =
            serde_json::from_str(&r.try_get::<String, _>(3)?).unwrap_or_default();
        let done: i64 = r.try_get(4)?;
        let status: String = r.try_get(5)?;
        if status != "running" {
            return Ok(());
        }
        let user = crate::users::get(&mut conn, uid)
            .await?
            .ok_or(StoreError::NotFound)?;
        drop(conn);
        let actor = user.actor("bulk");
        let start = usize::try_from(done).unwrap_or(0).min(pairs.len());
        for (n, (case, version)) in pairs.iter().enumerate().skip(start) {
            let input = ActInput {
                action: action.clone(),
                comment: comment.clone(),
                version: Some(*version),
                changes: BTreeMap::new(),
            };
            let mut tx = self.db.begin().await?;
            let acted = match self.act_in(tx.conn(), &actor, *case, &input).await {
                Ok(_) => true,
                Err(StoreError::Db(e)) => return Err(StoreError::Db(e)),
                Err(StoreError::Other(e)) => return Err(StoreError::Other(e)),
                Err(_) => false,
            };
            if !acted {
                // Whatever the refused action may have begun goes (and with it, on
                // SQLite, the write lock); the skip is counted on its own.
                rollback(tx).await?;
                tx = self.db.begin().await?;
            }
            if !bulk_advance(tx.conn(), id, n as i64, acted).await? {
                // The lease passed to another process, which carries on from its own
                // position: this action is rolled back and this runner stops.
                rollback(tx).await?;
                return Ok(());
            }
            tx.commit().await?;
        }
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "UPDATE wf_bulk SET status = 'done', lease_until = NULL, updated_at = $1 WHERE id = $2 AND lease_owner = $3",
        )
        .bind(now_ms())
        .bind(id)
        .bind(me)
        .execute(tx.conn())
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Rolls a write transaction back and lets its write lock go.
async fn rollback(tx: crate::Tx) -> Result<()> {
    tx.tx.rollback().await?;
    Ok(())
}

/// Moves a bulk job past the case at `position`, counting it, and renews the lease — in
/// the transaction of the action on that case. False (nothing changed) when this process
/// no longer holds the job or the job is no longer at that position.
async fn bulk_advance(
    conn: &mut AnyConnection,
    id: &str,
    position: i64,
    succeeded: bool,
) -> Result<bool> {
    let now = now_ms();
    let n = sqlx::query(
        "UPDATE wf_bulk SET done = $1, succeeded = succeeded + $2, skipped = skipped + $3, lease_until = $4, updated_at = $5 \
         WHERE id = $6 AND done = $7 AND lease_owner = $8 AND status = 'running'",
    )
    .bind(position + 1)
    .bind(i64::from(succeeded))
    .bind(i64::from(!succeeded))
    .bind(now + crate::jobs::LEASE_MS)
    .bind(now)
    .bind(id)
    .bind(position)
    .bind(crate::jobs::instance_id())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Bulk jobs this process is running (so that a periodic resume does not start a second
/// runner beside a slow first one); left when the runner ends or is dropped.
struct BulkRunning(String);

static BULK_RUNNING: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

impl BulkRunning {
    fn enter(id: &str) -> Option<BulkRunning> {
        let mut running = BULK_RUNNING.lock().unwrap_or_else(|e| e.into_inner());
        if running.iter().any(|r| r == id) {
            return None;
        }
        running.push(id.to_string());
        Some(BulkRunning(id.to_string()))
    }
}

impl Drop for BulkRunning {
    fn drop(&mut self) {
        let mut running = BULK_RUNNING.lock().unwrap_or_else(|e| e.into_inner());
        running.retain(|r| *r != self.0);
    }
}
