//! The SQL shared by the task and meeting use cases: the select lists and row
//! mapping, the status filter, region and notification look-ups, the indicator facts.

use crate::error::Result;
use crate::indicators;
use crate::scope::Actor;
use crate::sql::Sql;
use gongjiang_domain::tasks::{level_label, TaskStatus};
use sqlx::{AnyConnection, Row};

use super::types::{Meeting, Task};

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

pub(super) const SELECT: &str = "SELECT t.id, t.year, t.title, t.description, t.owner_org_id, o.name AS owner_name, t.region_code, rg.name AS region_name, \
    t.deadline, t.target_text, t.target_value, t.target_unit, t.progress, t.achieved, t.reports, t.done_at, t.done_by, t.cancelled_at, t.cancelled_by, t.cancel_reason, t.supervised, \
    t.supervise_note, t.supervised_at, t.supervised_by, t.meeting_id, m.title AS meeting_title, t.creator_level, t.version, t.created_at, t.updated_at \
    FROM tasks t JOIN orgs o ON o.id = t.owner_org_id JOIN regions rg ON rg.code = t.region_code LEFT JOIN meetings m ON m.id = t.meeting_id";

pub(super) fn task_row(r: &sqlx::any::AnyRow, en: bool, today: &str) -> Result<Task> {
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
pub(super) fn status_filter(sql: &mut Sql, status: &str, today: &str) {
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

/// Is `region` (a code) inside the actor's write scope? Returns its level.
pub(super) async fn region_in(
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

pub(super) async fn notify_org(
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

pub(super) const MEETING_SELECT: &str = "SELECT m.id, m.body_id, b.name AS body_name, b.level, b.region_code, r.name AS region_name, m.title, m.meeting_date, m.place, \
    m.agenda, m.minutes, m.version, m.created_at, \
    (SELECT COUNT(*) FROM meeting_attendance a WHERE a.meeting_id = m.id AND a.status IN ('present', 'deputy')) AS present, \
    (SELECT COUNT(*) FROM meeting_attendance a WHERE a.meeting_id = m.id) AS members, \
    (SELECT COUNT(*) FROM meeting_decisions d WHERE d.meeting_id = m.id) AS decisions \
    FROM meetings m JOIN meeting_bodies b ON b.id = m.body_id JOIN regions r ON r.code = b.region_code";

pub(super) fn meeting_row(r: &sqlx::any::AnyRow, en: bool) -> Result<Meeting> {
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

pub(super) fn body_level(region_level: &str) -> &'static str {
    match region_level {
        "city" | "province" => "city",
        "district" | "zone" => "district",
        _ => "town",
    }
}
