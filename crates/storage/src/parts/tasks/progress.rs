//! Progress on a task: reports from the owner unit, marking done (also the end of an
//! approved completion case) and flagging for 督办.

use crate::audit;
use crate::error::{Result, StoreError};
use crate::indicators;
use crate::scope::{Actor, Scope};
use crate::service::Service;
use gongjiang_domain::tasks::{check_progress, level_label, ProgressDraft};
use gongjiang_domain::Code;
use sqlx::AnyConnection;

use super::sql::{notify_org, today};
use super::types::{ProgressInput, Task};

pub(super) fn cancelled_already() -> StoreError {
    StoreError::conflict(
        Code::TaskCancelled,
        None,
        "该任务已撤销，不能再办理",
        "the task was cancelled; nothing more can be done on it",
    )
}

/// A task to mark done: see [`mark_done_in`].
pub(crate) struct Done<'a> {
    pub id: i64,
    pub owner_org_id: i64,
    /// The version the caller read; `None`: whatever it is now.
    pub version: Option<i64>,
    /// The figure reached, when the completion report gave one.
    pub achieved: Option<i64>,
    pub audit_text: &'a str,
}

/// Marks a task done in the caller's transaction, with the owner's indicators settled
/// and one audit entry. Both ways a task is closed end here: the setting level's direct
/// confirmation ([`Service::complete_task`]) and an approved completion case (销号,
/// `task_completion.rs`). False when the task was done or changed meanwhile (nothing
/// written).
pub(crate) async fn mark_done_in(
    conn: &mut AnyConnection,
    actor: &Actor,
    d: Done<'_>,
    now: i64,
) -> Result<bool> {
    let snap = indicators::snapshot(conn, d.owner_org_id).await?;
    let mut sql = String::from(
        "UPDATE tasks SET done_at = $1, done_by = $2, progress = 100, achieved = COALESCE($3, achieved), \
         version = version + 1, updated_at = $1 WHERE id = $4 AND done_at IS NULL",
    );
    if d.version.is_some() {
        sql.push_str(" AND version = $5");
    }
    let mut q = sqlx::query(&sql)
        .bind(now)
        .bind(&actor.display_name)
        .bind(d.achieved)
        .bind(d.id);
    if let Some(v) = d.version {
        q = q.bind(v);
    }
    if q.execute(&mut *conn).await?.rows_affected() != 1 {
        return Ok(false);
    }
    indicators::settle(conn, snap).await?;
    audit::Note::new("task_done", "task", d.id)
        .summary(d.audit_text)
        .write(conn, actor, now)
        .await?;
    Ok(true)
}

pub(super) fn changed_elsewhere() -> StoreError {
    StoreError::conflict(
        Code::StaleVersion,
        None,
        "该任务刚刚已被他人修改，请刷新后查看最新状态",
        "someone else changed this task a moment ago; reload to see where it stands",
    )
}

impl Service {
    /// Files a progress report (owner unit or region staff over it).
    pub async fn report_progress(&self, actor: &Actor, id: i64, i: &ProgressInput) -> Result<Task> {
        self.report_progress_on(actor, id, i, &today()).await
    }

    /// As [`Service::report_progress`], as of `today` (demo data of past years).
    pub async fn report_progress_on(
        &self,
        actor: &Actor,
        id: i64,
        i: &ProgressInput,
        today: &str,
    ) -> Result<Task> {
        let mut w = self.write(actor).await?;
        let t = self
            .task_in(w.conn(), &actor.read_scope(), id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        let writable = self
            .task_in(w.conn(), &actor.write_scope(), id, false)
            .await?
            .is_some();
        if !writable || !self.may_report(actor, &t) {
            return Err(StoreError::denied(
                Code::TaskNotOwner,
                format!(
                    "只有责任单位“{}”或其所在区域的产改办可以报告进展",
                    t.owner_name
                ),
                format!(
                    "only the owner unit '{}' or the reform office over it may report progress",
                    t.owner_name
                ),
            ));
        }
        if t.done_at.is_some() {
            return Err(StoreError::conflict(
                Code::TaskDone,
                None,
                "该任务已完成，不能再报告进展",
                "the task is done; no more progress reports",
            ));
        }
        if t.cancelled_at.is_some() {
            return Err(cancelled_already());
        }
        let p = check_progress(
            &ProgressDraft {
                date: i.date.clone(),
                percent: i.percent,
                value: i.value,
                note: i.note.clone(),
                evidence_url: i.evidence_url.clone().unwrap_or_default(),
            },
            today,
        )
        .map_err(StoreError::Invalid)?;
        let now = w.now;
        sqlx::query(
            "INSERT INTO task_progress (task_id, report_date, percent, achieved, note, evidence_url, user_id, username, display_name, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id)
        .bind(&p.date)
        .bind(p.percent)
        .bind(p.value)
        .bind(&p.note)
        .bind(p.evidence_url.as_deref())
        .bind(actor.user_id)
        .bind(&actor.username)
        .bind(&actor.display_name)
        .bind(now)
        .execute(w.conn())
        .await?;
        sqlx::query(
            "UPDATE tasks SET progress = COALESCE($1, progress), achieved = COALESCE($2, achieved), reports = reports + 1, \
             version = version + 1, updated_at = $3 WHERE id = $4",
        )
        .bind(p.percent)
        .bind(p.value)
        .bind(now)
        .bind(id)
        .execute(w.conn())
        .await?;
        let summary = format!(
            "{}:{}{}",
            t.title,
            p.percent.map(|x| format!("{x}% ")).unwrap_or_default(),
            p.note
        );
        w.audit(audit::Note::new("task_progress", "task", id).summary(&summary))
            .await?;
        let t = self
            .task_in(w.conn(), &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.commit().await?;
        Ok(t)
    }

    async fn closable(&self, conn: &mut AnyConnection, actor: &Actor, id: i64) -> Result<Task> {
        let t = self
            .task_in(&mut *conn, &actor.read_scope(), id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        let writable = self
            .task_in(&mut *conn, &actor.write_scope(), id, false)
            .await?
            .is_some();
        if !writable || !self.may_close(actor, &t) {
            return Err(StoreError::denied(
                Code::TaskLevel,
                format!(
                    "该任务由{}设立，只有{}或更高层级的产改办可以确认完成或督办",
                    level_label(&t.creator_level, false),
                    level_label(&t.creator_level, false)
                ),
                format!(
                    "the task was set at {} level; only that level or above marks it done or supervises it",
                    level_label(&t.creator_level, true)
                ),
            ));
        }
        if t.cancelled_at.is_some() {
            return Err(cancelled_already());
        }
        Ok(t)
    }

    /// Marks a task done (the creator's level or above). `version`: the version the
    /// actor saw (a different one is a conflict).
    pub async fn complete_task(
        &self,
        actor: &Actor,
        id: i64,
        version: Option<i64>,
    ) -> Result<Task> {
        let mut w = self.write(actor).await?;
        let t = self.closable(w.conn(), actor, id).await?;
        if t.done_at.is_some() {
            return Err(StoreError::conflict(
                Code::TaskDone,
                None,
                "该任务已确认完成",
                "the task is already done",
            ));
        }
        if version.is_some_and(|v| v != t.version) {
            return Err(changed_elsewhere());
        }
        let now = w.now;
        let done = mark_done_in(
            w.conn(),
            actor,
            Done {
                id,
                owner_org_id: t.owner_org_id,
                version: Some(t.version),
                achieved: None,
                audit_text: &format!("确认完成：{}", t.title),
            },
            now,
        )
        .await?;
        if !done {
            return Err(changed_elsewhere());
        }
        notify_org(
            w.conn(),
            t.owner_org_id,
            &format!("任务已确认完成：{}", t.title),
            &format!("/tasks/{id}"),
            now,
        )
        .await?;
        let t = self
            .task_in(w.conn(), &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.commit().await?;
        Ok(t)
    }

    /// Flags a task for 督办 with a note (the creator's level or above); the owner
    /// unit's accounts are notified. Returns the task and how many were notified.
    pub async fn supervise_task(
        &self,
        actor: &Actor,
        id: i64,
        note: &str,
    ) -> Result<(Task, usize)> {
        let note = gongjiang_domain::error::text(
            "note",
            ("督办意见", "Supervision note"),
            note,
            true,
            1000,
        )
        .map_err(StoreError::invalid)?
        .unwrap_or_default();
        let mut w = self.write(actor).await?;
        let t = self.closable(w.conn(), actor, id).await?;
        if t.done_at.is_some() {
            return Err(StoreError::conflict(
                Code::TaskDone,
                None,
                "该任务已完成，无需督办",
                "the task is done; nothing to supervise",
            ));
        }
        let now = w.now;
        sqlx::query(
            "UPDATE tasks SET supervised = 1, supervise_note = $1, supervised_at = $2, supervised_by = $3, version = version + 1, updated_at = $2 WHERE id = $4",
        )
        .bind(&note)
        .bind(now)
        .bind(&actor.display_name)
        .bind(id)
        .execute(w.conn())
        .await?;
        w.audit(
            audit::Note::new("task_supervise", "task", id)
                .summary(format!("督办：{}（{}）", t.title, note)),
        )
        .await?;
        let n = notify_org(
            w.conn(),
            t.owner_org_id,
            &format!("督办：{}。{}", t.title, note),
            &format!("/tasks/{id}"),
            now,
        )
        .await?;
        let t = self
            .task_in(w.conn(), &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.commit().await?;
        Ok((t, n))
    }
}
