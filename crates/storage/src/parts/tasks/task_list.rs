//! Setting, listing and reading tasks: creation (also from a meeting decision), the
//! filtered list, one task with what the actor may do, the years and the board.

use crate::access::{self, Permission};
use crate::audit;
use crate::error::{Result, StoreError};
use crate::indicators;
use crate::orgs;
use crate::scope::{Actor, Scope};
use crate::service::Service;
use crate::sql::{like_escape, Sql};
use crate::{now_ms, Page};
use gongjiang_domain::tasks::{check_task, TaskDraft, TaskStatus};
use gongjiang_domain::{FieldError, Rule};
use sqlx::{AnyConnection, Row};

use super::sql::{notify_org, region_in, status_filter, task_row, today, SELECT};
use super::types::{Board, Progress, StatusCount, Task, TaskFilter, TaskInput, UnitRow};

/// Where a task comes from when a meeting decision turns into one.
pub(super) struct Origin {
    pub(super) meeting_id: i64,
    pub(super) decision_id: i64,
}

impl Service {
    pub(super) async fn task_in(
        &self,
        conn: &mut AnyConnection,
        scope: &Scope,
        id: i64,
        en: bool,
    ) -> Result<Option<Task>> {
        let resolved = scope.resolve(&mut *conn).await?;
        let today = today();
        crate::scope::one_in(
            conn,
            &format!("{SELECT} WHERE t.id = "),
            id,
            (&resolved, "o"),
            |r| task_row(r, en, &today),
        )
        .await
    }

    /// Creates a task in the actor's area (city, district or town staff).
    pub async fn create_task(&self, actor: &Actor, i: &TaskInput) -> Result<Task> {
        self.create_task_on(actor, i, &today()).await
    }

    /// As [`Service::create_task`], with "today" given: the demo data and imports of
    /// past years create tasks as of the day they were set.
    pub async fn create_task_on(&self, actor: &Actor, i: &TaskInput, today: &str) -> Result<Task> {
        let mut w = self.write(actor).await?;
        let t = self.insert_task(w.conn(), actor, i, today, None).await?;
        w.commit().await?;
        Ok(t)
    }

    pub(super) async fn insert_task(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        i: &TaskInput,
        today: &str,
        origin: Option<Origin>,
    ) -> Result<Task> {
        let Some(level) = access::office_level(actor) else {
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
        audit::Note::new(audit::action::CREATE, "task", id)
            .summary(&summary)
            .write(&mut *conn, actor, now)
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
        access::check(actor, Permission::ReadRegisters)?;
        let mut conn = self.db.pool.acquire().await?;
        let today = today();
        let mut w = Sql::new(" WHERE 1 = 1");
        actor
            .read_scope()
            .org_filter_in(&mut conn, f.region.as_deref(), &mut w, "o")
            .await?;
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
        crate::sql::page_of(
            &mut conn,
            (
                "SELECT COUNT(*) FROM tasks t JOIN orgs o ON o.id = t.owner_org_id",
                SELECT,
            ),
            &w,
            " ORDER BY CASE WHEN t.done_at IS NULL AND t.cancelled_at IS NULL THEN 0 ELSE 1 \
             END, t.deadline, t.id",
            (f.page, f.per_page),
            |r| task_row(r, en, &today),
        )
        .await
    }

    /// May the actor file progress on the task? The owner unit's own accounts (unit or
    /// department attached to it) and region staff whose area holds the owner.
    pub(super) fn may_report(&self, actor: &Actor, t: &Task) -> bool {
        crate::access::may(
            actor,
            crate::access::Permission::ReportTaskProgress {
                owner: t.owner_org_id,
            },
        )
    }

    /// May the actor mark the task done or flag it for 督办 (creator's level or above)?
    pub(super) fn may_close(&self, actor: &Actor, t: &Task) -> bool {
        access::may(
            actor,
            Permission::CloseTask {
                level: &t.creator_level,
            },
        )
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
}

impl Service {
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
