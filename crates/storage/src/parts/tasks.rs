//! The annual task list (年度任务清单 / 重点工作) and the joint meetings (联席会议).
//!
//! Tasks: region staff create them in their area for an owner unit (an organisation in
//! their write scope), with a deadline that is not in the past and a measurable target.
//! The owner unit (its `unit`/`department` accounts) and region staff over it file
//! progress reports; only the creator's level or above marks a task done or flags it
//! for 督办 (the owner's accounts are notified). The status is computed from the
//! deadline, so a task becomes overdue by itself. Each task counts for its owner unit in
//! the indicator engine (`tasks_total`, `tasks_done`, `task_completion_rate` in the
//! task's year), settled in the same transaction as the change.
//!
//! Meetings: one body per region (city, district or town) with member units; meetings
//! with agenda, attendance per member unit, minutes and decisions; a decision becomes a
//! task with one action, and the task links back to the meeting.
//!
//! Corrections: a task is edited (optimistic locking on `version`) or cancelled (撤销,
//! with a reason; it then leaves the completion rate) by the creator's level or above
//! over its lead region and owner unit; bodies are renamed and re-membered; a meeting's
//! record is corrected; a decision's text is corrected until it becomes a task. Every
//! change is audit-logged with before and after.
use crate::audit;
use crate::error::{Result, StoreError};
use crate::indicators;
use crate::orgs;
use crate::scope::{Actor, Resolved, Scope};
use crate::service::Service;
use crate::sql::{like_escape, Sql};
use crate::{now_ms, Page};
use gongjiang_domain::tasks::{
    attendance_label, check_attendance, check_meeting, check_progress, check_task, creator_level,
    level_label, may_close, MeetingDraft, ProgressDraft, TaskDraft, TaskStatus,
};
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Role, Rule};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

/// Today in Beijing time, `YYYY-MM-DD` (deadlines are calendar dates in China).
pub fn today() -> String {
    crate::contacts::today().format("%Y-%m-%d").to_string()
}

/// The indicator facts of an organisation's tasks: `task:total` and `task:done` per
/// task year. A cancelled (撤销) task counts in neither.
pub async fn facts(conn: &mut AnyConnection, org_id: i64, f: &mut indicators::Facts) -> Result<()> {
    let rows = sqlx::query(
        "SELECT year, COUNT(*), CAST(SUM(CASE WHEN done_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) \
         FROM tasks WHERE owner_org_id = $1 AND cancelled_at IS NULL GROUP BY year",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let (y, n, d): (i64, i64, i64) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        if n > 0 {
            *f.entry(("task:total".into(), y.to_string())).or_default() += n;
        }
        if d > 0 {
            *f.entry(("task:done".into(), y.to_string())).or_default() += d;
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Task {
    pub id: i64,
    pub year: i64,
    pub title: String,
    pub description: String,
    pub owner_org_id: i64,
    pub owner_name: String,
    /// The lead region (牵头区域).
    pub region_code: String,
    pub region_name: String,
    /// YYYY-MM-DD
    pub deadline: String,
    pub target_text: String,
    pub target_value: Option<i64>,
    pub target_unit: Option<String>,
    /// Latest reported percent (0–100).
    pub progress: i64,
    /// Latest reported value achieved.
    pub achieved: Option<i64>,
    /// Number of progress reports.
    pub reports: i64,
    /// not_started, in_progress, done, overdue (computed from the deadline), cancelled.
    pub status: String,
    pub status_label: String,
    pub done_at: Option<i64>,
    pub done_by: Option<String>,
    /// Cancelled (撤销): when, by whom, why. A cancelled task leaves the completion rate.
    pub cancelled_at: Option<i64>,
    pub cancelled_by: Option<String>,
    pub cancel_reason: Option<String>,
    /// Flagged for 督办.
    pub supervised: bool,
    pub supervise_note: Option<String>,
    pub supervised_at: Option<i64>,
    pub supervised_by: Option<String>,
    /// The meeting whose decision created the task.
    pub meeting_id: Option<i64>,
    pub meeting_title: Option<String>,
    /// city, district or town: this level or above marks it done or 督办.
    pub creator_level: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Progress {
    pub id: i64,
    /// YYYY-MM-DD
    pub date: String,
    pub percent: Option<i64>,
    pub achieved: Option<i64>,
    pub note: String,
    pub evidence_url: Option<String>,
    pub username: String,
    pub display_name: String,
    pub created_at: i64,
}

/// A new task. `owner`: the owner unit's id or 统一社会信用代码; `region`: the lead
/// region (default: the creator's region).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    pub year: i64,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub owner: String,
    #[serde(default)]
    pub region: Option<String>,
    /// YYYY-MM-DD, today or later.
    pub deadline: String,
    pub target_text: String,
    #[serde(default)]
    pub target_value: Option<i64>,
    #[serde(default)]
    pub target_unit: Option<String>,
}

/// A progress report: a percent (0–100) or a value achieved, or both.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressInput {
    /// YYYY-MM-DD, not after today.
    pub date: String,
    #[serde(default)]
    pub percent: Option<i64>,
    #[serde(default)]
    pub value: Option<i64>,
    pub note: String,
    #[serde(default)]
    pub evidence_url: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub year: Option<i64>,
    pub status: Option<String>,
    pub region: Option<String>,
    pub owner_org_id: Option<i64>,
    pub supervised: bool,
    pub meeting_id: Option<i64>,
    pub q: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

/// Completion by owner unit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitRow {
    pub org_id: i64,
    pub org_name: String,
    pub total: i64,
    pub done: i64,
    pub overdue: i64,
    pub supervised: i64,
    /// done ÷ total × 100
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatusCount {
    pub code: String,
    pub label: String,
    pub count: i64,
}

/// The task list of a year at a glance: counts by status, completion by unit, and the
/// tasks that need attention (overdue or 督办, not done).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Board {
    pub year: i64,
    /// Counts in the order not_started, in_progress, done, overdue, cancelled.
    pub by_status: Vec<StatusCount>,
    pub supervised: i64,
    pub by_unit: Vec<UnitRow>,
    pub alerts: Vec<Task>,
}

const SELECT: &str = "SELECT t.id, t.year, t.title, t.description, t.owner_org_id, o.name AS owner_name, t.region_code, rg.name AS region_name, \
    t.deadline, t.target_text, t.target_value, t.target_unit, t.progress, t.achieved, t.reports, t.done_at, t.done_by, t.cancelled_at, t.cancelled_by, t.cancel_reason, t.supervised, \
    t.supervise_note, t.supervised_at, t.supervised_by, t.meeting_id, m.title AS meeting_title, t.creator_level, t.version, t.created_at, t.updated_at \
    FROM tasks t JOIN orgs o ON o.id = t.owner_org_id JOIN regions rg ON rg.code = t.region_code LEFT JOIN meetings m ON m.id = t.meeting_id";

fn task_row(r: &sqlx::any::AnyRow, en: bool, today: &str) -> Result<Task> {
    let done_at: Option<i64> = r.try_get("done_at")?;
    let cancelled_at: Option<i64> = r.try_get("cancelled_at")?;
    let deadline: String = r.try_get("deadline")?;
    let reports: i64 = r.try_get("reports")?;
    let st = TaskStatus::of(
        done_at.is_some(),
        cancelled_at.is_some(),
        &deadline,
        reports,
        today,
    );
    Ok(Task {
        id: r.try_get("id")?,
        year: r.try_get("year")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        owner_org_id: r.try_get("owner_org_id")?,
        owner_name: r.try_get("owner_name")?,
        region_code: r.try_get("region_code")?,
        region_name: r.try_get("region_name")?,
        deadline,
        target_text: r.try_get("target_text")?,
        target_value: r.try_get("target_value")?,
        target_unit: r.try_get("target_unit")?,
        progress: r.try_get("progress")?,
        achieved: r.try_get("achieved")?,
        reports,
        status: st.code().to_string(),
        status_label: st.label(en).to_string(),
        done_at,
        done_by: r.try_get("done_by")?,
        cancelled_at,
        cancelled_by: r.try_get("cancelled_by")?,
        cancel_reason: r.try_get("cancel_reason")?,
        supervised: r.try_get::<i64, _>("supervised")? != 0,
        supervise_note: r.try_get("supervise_note")?,
        supervised_at: r.try_get("supervised_at")?,
        supervised_by: r.try_get("supervised_by")?,
        meeting_id: r.try_get("meeting_id")?,
        meeting_title: r.try_get("meeting_title")?,
        creator_level: r.try_get("creator_level")?,
        version: r.try_get("version")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Appends ` AND <status condition>` for a computed status.
fn status_filter(sql: &mut Sql, status: &str, today: &str) {
    match TaskStatus::parse(status) {
        Some(TaskStatus::Done) => {
            sql.push(" AND t.done_at IS NOT NULL");
        }
        Some(TaskStatus::Cancelled) => {
            sql.push(" AND t.done_at IS NULL AND t.cancelled_at IS NOT NULL");
        }
        Some(TaskStatus::Overdue) => {
            sql.push(" AND t.done_at IS NULL AND t.cancelled_at IS NULL AND t.deadline < ")
                .bind_text(today.to_string());
        }
        Some(TaskStatus::InProgress) => {
            sql.push(" AND t.done_at IS NULL AND t.cancelled_at IS NULL AND t.reports > 0 AND t.deadline >= ")
                .bind_text(today.to_string());
        }
        Some(TaskStatus::NotStarted) => {
            sql.push(" AND t.done_at IS NULL AND t.cancelled_at IS NULL AND t.reports = 0 AND t.deadline >= ")
                .bind_text(today.to_string());
        }
        None => {}
    }
}

fn cancelled_already() -> StoreError {
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
    audit::append(
        conn,
        actor,
        "task_done",
        "task",
        &d.id.to_string(),
        d.audit_text,
        None,
        None,
        now,
    )
    .await?;
    Ok(true)
}

fn changed_elsewhere() -> StoreError {
    StoreError::conflict(
        Code::StaleVersion,
        None,
        "该任务刚刚已被他人修改，请刷新后查看最新状态",
        "someone else changed this task a moment ago; reload to see where it stands",
    )
}

/// Is `region` (a code) inside the actor's write scope? Returns its level.
async fn region_in(
    conn: &mut AnyConnection,
    actor: &Actor,
    region: &str,
) -> Result<Option<(String, String)>> {
    let resolved = actor.write_scope().resolve(&mut *conn).await?;
    let mut sql = Sql::new("SELECT r.level, r.name FROM regions r WHERE r.code = ");
    sql.bind_text(region.to_string());
    resolved.region_filter(&mut sql, "r");
    Ok(match sql.query().fetch_optional(&mut *conn).await? {
        Some(r) => Some((r.try_get(0)?, r.try_get(1)?)),
        None => None,
    })
}

async fn notify_org(
    conn: &mut AnyConnection,
    org_id: i64,
    message: &str,
    link: &str,
    now: i64,
) -> Result<usize> {
    let users: Vec<i64> = sqlx::query("SELECT id FROM users WHERE org_id = $1 AND disabled = 0 AND role IN ('unit', 'department')")
        .bind(org_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<_, _>>()?;
    crate::notify::notify(conn, &users, message, link, now).await?;
    Ok(users.len())
}

/// Where a task comes from when a meeting decision turns into one.
struct Origin {
    meeting_id: i64,
    decision_id: i64,
}

impl Service {
    async fn task_in(
        &self,
        conn: &mut AnyConnection,
        scope: &Scope,
        id: i64,
        en: bool,
    ) -> Result<Option<Task>> {
        let resolved = scope.resolve(&mut *conn).await?;
        let mut sql = Sql::new(&format!("{SELECT} WHERE t.id = "));
        sql.bind_int(id);
        resolved.org_filter(&mut sql, "o");
        let today = today();
        sql.query()
            .fetch_optional(conn)
            .await?
            .as_ref()
            .map(|r| task_row(r, en, &today))
            .transpose()
    }

    /// Creates a task in the actor's area (city, district or town staff).
    pub async fn create_task(&self, actor: &Actor, i: &TaskInput) -> Result<Task> {
        self.create_task_on(actor, i, &today()).await
    }

    /// As [`Service::create_task`], with "today" given: the demo data and imports of
    /// past years create tasks as of the day they were set.
    pub async fn create_task_on(&self, actor: &Actor, i: &TaskInput, today: &str) -> Result<Task> {
        let mut tx = self.db.begin().await?;
        let t = self.insert_task(tx.conn(), actor, i, today, None).await?;
        tx.commit().await?;
        Ok(t)
    }

    async fn insert_task(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        i: &TaskInput,
        today: &str,
        origin: Option<Origin>,
    ) -> Result<Task> {
        let Some(level) = creator_level(actor.role) else {
            return Err(StoreError::Forbidden);
        };
        let fields = check_task(
            &TaskDraft {
                year: i.year,
                title: i.title.clone(),
                description: i.description.clone(),
                deadline: i.deadline.clone(),
                target_text: i.target_text.clone(),
                target_value: i.target_value,
                target_unit: i.target_unit.clone().unwrap_or_default(),
            },
            today,
        );
        let mut errs = match &fields {
            Ok(_) => Vec::new(),
            Err(e) => e.clone(),
        };
        let owner_key = i.owner.trim();
        let owner = if owner_key.is_empty() {
            errs.push(FieldError::required("owner", "责任单位", "Owner unit"));
            None
        } else {
            let o = orgs::find(&mut *conn, &actor.write_scope(), owner_key).await?;
            if o.is_none() {
                errs.push(FieldError::new(
                    "owner",
                    Rule::UnknownValue,
                    format!("责任单位“{owner_key}”不存在或不在您的管辖范围内"),
                    format!("the owner unit '{owner_key}' does not exist or is outside your area"),
                ));
            }
            o
        };
        let region = i
            .region
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .or_else(|| actor.region_code.clone())
            .unwrap_or_default();
        if region_in(&mut *conn, actor, &region).await?.is_none() {
            errs.push(FieldError::new(
                "region",
                Rule::BadRegion,
                format!("牵头区域“{region}”不存在或不在您的管辖范围内"),
                format!("the lead region '{region}' does not exist or is outside your area"),
            ));
        }
        let (Ok(f), Some(owner), true) = (fields, owner, errs.is_empty()) else {
            return Err(StoreError::Invalid(errs));
        };
        let now = now_ms();
        let snap = indicators::snapshot(&mut *conn, owner.id).await?;
        let id: i64 = sqlx::query(
            "INSERT INTO tasks (year, title, description, owner_org_id, region_code, deadline, target_text, target_value, target_unit, \
             meeting_id, decision_id, creator_level, created_by, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $14) RETURNING id",
        )
        .bind(f.year)
        .bind(&f.title)
        .bind(&f.description)
        .bind(owner.id)
        .bind(&region)
        .bind(&f.deadline)
        .bind(&f.target_text)
        .bind(f.target_value)
        .bind(f.target_unit.as_deref())
        .bind(origin.as_ref().map(|o| o.meeting_id))
        .bind(origin.as_ref().map(|o| o.decision_id))
        .bind(level)
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
        indicators::settle(&mut *conn, snap).await?;
        let summary = format!("{}年度任务：{}（责任单位 {}）", f.year, f.title, owner.name);
        audit::append(
            &mut *conn,
            actor,
            audit::action::CREATE,
            "task",
            &id.to_string(),
            &summary,
            None,
            None,
            now,
        )
        .await?;
        notify_org(
            &mut *conn,
            owner.id,
            &format!("新的年度任务：{}（完成时限 {}）", f.title, f.deadline),
            &format!("/tasks/{id}"),
            now,
        )
        .await?;
        self.task_in(&mut *conn, &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Tasks in the actor's area (by owner unit), most urgent first.
    pub async fn list_tasks(&self, actor: &Actor, f: &TaskFilter, en: bool) -> Result<Page<Task>> {
        if !actor.role.may_read_orgs() {
            return Err(StoreError::Forbidden);
        }
        let mut conn = self.db.pool.acquire().await?;
        let today = today();
        let mut w = Sql::new(" WHERE 1 = 1");
        actor
            .read_scope()
            .resolve(&mut conn)
            .await?
            .org_filter(&mut w, "o");
        if let Some(r) = &f.region {
            Resolved::region(&mut conn, r)
                .await?
                .org_filter(&mut w, "o");
        }
        if let Some(y) = f.year {
            w.push(" AND t.year = ").bind_int(y);
        }
        if let Some(s) = &f.status {
            status_filter(&mut w, s, &today);
        }
        if let Some(o) = f.owner_org_id {
            w.push(" AND t.owner_org_id = ").bind_int(o);
        }
        if let Some(m) = f.meeting_id {
            w.push(" AND t.meeting_id = ").bind_int(m);
        }
        if f.supervised {
            w.push(" AND t.supervised = 1");
        }
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            w.push(" AND t.title LIKE ")
                .bind_text(format!("%{}%", like_escape(q)))
                .push(" ESCAPE '\\'");
        }
        let per_page = f.per_page.clamp(1, 500);
        let page = f.page.max(1);
        let mut count = Sql::new(&format!(
            "SELECT COUNT(*) FROM tasks t JOIN orgs o ON o.id = t.owner_org_id{}",
            w.text()
        ));
        count.set_args(w.args().to_vec());
        let total: i64 = count.query().fetch_one(&mut *conn).await?.try_get(0)?;
        let mut q = Sql::new(&format!(
            "{SELECT}{} ORDER BY CASE WHEN t.done_at IS NULL AND t.cancelled_at IS NULL THEN 0 ELSE 1 END, t.deadline, t.id LIMIT ",
            w.text()
        ));
        q.set_args(w.args().to_vec());
        q.bind_int(per_page)
            .push(" OFFSET ")
            .bind_int((page - 1).saturating_mul(per_page));
        let rows = q.query().fetch_all(&mut *conn).await?;
        Ok(Page {
            items: rows
                .iter()
                .map(|r| task_row(r, en, &today))
                .collect::<Result<_>>()?,
            total,
            page,
            per_page,
        })
    }

    /// May the actor file progress on the task? The owner unit's own accounts (unit or
    /// department attached to it) and region staff whose area holds the owner.
    fn may_report(&self, actor: &Actor, t: &Task) -> bool {
        match actor.role {
            Role::Unit | Role::Department => actor.org_id == Some(t.owner_org_id),
            r => r.is_region_staff(),
        }
    }

    /// May the actor mark the task done or flag it for 督办 (creator's level or above)?
    fn may_close(&self, actor: &Actor, t: &Task) -> bool {
        actor.role.is_region_staff() && may_close(actor.role, &t.creator_level)
    }

    /// One task with its progress reports and what the actor may do:
    /// (task, reports newest first, may report progress, may mark done / 督办, may edit
    /// or cancel).
    pub async fn get_task(
        &self,
        actor: &Actor,
        id: i64,
        en: bool,
    ) -> Result<(Task, Vec<Progress>, bool, bool, bool)> {
        let mut conn = self.db.pool.acquire().await?;
        let t = self
            .task_in(&mut conn, &actor.read_scope(), id, en)
            .await?
            .ok_or(StoreError::NotFound)?;
        let rows = sqlx::query(
            "SELECT id, report_date, percent, achieved, note, evidence_url, username, display_name, created_at \
             FROM task_progress WHERE task_id = $1 ORDER BY report_date DESC, id DESC",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let progress = rows
            .iter()
            .map(|r| {
                Ok(Progress {
                    id: r.try_get(0)?,
                    date: r.try_get(1)?,
                    percent: r.try_get(2)?,
                    achieved: r.try_get(3)?,
                    note: r.try_get(4)?,
                    evidence_url: r.try_get(5)?,
                    username: r.try_get(6)?,
                    display_name: r.try_get(7)?,
                    created_at: r.try_get(8)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let in_write = self
            .task_in(&mut conn, &actor.write_scope(), id, en)
            .await?
            .is_some();
        let done = t.done_at.is_some();
        let cancelled = t.cancelled_at.is_some();
        let report = in_write && !done && !cancelled && self.may_report(actor, &t);
        let close = in_write && !cancelled && self.may_close(actor, &t);
        let edit = close && !done && region_in(&mut conn, actor, &t.region_code).await?.is_some();
        Ok((t, progress, report, close, edit))
    }

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
        let mut tx = self.db.begin().await?;
        let t = self
            .task_in(tx.conn(), &actor.read_scope(), id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        let writable = self
            .task_in(tx.conn(), &actor.write_scope(), id, false)
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
        let now = now_ms();
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
        .execute(tx.conn())
        .await?;
        sqlx::query(
            "UPDATE tasks SET progress = COALESCE($1, progress), achieved = COALESCE($2, achieved), reports = reports + 1, \
             version = version + 1, updated_at = $3 WHERE id = $4",
        )
        .bind(p.percent)
        .bind(p.value)
        .bind(now)
        .bind(id)
        .execute(tx.conn())
        .await?;
        let summary = format!(
            "{}:{}{}",
            t.title,
            p.percent.map(|x| format!("{x}% ")).unwrap_or_default(),
            p.note
        );
        audit::append(
            tx.conn(),
            actor,
            "task_progress",
            "task",
            &id.to_string(),
            &summary,
            None,
            None,
            now,
        )
        .await?;
        let t = self
            .task_in(tx.conn(), &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
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
        let mut tx = self.db.begin().await?;
        let t = self.closable(tx.conn(), actor, id).await?;
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
        let now = now_ms();
        let done = mark_done_in(
            tx.conn(),
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
            tx.conn(),
            t.owner_org_id,
            &format!("任务已确认完成：{}", t.title),
            &format!("/tasks/{id}"),
            now,
        )
        .await?;
        let t = self
            .task_in(tx.conn(), &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
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
        let mut tx = self.db.begin().await?;
        let t = self.closable(tx.conn(), actor, id).await?;
        if t.done_at.is_some() {
            return Err(StoreError::conflict(
                Code::TaskDone,
                None,
                "该任务已完成，无需督办",
                "the task is done; nothing to supervise",
            ));
        }
        let now = now_ms();
        sqlx::query(
            "UPDATE tasks SET supervised = 1, supervise_note = $1, supervised_at = $2, supervised_by = $3, version = version + 1, updated_at = $2 WHERE id = $4",
        )
        .bind(&note)
        .bind(now)
        .bind(&actor.display_name)
        .bind(id)
        .execute(tx.conn())
        .await?;
        audit::append(
            tx.conn(),
            actor,
            "task_supervise",
            "task",
            &id.to_string(),
            &format!("督办：{}（{}）", t.title, note),
            None,
            None,
            now,
        )
        .await?;
        let n = notify_org(
            tx.conn(),
            t.owner_org_id,
            &format!("督办：{}。{}", t.title, note),
            &format!("/tasks/{id}"),
            now,
        )
        .await?;
        let t = self
            .task_in(tx.conn(), &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok((t, n))
    }

    /// The years that have tasks in the actor's area, latest first.
    pub async fn task_years(&self, actor: &Actor) -> Result<Vec<i64>> {
        let mut conn = self.db.pool.acquire().await?;
        let mut sql = Sql::new(
            "SELECT DISTINCT t.year FROM tasks t JOIN orgs o ON o.id = t.owner_org_id WHERE 1 = 1",
        );
        actor
            .read_scope()
            .resolve(&mut conn)
            .await?
            .org_filter(&mut sql, "o");
        sql.push(" ORDER BY t.year DESC");
        sql.query()
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok(r.try_get(0)?))
            .collect()
    }

    /// The year's task list in the actor's area (optionally a region below it): counts
    /// by status, completion by owner unit (most tasks first) and the tasks that need
    /// attention (overdue or 督办 and not done, earliest deadline first).
    pub async fn task_board(
        &self,
        actor: &Actor,
        year: i64,
        region: Option<&str>,
        en: bool,
    ) -> Result<Board> {
        let f = TaskFilter {
            year: Some(year),
            region: region.map(str::to_string),
            page: 1,
            per_page: 500,
            ..Default::default()
        };
        let mut all = Vec::new();
        let mut page = 1;
        loop {
            let p = self
                .list_tasks(actor, &TaskFilter { page, ..f.clone() }, en)
                .await?;
            let n = p.items.len();
            all.extend(p.items);
            if n == 0 || all.len() as i64 >= p.total {
                break;
            }
            page += 1;
        }
        let by_status = TaskStatus::ALL
            .iter()
            .map(|s| StatusCount {
                code: s.code().to_string(),
                label: s.label(en).to_string(),
                count: all.iter().filter(|t| t.status == s.code()).count() as i64,
            })
            .collect();
        let mut units: std::collections::BTreeMap<i64, UnitRow> = Default::default();
        // Cancelled tasks leave the completion rate, as in the indicator engine.
        let open = |t: &&Task| t.status != "done" && t.status != "cancelled";
        for t in all.iter().filter(|t| t.status != "cancelled") {
            let u = units.entry(t.owner_org_id).or_insert_with(|| UnitRow {
                org_id: t.owner_org_id,
                org_name: t.owner_name.clone(),
                total: 0,
                done: 0,
                overdue: 0,
                supervised: 0,
                rate: None,
            });
            u.total += 1;
            u.done += i64::from(t.status == "done");
            u.overdue += i64::from(t.status == "overdue");
            u.supervised += i64::from(t.supervised && open(&t));
        }
        let mut by_unit: Vec<UnitRow> = units
            .into_values()
            .map(|mut u| {
                u.rate = (u.total > 0).then(|| u.done as f64 * 100.0 / u.total as f64);
                u
            })
            .collect();
        by_unit.sort_by(|a, b| b.total.cmp(&a.total).then(a.org_name.cmp(&b.org_name)));
        let supervised = all.iter().filter(|t| t.supervised && open(t)).count() as i64;
        let mut alerts: Vec<Task> = all
            .iter()
            .filter(|t| t.status == "overdue" || (t.supervised && open(t)))
            .cloned()
            .collect();
        alerts.sort_by(|a, b| {
            b.supervised
                .cmp(&a.supervised)
                .then(a.deadline.cmp(&b.deadline))
        });
        Ok(Board {
            year,
            by_status,
            supervised,
            by_unit,
            alerts,
        })
    }
}

// ----- joint meetings -----

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Body {
    pub id: i64,
    pub region_code: String,
    pub region_name: String,
    /// city, district or town
    pub level: String,
    pub level_label: String,
    pub name: String,
    pub members: Vec<Member>,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Member {
    pub org_id: i64,
    pub org_name: String,
}

/// A joint-meeting body: one per region; `members` are organisation ids or 统一社会信用代码.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BodyInput {
    pub region: String,
    pub name: String,
    #[serde(default)]
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Meeting {
    pub id: i64,
    pub body_id: i64,
    pub body_name: String,
    pub level: String,
    pub level_label: String,
    pub region_code: String,
    pub region_name: String,
    pub title: String,
    /// YYYY-MM-DD
    pub date: String,
    pub place: String,
    pub agenda: Vec<String>,
    pub minutes: String,
    /// Members present or represented by a deputy, of all members recorded.
    pub present: i64,
    pub members: i64,
    pub decisions: i64,
    pub version: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Attendance {
    pub org_id: i64,
    pub org_name: String,
    /// present, deputy, absent
    pub status: String,
    pub status_label: String,
    pub attendee: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Decision {
    pub id: i64,
    pub seq: i64,
    pub text: String,
    /// The task it became, with its current status.
    pub task_id: Option<i64>,
    pub task_title: Option<String>,
    pub task_status: Option<String>,
    pub task_status_label: Option<String>,
    pub task_owner: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceInput {
    pub org_id: i64,
    /// present, deputy, absent
    pub status: String,
    #[serde(default)]
    pub attendee: Option<String>,
}

/// A meeting of a body. Members without an attendance entry are recorded absent.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingInput {
    pub body_id: i64,
    pub title: String,
    /// YYYY-MM-DD
    pub date: String,
    pub place: String,
    pub agenda: Vec<String>,
    #[serde(default)]
    pub minutes: String,
    #[serde(default)]
    pub attendance: Vec<AttendanceInput>,
    #[serde(default)]
    pub decisions: Vec<String>,
}

/// Turns a decision into a task: the owner unit and the deadline; the title and target
/// default to the decision's text and the year to the meeting's.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionTaskInput {
    pub owner: String,
    /// YYYY-MM-DD, today or later.
    pub deadline: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub target_text: Option<String>,
    #[serde(default)]
    pub year: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct MeetingFilter {
    pub body_id: Option<i64>,
    pub level: Option<String>,
    pub region: Option<String>,
    pub year: Option<i64>,
    pub page: i64,
    pub per_page: i64,
}

const MEETING_SELECT: &str = "SELECT m.id, m.body_id, b.name AS body_name, b.level, b.region_code, r.name AS region_name, m.title, m.meeting_date, m.place, \
    m.agenda, m.minutes, m.version, m.created_at, \
    (SELECT COUNT(*) FROM meeting_attendance a WHERE a.meeting_id = m.id AND a.status IN ('present', 'deputy')) AS present, \
    (SELECT COUNT(*) FROM meeting_attendance a WHERE a.meeting_id = m.id) AS members, \
    (SELECT COUNT(*) FROM meeting_decisions d WHERE d.meeting_id = m.id) AS decisions \
    FROM meetings m JOIN meeting_bodies b ON b.id = m.body_id JOIN regions r ON r.code = b.region_code";

fn meeting_row(r: &sqlx::any::AnyRow, en: bool) -> Result<Meeting> {
    let level: String = r.try_get("level")?;
    let agenda: String = r.try_get("agenda")?;
    Ok(Meeting {
        id: r.try_get("id")?,
        body_id: r.try_get("body_id")?,
        body_name: r.try_get("body_name")?,
        level_label: level_label(&level, en).to_string(),
        level,
        region_code: r.try_get("region_code")?,
        region_name: r.try_get("region_name")?,
        title: r.try_get("title")?,
        date: r.try_get("meeting_date")?,
        place: r.try_get("place")?,
        agenda: serde_json::from_str(&agenda).unwrap_or_default(),
        minutes: r.try_get("minutes")?,
        present: r.try_get("present")?,
        members: r.try_get("members")?,
        decisions: r.try_get("decisions")?,
        version: r.try_get("version")?,
        created_at: r.try_get("created_at")?,
    })
}

fn body_level(region_level: &str) -> &'static str {
    match region_level {
        "city" | "province" => "city",
        "district" | "zone" => "district",
        _ => "town",
    }
}

impl Service {
    async fn body_members(&self, conn: &mut AnyConnection, body_id: i64) -> Result<Vec<Member>> {
        sqlx::query(
            "SELECT o.id, o.name FROM meeting_members mm JOIN orgs o ON o.id = mm.org_id WHERE mm.body_id = $1 ORDER BY o.id",
        )
        .bind(body_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(Member {
                org_id: r.try_get(0)?,
                org_name: r.try_get(1)?,
            })
        })
        .collect()
    }

    /// Bodies whose region the actor can see (`write`: may hold meetings in).
    async fn bodies_in(
        &self,
        conn: &mut AnyConnection,
        scope: &Scope,
        id: Option<i64>,
        en: bool,
    ) -> Result<Vec<Body>> {
        let resolved = scope.resolve(&mut *conn).await?;
        let mut sql = Sql::new(
            "SELECT b.id, b.region_code, r.name, b.level, b.name, b.version FROM meeting_bodies b JOIN regions r ON r.code = b.region_code WHERE 1 = 1",
        );
        resolved.region_filter(&mut sql, "r");
        if let Some(id) = id {
            sql.push(" AND b.id = ").bind_int(id);
        }
        sql.push(" ORDER BY b.level, b.region_code");
        let rows = sql.query().fetch_all(&mut *conn).await?;
        let mut out = Vec::new();
        for r in rows {
            let id: i64 = r.try_get(0)?;
            let level: String = r.try_get(3)?;
            out.push(Body {
                id,
                region_code: r.try_get(1)?,
                region_name: r.try_get(2)?,
                level_label: level_label(&level, en).to_string(),
                level,
                name: r.try_get(4)?,
                version: r.try_get(5)?,
                members: self.body_members(&mut *conn, id).await?,
            });
        }
        Ok(out)
    }

    /// The joint-meeting bodies the actor can see, city first.
    pub async fn list_bodies(&self, actor: &Actor, en: bool) -> Result<Vec<Body>> {
        if !actor.role.may_read_orgs() {
            return Err(StoreError::Forbidden);
        }
        let mut conn = self.db.pool.acquire().await?;
        self.bodies_in(&mut conn, &actor.read_scope(), None, en)
            .await
    }

    /// The bodies the actor may hold meetings of (region staff of the body's region or above).
    pub async fn writable_bodies(&self, actor: &Actor, en: bool) -> Result<Vec<Body>> {
        if !actor.role.is_region_staff() {
            return Ok(Vec::new());
        }
        let mut conn = self.db.pool.acquire().await?;
        self.bodies_in(&mut conn, &actor.write_scope(), None, en)
            .await
    }

    async fn check_members(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        keys: &[String],
    ) -> Result<Vec<i64>> {
        let mut ids = Vec::new();
        let mut errs = Vec::new();
        for k in keys.iter().map(|k| k.trim()).filter(|k| !k.is_empty()) {
            match orgs::find(&mut *conn, &actor.read_scope(), k).await? {
                Some(o) if !ids.contains(&o.id) => ids.push(o.id),
                Some(_) => {}
                None => errs.push(FieldError::new(
                    "members",
                    Rule::UnknownValue,
                    format!("成员单位“{k}”不存在或不在您的管辖范围内"),
                    format!("member unit '{k}' does not exist or is outside your area"),
                )),
            }
        }
        if ids.is_empty() && errs.is_empty() {
            errs.push(FieldError::required("members", "成员单位", "Member units"));
        }
        if errs.is_empty() {
            Ok(ids)
        } else {
            Err(StoreError::Invalid(errs))
        }
    }

    /// Sets up the joint-meeting body of a region (region staff of it or above).
    pub async fn create_body(&self, actor: &Actor, i: &BodyInput) -> Result<Body> {
        if !actor.role.is_region_staff() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.db.begin().await?;
        let Some((rlevel, rname)) = region_in(tx.conn(), actor, i.region.trim()).await? else {
            return Err(StoreError::invalid(FieldError::new(
                "region",
                Rule::BadRegion,
                format!("区域“{}”不存在或不在您的管辖范围内", i.region.trim()),
                format!(
                    "region '{}' does not exist or is outside your area",
                    i.region.trim()
                ),
            )));
        };
        let name = gongjiang_domain::error::text("name", ("名称", "Name"), &i.name, false, 200)
            .map_err(StoreError::invalid)?
            .unwrap_or_else(|| format!("{rname}产业工人队伍建设改革联席会议"));
        let members = self.check_members(tx.conn(), actor, &i.members).await?;
        let exists: i64 = sqlx::query("SELECT COUNT(*) FROM meeting_bodies WHERE region_code = $1")
            .bind(i.region.trim())
            .fetch_one(tx.conn())
            .await?
            .try_get(0)?;
        if exists > 0 {
            return Err(StoreError::conflict(
                Code::BodyExists,
                Some("region"),
                format!("{rname}已设有联席会议"),
                format!("{rname} already has a joint-meeting body"),
            ));
        }
        let now = now_ms();
        let id: i64 = sqlx::query(
            "INSERT INTO meeting_bodies (region_code, level, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
        )
        .bind(i.region.trim())
        .bind(body_level(&rlevel))
        .bind(&name)
        .bind(now)
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
        for m in &members {
            sqlx::query("INSERT INTO meeting_members (body_id, org_id) VALUES ($1, $2)")
                .bind(id)
                .bind(m)
                .execute(tx.conn())
                .await?;
        }
        audit::append(
            tx.conn(),
            actor,
            audit::action::CREATE,
            "meeting_body",
            &id.to_string(),
            &format!("{name}（{} 个成员单位）", members.len()),
            None,
            None,
            now,
        )
        .await?;
        let b = self
            .bodies_in(tx.conn(), &Scope::All, Some(id), false)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(b)
    }

    /// Replaces the member units of a body.
    pub async fn set_body_members(
        &self,
        actor: &Actor,
        id: i64,
        members: &[String],
    ) -> Result<Body> {
        if !actor.role.is_region_staff() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.db.begin().await?;
        if self
            .bodies_in(tx.conn(), &actor.write_scope(), Some(id), false)
            .await?
            .is_empty()
        {
            return Err(StoreError::NotFound);
        }
        let ids = self.check_members(tx.conn(), actor, members).await?;
        sqlx::query("DELETE FROM meeting_members WHERE body_id = $1")
            .bind(id)
            .execute(tx.conn())
            .await?;
        for m in &ids {
            sqlx::query("INSERT INTO meeting_members (body_id, org_id) VALUES ($1, $2)")
                .bind(id)
                .bind(m)
                .execute(tx.conn())
                .await?;
        }
        let now = now_ms();
        sqlx::query(
            "UPDATE meeting_bodies SET version = version + 1, updated_at = $1 WHERE id = $2",
        )
        .bind(now)
        .bind(id)
        .execute(tx.conn())
        .await?;
        audit::append(
            tx.conn(),
            actor,
            audit::action::UPDATE,
            "meeting_body",
            &id.to_string(),
            &format!("成员单位调整为 {} 个", ids.len()),
            None,
            None,
            now,
        )
        .await?;
        let b = self
            .bodies_in(tx.conn(), &Scope::All, Some(id), false)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(b)
    }

    /// Records a meeting with its attendance and decisions (region staff over the body).
    pub async fn create_meeting(&self, actor: &Actor, i: &MeetingInput) -> Result<Meeting> {
        if !actor.role.is_region_staff() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.db.begin().await?;
        let body = self
            .bodies_in(tx.conn(), &actor.write_scope(), Some(i.body_id), false)
            .await?
            .pop();
        let mut errs = Vec::new();
        let f = check_meeting(&MeetingDraft {
            title: i.title.clone(),
            date: i.date.clone(),
            place: i.place.clone(),
            agenda: i.agenda.clone(),
            minutes: i.minutes.clone(),
            decisions: i.decisions.clone(),
        })
        .map_err(|e| errs.extend(e))
        .ok();
        let Some(body) = body else {
            errs.insert(
                0,
                FieldError::new(
                    "body_id",
                    Rule::UnknownValue,
                    "联席会议不存在或不在您的管辖范围内",
                    "the joint-meeting body does not exist or is outside your area",
                ),
            );
            return Err(StoreError::Invalid(errs));
        };
        let mut att: Vec<(i64, &'static str, Option<String>)> = Vec::new();
        for a in &i.attendance {
            if !body.members.iter().any(|m| m.org_id == a.org_id) {
                errs.push(FieldError::new(
                    "attendance",
                    Rule::UnknownValue,
                    format!("单位 {} 不是该联席会议的成员单位", a.org_id),
                    format!("organisation {} is not a member of this body", a.org_id),
                ));
                continue;
            }
            match check_attendance("attendance", &a.status) {
                Ok(s) => att.push((
                    a.org_id,
                    s,
                    a.attendee
                        .as_deref()
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| s.chars().take(100).collect()),
                )),
                Err(e) => errs.push(e),
            }
        }
        let (Some(f), true) = (f, errs.is_empty()) else {
            return Err(StoreError::Invalid(errs));
        };
        let now = now_ms();
        let agenda =
            serde_json::to_string(&f.agenda).map_err(|e| StoreError::Other(e.to_string()))?;
        let id: i64 = sqlx::query(
            "INSERT INTO meetings (body_id, title, meeting_date, place, agenda, minutes, created_by, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8) RETURNING id",
        )
        .bind(body.id)
        .bind(&f.title)
        .bind(&f.date)
        .bind(&f.place)
        .bind(&agenda)
        .bind(&f.minutes)
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
        for m in &body.members {
            let (status, who) = att
                .iter()
                .find(|(o, _, _)| *o == m.org_id)
                .map(|(_, s, w)| (*s, w.clone()))
                .unwrap_or(("absent", None));
            sqlx::query(
                "INSERT INTO meeting_attendance (meeting_id, org_id, status, attendee) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(m.org_id)
            .bind(status)
            .bind(who)
            .execute(tx.conn())
            .await?;
        }
        for (k, d) in f.decisions.iter().enumerate() {
            sqlx::query(
                "INSERT INTO meeting_decisions (meeting_id, seq, text) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(k as i64 + 1)
            .bind(d)
            .execute(tx.conn())
            .await?;
        }
        audit::append(
            tx.conn(),
            actor,
            audit::action::CREATE,
            "meeting",
            &id.to_string(),
            &format!("{} {}", f.date, f.title),
            None,
            None,
            now,
        )
        .await?;
        let m = self
            .meeting_in(tx.conn(), &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(m)
    }

    async fn meeting_in(
        &self,
        conn: &mut AnyConnection,
        scope: &Scope,
        id: i64,
        en: bool,
    ) -> Result<Option<Meeting>> {
        let resolved = scope.resolve(&mut *conn).await?;
        let mut sql = Sql::new(&format!("{MEETING_SELECT} WHERE m.id = "));
        sql.bind_int(id);
        resolved.region_filter(&mut sql, "r");
        sql.query()
            .fetch_optional(conn)
            .await?
            .as_ref()
            .map(|r| meeting_row(r, en))
            .transpose()
    }

    /// Meetings the actor can see, newest first, filtered by level, region (the body's
    /// region or one below it) and year.
    pub async fn list_meetings(
        &self,
        actor: &Actor,
        f: &MeetingFilter,
        en: bool,
    ) -> Result<Page<Meeting>> {
        if !actor.role.may_read_orgs() {
            return Err(StoreError::Forbidden);
        }
        let mut conn = self.db.pool.acquire().await?;
        let mut w = Sql::new(" WHERE 1 = 1");
        actor
            .read_scope()
            .resolve(&mut conn)
            .await?
            .region_filter(&mut w, "r");
        if let Some(rc) = &f.region {
            Resolved::region(&mut conn, rc)
                .await?
                .region_filter(&mut w, "r");
        }
        if let Some(l) = &f.level {
            w.push(" AND b.level = ").bind_text(l.clone());
        }
        if let Some(b) = f.body_id {
            w.push(" AND m.body_id = ").bind_int(b);
        }
        if let Some(y) = f.year {
            w.push(" AND m.meeting_date LIKE ")
                .bind_text(format!("{y}-%"));
        }
        let per_page = f.per_page.clamp(1, 200);
        let page = f.page.max(1);
        let mut count = Sql::new(&format!(
            "SELECT COUNT(*) FROM meetings m JOIN meeting_bodies b ON b.id = m.body_id JOIN regions r ON r.code = b.region_code{}",
            w.text()
        ));
        count.set_args(w.args().to_vec());
        let total: i64 = count.query().fetch_one(&mut *conn).await?.try_get(0)?;
        let mut q = Sql::new(&format!(
            "{MEETING_SELECT}{} ORDER BY m.meeting_date DESC, m.id DESC LIMIT ",
            w.text()
        ));
        q.set_args(w.args().to_vec());
        q.bind_int(per_page)
            .push(" OFFSET ")
            .bind_int((page - 1).saturating_mul(per_page));
        let rows = q.query().fetch_all(&mut *conn).await?;
        Ok(Page {
            items: rows
                .iter()
                .map(|r| meeting_row(r, en))
                .collect::<Result<_>>()?,
            total,
            page,
            per_page,
        })
    }

    /// A meeting with its attendance, its decisions and their tasks' status, and whether
    /// the actor may turn decisions into tasks.
    pub async fn get_meeting(
        &self,
        actor: &Actor,
        id: i64,
        en: bool,
    ) -> Result<(Meeting, Vec<Attendance>, Vec<Decision>, bool)> {
        let mut conn = self.db.pool.acquire().await?;
        let m = self
            .meeting_in(&mut conn, &actor.read_scope(), id, en)
            .await?
            .ok_or(StoreError::NotFound)?;
        let attendance = sqlx::query(
            "SELECT a.org_id, o.name, a.status, a.attendee FROM meeting_attendance a JOIN orgs o ON o.id = a.org_id WHERE a.meeting_id = $1 ORDER BY a.org_id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            let status: String = r.try_get(2)?;
            Ok(Attendance {
                org_id: r.try_get(0)?,
                org_name: r.try_get(1)?,
                status_label: attendance_label(&status, en).to_string(),
                status,
                attendee: r.try_get(3)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let today = today();
        let decisions = sqlx::query(
            "SELECT d.id, d.seq, d.text, d.task_id, t.title, t.done_at, t.deadline, t.reports, o.name, t.cancelled_at \
             FROM meeting_decisions d LEFT JOIN tasks t ON t.id = d.task_id LEFT JOIN orgs o ON o.id = t.owner_org_id \
             WHERE d.meeting_id = $1 ORDER BY d.seq",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            let task_id: Option<i64> = r.try_get(3)?;
            let st = match (task_id, r.try_get::<Option<String>, _>(6)?) {
                (Some(_), Some(deadline)) => Some(TaskStatus::of(
                    r.try_get::<Option<i64>, _>(5)?.is_some(),
                    r.try_get::<Option<i64>, _>(9)?.is_some(),
                    &deadline,
                    r.try_get::<Option<i64>, _>(7)?.unwrap_or(0),
                    &today,
                )),
                _ => None,
            };
            Ok(Decision {
                id: r.try_get(0)?,
                seq: r.try_get(1)?,
                text: r.try_get(2)?,
                task_id,
                task_title: r.try_get(4)?,
                task_status: st.map(|s| s.code().to_string()),
                task_status_label: st.map(|s| s.label(en).to_string()),
                task_owner: r.try_get(8)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let may_assign = creator_level(actor.role).is_some()
            && self
                .meeting_in(&mut conn, &actor.write_scope(), id, en)
                .await?
                .is_some();
        Ok((m, attendance, decisions, may_assign))
    }

    /// Turns a meeting decision into a task of the annual list (one action); the task
    /// links back to the meeting.
    pub async fn decision_to_task(
        &self,
        actor: &Actor,
        meeting_id: i64,
        decision_id: i64,
        i: &DecisionTaskInput,
    ) -> Result<Task> {
        self.decision_to_task_on(actor, meeting_id, decision_id, i, &today())
            .await
    }

    /// As [`Service::decision_to_task`], as of `today` (demo data of past years).
    pub async fn decision_to_task_on(
        &self,
        actor: &Actor,
        meeting_id: i64,
        decision_id: i64,
        i: &DecisionTaskInput,
        today: &str,
    ) -> Result<Task> {
        if creator_level(actor.role).is_none() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.db.begin().await?;
        let m = self
            .meeting_in(tx.conn(), &actor.write_scope(), meeting_id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        let row = sqlx::query(
            "SELECT text, task_id FROM meeting_decisions WHERE id = $1 AND meeting_id = $2",
        )
        .bind(decision_id)
        .bind(meeting_id)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
        let text: String = row.try_get(0)?;
        if row.try_get::<Option<i64>, _>(1)?.is_some() {
            return Err(StoreError::conflict(
                Code::DecisionAssigned,
                None,
                "该议定事项已转为任务",
                "this decision has already become a task",
            ));
        }
        let year = i
            .year
            .or_else(|| m.date.get(..4).and_then(|y| y.parse().ok()))
            .unwrap_or(0);
        let title = i
            .title
            .clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| text.chars().take(200).collect());
        let input = TaskInput {
            year,
            title,
            description: format!("来源：{}（{}）议定事项：{}", m.title, m.date, text),
            owner: i.owner.clone(),
            region: Some(m.region_code.clone()),
            deadline: i.deadline.clone(),
            target_text: i
                .target_text
                .clone()
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| text.chars().take(500).collect()),
            target_value: None,
            target_unit: None,
        };
        let t = self
            .insert_task(
                tx.conn(),
                actor,
                &input,
                today,
                Some(Origin {
                    meeting_id,
                    decision_id,
                }),
            )
            .await?;
        let n = sqlx::query(
            "UPDATE meeting_decisions SET task_id = $1 WHERE id = $2 AND task_id IS NULL",
        )
        .bind(t.id)
        .bind(decision_id)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::conflict(
                Code::DecisionAssigned,
                None,
                "该议定事项已转为任务",
                "this decision has already become a task",
            ));
        }
        tx.commit().await?;
        Ok(t)
    }
}

// ----- corrections: editing and cancelling tasks, editing bodies, meetings and decisions -----

/// For optional values that can be cleared: absent = keep, `null` = clear.
fn some_or_null<'de, D, T>(d: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Changes to a task. Fields left out keep their value. `version`: the version the client
/// last saw (another current version answers 409 `stale_version`). A changed deadline
/// must be today or later, as on creation; an unchanged one stays even if it has passed.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskEdit {
    #[serde(default)]
    pub version: Option<i64>,
    #[serde(default)]
    pub year: Option<i64>,
    #[serde(default)]
    pub title: Option<String>,
    /// Empty clears it.
    #[serde(default)]
    pub description: Option<String>,
    /// The owner unit: id or 统一社会信用代码, in the caller's area.
    #[serde(default)]
    pub owner: Option<String>,
    /// The lead region's code, in the caller's area.
    #[serde(default)]
    pub region: Option<String>,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub deadline: Option<String>,
    #[serde(default)]
    pub target_text: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<i64>)]
    pub target_value: Option<Option<i64>>,
    /// Empty clears it.
    #[serde(default)]
    pub target_unit: Option<String>,
}

/// Cancels (撤销) a task.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelInput {
    /// 撤销理由 (required).
    pub reason: String,
    /// The version the client last saw.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Changes to a joint-meeting body: its name and member units (ids or 统一社会信用代码).
/// Left out = unchanged.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BodyEdit {
    #[serde(default)]
    pub version: Option<i64>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub members: Option<Vec<String>>,
}

/// Changes to a meeting. Left out = unchanged; `attendance` sets the listed member units
/// only; `add_decisions` are appended after the existing decisions.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingEdit {
    /// The version the client last saw (another answers 409 `stale_version`).
    #[serde(default)]
    pub version: Option<i64>,
    #[serde(default)]
    pub title: Option<String>,
    /// YYYY-MM-DD
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub place: Option<String>,
    #[serde(default)]
    pub agenda: Option<Vec<String>>,
    #[serde(default)]
    pub minutes: Option<String>,
    #[serde(default)]
    pub attendance: Option<Vec<AttendanceInput>>,
    #[serde(default)]
    pub add_decisions: Vec<String>,
}

/// Corrects the text of a decision that has not become a task.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionEdit {
    pub text: String,
    /// The meeting's version the client last saw.
    #[serde(default)]
    pub version: Option<i64>,
}

fn task_json(t: &Task) -> serde_json::Value {
    serde_json::json!({
        "year": t.year, "title": t.title, "description": t.description,
        "owner_org_id": t.owner_org_id, "owner_name": t.owner_name, "region_code": t.region_code,
        "deadline": t.deadline, "target_text": t.target_text, "target_value": t.target_value,
        "target_unit": t.target_unit,
    })
}

fn meeting_changed() -> StoreError {
    StoreError::conflict(
        Code::StaleVersion,
        None,
        "该会议记录刚刚已被他人修改，请刷新后再编辑",
        "someone else changed this meeting a moment ago; reload and edit again",
    )
}

fn body_changed() -> StoreError {
    StoreError::conflict(
        Code::StaleVersion,
        None,
        "该联席会议刚刚已被他人修改，请刷新后再编辑",
        "someone else changed this body a moment ago; reload and edit again",
    )
}

fn decision_assigned() -> StoreError {
    StoreError::conflict(
        Code::DecisionAssigned,
        Some("text"),
        "该议定事项已转为任务，不能再修改文字；如需调整请修改对应任务",
        "this decision has already become a task; correct the task instead",
    )
}

impl Service {
    /// The task as `actor` may correct or cancel it: the creator's level or above, with
    /// the owner unit and the lead region in their area (those who may set such a task),
    /// and the task still open (neither done nor cancelled).
    async fn correctable(&self, conn: &mut AnyConnection, actor: &Actor, id: i64) -> Result<Task> {
        if creator_level(actor.role).is_none() {
            return Err(StoreError::Forbidden);
        }
        let t = self
            .task_in(&mut *conn, &actor.read_scope(), id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        let writable = self
            .task_in(&mut *conn, &actor.write_scope(), id, false)
            .await?
            .is_some()
            && region_in(&mut *conn, actor, &t.region_code)
                .await?
                .is_some();
        if !writable || !may_close(actor.role, &t.creator_level) {
            let lv = level_label(&t.creator_level, false);
            return Err(StoreError::denied(
                Code::TaskNotEditable,
                format!(
                    "该任务由{lv}设立，只有{lv}或更高层级、且管辖其牵头区域“{}”和责任单位的产改办可以修改或撤销",
                    t.region_name
                ),
                format!(
                    "the task was set at {} level; only that level or above, over its lead region '{}' and owner unit, may edit or cancel it",
                    level_label(&t.creator_level, true),
                    t.region_name
                ),
            ));
        }
        if t.done_at.is_some() {
            return Err(StoreError::conflict(
                Code::TaskDone,
                None,
                "该任务已确认完成，不能再修改或撤销",
                "the task is done; it can no longer be edited or cancelled",
            ));
        }
        if t.cancelled_at.is_some() {
            return Err(cancelled_already());
        }
        Ok(t)
    }

    /// Corrects a task (see [`TaskEdit`]); audit-logged with before and after. Moving
    /// it to another owner unit or year moves its indicator facts in the same
    /// transaction; the owner units concerned are notified.
    pub async fn update_task(&self, actor: &Actor, id: i64, i: &TaskEdit) -> Result<Task> {
        self.update_task_on(actor, id, i, &today()).await
    }

    /// As [`Service::update_task`], as of `today`.
    pub async fn update_task_on(
        &self,
        actor: &Actor,
        id: i64,
        i: &TaskEdit,
        today: &str,
    ) -> Result<Task> {
        let mut tx = self.db.begin().await?;
        let t = self.correctable(tx.conn(), actor, id).await?;
        if i.version.is_some_and(|v| v != t.version) {
            return Err(changed_elsewhere());
        }
        let deadline = i.deadline.clone().unwrap_or_else(|| t.deadline.clone());
        // An unchanged deadline may have passed (an overdue task can still have its wording
        // corrected); a new one must be today or later.
        let floor = if deadline.trim() == t.deadline {
            ""
        } else {
            today
        };
        let fields = check_task(
            &TaskDraft {
                year: i.year.unwrap_or(t.year),
                title: i.title.clone().unwrap_or_else(|| t.title.clone()),
                description: i
                    .description
                    .clone()
                    .unwrap_or_else(|| t.description.clone()),
                deadline,
                target_text: i
                    .target_text
                    .clone()
                    .unwrap_or_else(|| t.target_text.clone()),
                target_value: i.target_value.unwrap_or(t.target_value),
                target_unit: i
                    .target_unit
                    .clone()
                    .unwrap_or_else(|| t.target_unit.clone().unwrap_or_default()),
            },
            floor,
        );
        let mut errs = match &fields {
            Ok(_) => Vec::new(),
            Err(e) => e.clone(),
        };
        let owner = match i.owner.as_deref().map(str::trim) {
            None => Some((t.owner_org_id, t.owner_name.clone())),
            Some(k) if k == t.owner_org_id.to_string() => {
                Some((t.owner_org_id, t.owner_name.clone()))
            }
            Some("") => {
                errs.push(FieldError::required("owner", "责任单位", "Owner unit"));
                None
            }
            Some(k) => match orgs::find(tx.conn(), &actor.write_scope(), k).await? {
                Some(o) => Some((o.id, o.name)),
                None => {
                    errs.push(FieldError::new(
                        "owner",
                        Rule::UnknownValue,
                        format!("责任单位“{k}”不存在或不在您的管辖范围内"),
                        format!("the owner unit '{k}' does not exist or is outside your area"),
                    ));
                    None
                }
            },
        };
        let region = match i.region.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => t.region_code.clone(),
            Some(r) => {
                if region_in(tx.conn(), actor, r).await?.is_none() {
                    errs.push(FieldError::new(
                        "region",
                        Rule::BadRegion,
                        format!("牵头区域“{r}”不存在或不在您的管辖范围内"),
                        format!("the lead region '{r}' does not exist or is outside your area"),
                    ));
                }
                r.to_string()
            }
        };
        let (Ok(f), Some((owner_id, owner_name)), true) = (fields, owner, errs.is_empty()) else {
            return Err(StoreError::Invalid(errs));
        };
        let unchanged = f.year == t.year
            && f.title == t.title
            && f.description == t.description
            && f.deadline == t.deadline
            && f.target_text == t.target_text
            && f.target_value == t.target_value
            && f.target_unit == t.target_unit
            && owner_id == t.owner_org_id
            && region == t.region_code;
        if unchanged {
            return Ok(t);
        }
        let now = now_ms();
        let snap_old = indicators::snapshot(tx.conn(), t.owner_org_id).await?;
        let snap_new = if owner_id != t.owner_org_id {
            Some(indicators::snapshot(tx.conn(), owner_id).await?)
        } else {
            None
        };
        let n = sqlx::query(
            "UPDATE tasks SET year = $1, title = $2, description = $3, owner_org_id = $4, region_code = $5, deadline = $6, \
             target_text = $7, target_value = $8, target_unit = $9, version = version + 1, updated_at = $10 \
             WHERE id = $11 AND version = $12 AND done_at IS NULL AND cancelled_at IS NULL",
        )
        .bind(f.year)
        .bind(&f.title)
        .bind(&f.description)
        .bind(owner_id)
        .bind(&region)
        .bind(&f.deadline)
        .bind(&f.target_text)
        .bind(f.target_value)
        .bind(f.target_unit.as_deref())
        .bind(now)
        .bind(id)
        .bind(t.version)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(changed_elsewhere());
        }
        indicators::settle(tx.conn(), snap_old).await?;
        if let Some(s) = snap_new {
            indicators::settle(tx.conn(), s).await?;
        }
        let after = self
            .task_in(tx.conn(), &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        audit::append(
            tx.conn(),
            actor,
            audit::action::UPDATE,
            "task",
            &id.to_string(),
            &format!("修改任务：{}", after.title),
            Some(&task_json(&t)),
            Some(&task_json(&after)),
            now,
        )
        .await?;
        let link = format!("/tasks/{id}");
        if owner_id != t.owner_org_id {
            notify_org(
                tx.conn(),
                owner_id,
                &format!(
                    "任务调整：{} 改由贵单位负责（完成时限 {}）",
                    after.title, after.deadline
                ),
                &link,
                now,
            )
            .await?;
            notify_org(
                tx.conn(),
                t.owner_org_id,
                &format!("任务调整：{} 已改由{}负责", after.title, owner_name),
                &link,
                now,
            )
            .await?;
        } else if after.deadline != t.deadline || after.target_text != t.target_text {
            notify_org(
                tx.conn(),
                owner_id,
                &format!(
                    "任务调整：{}（完成时限 {}，目标：{}）",
                    after.title, after.deadline, after.target_text
                ),
                &link,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    /// Cancels (撤销) an open task with a reason: it leaves the completion rate (the
    /// aggregates are settled in the same transaction), takes no more reports, and the
    /// owner unit is notified.
    pub async fn cancel_task(&self, actor: &Actor, id: i64, i: &CancelInput) -> Result<Task> {
        let mut tx = self.db.begin().await?;
        let t = self.correctable(tx.conn(), actor, id).await?;
        let reason = gongjiang_domain::error::text(
            "reason",
            ("撤销理由", "Reason for cancelling"),
            &i.reason,
            true,
            1000,
        )
        .map_err(StoreError::invalid)?
        .unwrap_or_default();
        if i.version.is_some_and(|v| v != t.version) {
            return Err(changed_elsewhere());
        }
        let now = now_ms();
        let snap = indicators::snapshot(tx.conn(), t.owner_org_id).await?;
        let n = sqlx::query(
            "UPDATE tasks SET cancelled_at = $1, cancelled_by = $2, cancel_reason = $3, version = version + 1, updated_at = $1 \
             WHERE id = $4 AND version = $5 AND done_at IS NULL AND cancelled_at IS NULL",
        )
        .bind(now)
        .bind(&actor.display_name)
        .bind(&reason)
        .bind(id)
        .bind(t.version)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(changed_elsewhere());
        }
        indicators::settle(tx.conn(), snap).await?;
        audit::append(
            tx.conn(),
            actor,
            "task_cancel",
            "task",
            &id.to_string(),
            &format!("撤销任务：{}（{reason}）", t.title),
            Some(&serde_json::json!({"status": t.status})),
            Some(&serde_json::json!({"status": "cancelled", "reason": reason})),
            now,
        )
        .await?;
        notify_org(
            tx.conn(),
            t.owner_org_id,
            &format!("任务已撤销：{}。理由：{reason}", t.title),
            &format!("/tasks/{id}"),
            now,
        )
        .await?;
        let t = self
            .task_in(tx.conn(), &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(t)
    }

    /// One joint-meeting body (404 outside the actor's area) and whether the actor may
    /// edit it and hold its meetings.
    pub async fn get_body(&self, actor: &Actor, id: i64, en: bool) -> Result<(Body, bool)> {
        if !actor.role.may_read_orgs() {
            return Err(StoreError::NotFound);
        }
        let mut conn = self.db.pool.acquire().await?;
        let b = self
            .bodies_in(&mut conn, &actor.read_scope(), Some(id), en)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        let may = actor.role.is_region_staff()
            && !self
                .bodies_in(&mut conn, &actor.write_scope(), Some(id), en)
                .await?
                .is_empty();
        Ok((b, may))
    }

    /// Renames a body and/or replaces its member units (region staff of its region or
    /// above); audit-logged with before and after. Past meetings keep their attendance.
    pub async fn update_body(&self, actor: &Actor, id: i64, i: &BodyEdit) -> Result<Body> {
        if !actor.role.is_region_staff() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.db.begin().await?;
        let before = self
            .bodies_in(tx.conn(), &actor.write_scope(), Some(id), false)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        if i.version.is_some_and(|v| v != before.version) {
            return Err(body_changed());
        }
        let mut errs = Vec::new();
        let name = match &i.name {
            None => Some(before.name.clone()),
            Some(n) => {
                gongjiang_domain::error::text("name", ("联席会议名称", "Name"), n, true, 200)
                    .map_err(|e| errs.push(e))
                    .ok()
                    .flatten()
            }
        };
        let members = match &i.members {
            None => Some(before.members.iter().map(|m| m.org_id).collect::<Vec<_>>()),
            Some(keys) => match self.check_members(tx.conn(), actor, keys).await {
                Ok(ids) => Some(ids),
                Err(StoreError::Invalid(e)) => {
                    errs.extend(e);
                    None
                }
                Err(e) => return Err(e),
            },
        };
        let (Some(name), Some(members), true) = (name, members, errs.is_empty()) else {
            return Err(StoreError::Invalid(errs));
        };
        let old: Vec<i64> = before.members.iter().map(|m| m.org_id).collect();
        let (mut a, mut b) = (old.clone(), members.clone());
        a.sort_unstable();
        b.sort_unstable();
        if name == before.name && a == b {
            return Ok(before);
        }
        let now = now_ms();
        let n = sqlx::query(
            "UPDATE meeting_bodies SET name = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
        )
        .bind(&name)
        .bind(now)
        .bind(id)
        .bind(before.version)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(body_changed());
        }
        if a != b {
            sqlx::query("DELETE FROM meeting_members WHERE body_id = $1")
                .bind(id)
                .execute(tx.conn())
                .await?;
            for m in &members {
                sqlx::query("INSERT INTO meeting_members (body_id, org_id) VALUES ($1, $2)")
                    .bind(id)
                    .bind(m)
                    .execute(tx.conn())
                    .await?;
            }
        }
        let after = self
            .bodies_in(tx.conn(), &Scope::All, Some(id), false)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        let js = |b: &Body| {
            serde_json::json!({
                "name": b.name,
                "members": b.members.iter().map(|m| serde_json::json!({"org_id": m.org_id, "name": m.org_name})).collect::<Vec<_>>(),
            })
        };
        audit::append(
            tx.conn(),
            actor,
            audit::action::UPDATE,
            "meeting_body",
            &id.to_string(),
            &format!("{}（{} 个成员单位）", after.name, after.members.len()),
            Some(&js(&before)),
            Some(&js(&after)),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn attendance_of(
        &self,
        conn: &mut AnyConnection,
        meeting_id: i64,
    ) -> Result<Vec<(i64, String, Option<String>)>> {
        sqlx::query(
            "SELECT org_id, status, attendee FROM meeting_attendance WHERE meeting_id = $1 ORDER BY org_id",
        )
        .bind(meeting_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
    }

    async fn decision_texts(
        &self,
        conn: &mut AnyConnection,
        meeting_id: i64,
    ) -> Result<Vec<String>> {
        sqlx::query("SELECT text FROM meeting_decisions WHERE meeting_id = $1 ORDER BY seq")
            .bind(meeting_id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok(r.try_get(0)?))
            .collect()
    }

    /// Corrects a meeting's record (see [`MeetingEdit`]; region staff over its body);
    /// audit-logged with before and after.
    pub async fn update_meeting(&self, actor: &Actor, id: i64, i: &MeetingEdit) -> Result<Meeting> {
        if !actor.role.is_region_staff() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.db.begin().await?;
        let m = self
            .meeting_in(tx.conn(), &actor.write_scope(), id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        if i.version.is_some_and(|v| v != m.version) {
            return Err(meeting_changed());
        }
        let mut errs = Vec::new();
        let f = check_meeting(&MeetingDraft {
            title: i.title.clone().unwrap_or_else(|| m.title.clone()),
            date: i.date.clone().unwrap_or_else(|| m.date.clone()),
            place: i.place.clone().unwrap_or_else(|| m.place.clone()),
            agenda: i.agenda.clone().unwrap_or_else(|| m.agenda.clone()),
            minutes: i.minutes.clone().unwrap_or_else(|| m.minutes.clone()),
            decisions: i.add_decisions.clone(),
        })
        .map_err(|e| errs.extend(e))
        .ok();
        let before_att = self.attendance_of(tx.conn(), id).await?;
        let members = self.body_members(tx.conn(), m.body_id).await?;
        let mut att: Vec<(i64, &'static str, Option<String>)> = Vec::new();
        for a in i.attendance.iter().flatten() {
            let known = before_att.iter().any(|(o, _, _)| *o == a.org_id)
                || members.iter().any(|x| x.org_id == a.org_id);
            if !known {
                errs.push(FieldError::new(
                    "attendance",
                    Rule::UnknownValue,
                    format!("单位 {} 不是该联席会议的成员单位", a.org_id),
                    format!("organisation {} is not a member of this body", a.org_id),
                ));
                continue;
            }
            match check_attendance("attendance", &a.status) {
                Ok(s) => att.push((
                    a.org_id,
                    s,
                    a.attendee
                        .as_deref()
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| s.chars().take(100).collect()),
                )),
                Err(e) => errs.push(e),
            }
        }
        let (Some(f), true) = (f, errs.is_empty()) else {
            return Err(StoreError::Invalid(errs));
        };
        let att_changed = att.iter().any(|(o, s, w)| {
            !before_att
                .iter()
                .any(|(bo, bs, bw)| bo == o && bs == s && bw == w)
        });
        if f.title == m.title
            && f.date == m.date
            && f.place == m.place
            && f.agenda == m.agenda
            && f.minutes == m.minutes
            && f.decisions.is_empty()
            && !att_changed
        {
            return Ok(m);
        }
        let before_dec = self.decision_texts(tx.conn(), id).await?;
        let now = now_ms();
        let agenda =
            serde_json::to_string(&f.agenda).map_err(|e| StoreError::Other(e.to_string()))?;
        let n = sqlx::query(
            "UPDATE meetings SET title = $1, meeting_date = $2, place = $3, agenda = $4, minutes = $5, version = version + 1, updated_at = $6 \
             WHERE id = $7 AND version = $8",
        )
        .bind(&f.title)
        .bind(&f.date)
        .bind(&f.place)
        .bind(&agenda)
        .bind(&f.minutes)
        .bind(now)
        .bind(id)
        .bind(m.version)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(meeting_changed());
        }
        for (org, status, who) in &att {
            sqlx::query("DELETE FROM meeting_attendance WHERE meeting_id = $1 AND org_id = $2")
                .bind(id)
                .bind(org)
                .execute(tx.conn())
                .await?;
            sqlx::query(
                "INSERT INTO meeting_attendance (meeting_id, org_id, status, attendee) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(org)
            .bind(*status)
            .bind(who.as_deref())
            .execute(tx.conn())
            .await?;
        }
        let next: i64 = sqlx::query(
            "SELECT COALESCE(MAX(seq), 0) FROM meeting_decisions WHERE meeting_id = $1",
        )
        .bind(id)
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
        for (k, d) in f.decisions.iter().enumerate() {
            sqlx::query(
                "INSERT INTO meeting_decisions (meeting_id, seq, text) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(next + k as i64 + 1)
            .bind(d)
            .execute(tx.conn())
            .await?;
        }
        let after_att = self.attendance_of(tx.conn(), id).await?;
        let after_dec = self.decision_texts(tx.conn(), id).await?;
        let js = |title: &str,
                  date: &str,
                  place: &str,
                  agenda: &[String],
                  minutes: &str,
                  att: &[(i64, String, Option<String>)],
                  dec: &[String]| {
            serde_json::json!({
                "title": title, "date": date, "place": place, "agenda": agenda, "minutes": minutes,
                "attendance": att.iter().map(|(o, s, w)| serde_json::json!({"org_id": o, "status": s, "attendee": w})).collect::<Vec<_>>(),
                "decisions": dec,
            })
        };
        audit::append(
            tx.conn(),
            actor,
            audit::action::UPDATE,
            "meeting",
            &id.to_string(),
            &format!("修改会议记录：{} {}", f.date, f.title),
            Some(&js(
                &m.title,
                &m.date,
                &m.place,
                &m.agenda,
                &m.minutes,
                &before_att,
                &before_dec,
            )),
            Some(&js(
                &f.title, &f.date, &f.place, &f.agenda, &f.minutes, &after_att, &after_dec,
            )),
            now,
        )
        .await?;
        let m = self
            .meeting_in(tx.conn(), &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(m)
    }

    /// Corrects the text of a decision before it became a task (409
    /// `decision_assigned` after); audit-logged with before and after.
    pub async fn correct_decision(
        &self,
        actor: &Actor,
        meeting_id: i64,
        decision_id: i64,
        i: &DecisionEdit,
    ) -> Result<Decision> {
        if !actor.role.is_region_staff() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.db.begin().await?;
        let m = self
            .meeting_in(tx.conn(), &actor.write_scope(), meeting_id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        let row = sqlx::query(
            "SELECT seq, text, task_id FROM meeting_decisions WHERE id = $1 AND meeting_id = $2",
        )
        .bind(decision_id)
        .bind(meeting_id)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
        let seq: i64 = row.try_get(0)?;
        let old: String = row.try_get(1)?;
        if row.try_get::<Option<i64>, _>(2)?.is_some() {
            return Err(decision_assigned());
        }
        if i.version.is_some_and(|v| v != m.version) {
            return Err(meeting_changed());
        }
        let text =
            gongjiang_domain::error::text("text", ("议定事项", "Decision"), &i.text, true, 500)
                .map_err(StoreError::invalid)?
                .unwrap_or_default();
        let out = Decision {
            id: decision_id,
            seq,
            text: text.clone(),
            task_id: None,
            task_title: None,
            task_status: None,
            task_status_label: None,
            task_owner: None,
        };
        if text == old {
            return Ok(out);
        }
        let now = now_ms();
        let n =
            sqlx::query("UPDATE meeting_decisions SET text = $1 WHERE id = $2 AND task_id IS NULL")
                .bind(&text)
                .bind(decision_id)
                .execute(tx.conn())
                .await?
                .rows_affected();
        if n != 1 {
            return Err(decision_assigned());
        }
        let n = sqlx::query(
            "UPDATE meetings SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3",
        )
        .bind(now)
        .bind(meeting_id)
        .bind(m.version)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(meeting_changed());
        }
        audit::append(
            tx.conn(),
            actor,
            audit::action::UPDATE,
            "meeting_decision",
            &decision_id.to_string(),
            &format!("{} 议定事项 {seq}:{text}", m.title),
            Some(&serde_json::json!({"meeting_id": meeting_id, "seq": seq, "text": old})),
            Some(&serde_json::json!({"meeting_id": meeting_id, "seq": seq, "text": text})),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }
}
