//! Joint meetings (联席会议): bodies and their member units, meetings with attendance,
//! minutes and decisions, and a decision turned into a task.

use crate::access::{self, Permission};
use crate::audit;
use crate::error::{Result, StoreError};
use crate::orgs;
use crate::scope::{Actor, Resolved, Scope};
use crate::service::Service;
use crate::sql::Sql;
use crate::Page;
use gongjiang_domain::tasks::{
    attendance_label, check_attendance, check_meeting, level_label, MeetingDraft, TaskStatus,
};
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Rule};
use sqlx::{AnyConnection, Row};

use super::sql::{body_level, meeting_row, region_in, today, MEETING_SELECT};
use super::task_list::Origin;
use super::types::{
    Attendance, AttendanceInput, Body, BodyInput, Decision, DecisionTaskInput, Meeting,
    MeetingFilter, MeetingInput, Member, Task, TaskInput,
};

impl Service {
    pub(super) async fn body_members(
        &self,
        conn: &mut AnyConnection,
        body_id: i64,
    ) -> Result<Vec<Member>> {
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
    pub(super) async fn bodies_in(
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
        access::check(actor, Permission::ReadRegisters)?;
        let mut conn = self.db.pool.acquire().await?;
        self.bodies_in(&mut conn, &actor.read_scope(), None, en)
            .await
    }

    /// The bodies the actor may hold meetings of (region staff of the body's region or above).
    pub async fn writable_bodies(&self, actor: &Actor, en: bool) -> Result<Vec<Body>> {
        if !access::may(actor, Permission::Coordinate) {
            return Ok(Vec::new());
        }
        let mut conn = self.db.pool.acquire().await?;
        self.bodies_in(&mut conn, &actor.write_scope(), None, en)
            .await
    }

    pub(super) async fn check_members(
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
        access::check(actor, Permission::Coordinate)?;
        let mut w = self.write(actor).await?;
        let Some((rlevel, rname)) = region_in(w.conn(), actor, i.region.trim()).await? else {
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
        let members = self.check_members(w.conn(), actor, &i.members).await?;
        let exists: i64 = sqlx::query("SELECT COUNT(*) FROM meeting_bodies WHERE region_code = $1")
            .bind(i.region.trim())
            .fetch_one(w.conn())
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
        let now = w.now;
        let id: i64 = sqlx::query(
            "INSERT INTO meeting_bodies (region_code, level, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
        )
        .bind(i.region.trim())
        .bind(body_level(&rlevel))
        .bind(&name)
        .bind(now)
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
        for m in &members {
            sqlx::query("INSERT INTO meeting_members (body_id, org_id) VALUES ($1, $2)")
                .bind(id)
                .bind(m)
                .execute(w.conn())
                .await?;
        }
        w.audit(
            audit::Note::new(audit::action::CREATE, "meeting_body", id)
                .summary(format!("{name}（{} 个成员单位）", members.len())),
        )
        .await?;
        let b = self
            .bodies_in(w.conn(), &Scope::All, Some(id), false)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        w.commit().await?;
        Ok(b)
    }

    /// Replaces the member units of a body.
    pub async fn set_body_members(
        &self,
        actor: &Actor,
        id: i64,
        members: &[String],
    ) -> Result<Body> {
        access::check(actor, Permission::Coordinate)?;
        let mut w = self.write(actor).await?;
        if self
            .bodies_in(w.conn(), &actor.write_scope(), Some(id), false)
            .await?
            .is_empty()
        {
            return Err(StoreError::NotFound);
        }
        let ids = self.check_members(w.conn(), actor, members).await?;
        sqlx::query("DELETE FROM meeting_members WHERE body_id = $1")
            .bind(id)
            .execute(w.conn())
            .await?;
        for m in &ids {
            sqlx::query("INSERT INTO meeting_members (body_id, org_id) VALUES ($1, $2)")
                .bind(id)
                .bind(m)
                .execute(w.conn())
                .await?;
        }
        let now = w.now;
        sqlx::query(
            "UPDATE meeting_bodies SET version = version + 1, updated_at = $1 WHERE id = $2",
        )
        .bind(now)
        .bind(id)
        .execute(w.conn())
        .await?;
        w.audit(
            audit::Note::new(audit::action::UPDATE, "meeting_body", id)
                .summary(format!("成员单位调整为 {} 个", ids.len())),
        )
        .await?;
        let b = self
            .bodies_in(w.conn(), &Scope::All, Some(id), false)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        w.commit().await?;
        Ok(b)
    }

    /// Records a meeting with its attendance and decisions (region staff over the body).
    pub async fn create_meeting(&self, actor: &Actor, i: &MeetingInput) -> Result<Meeting> {
        access::check(actor, Permission::Coordinate)?;
        let mut wr = self.write(actor).await?;
        let body = self
            .bodies_in(wr.conn(), &actor.write_scope(), Some(i.body_id), false)
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
        let att = checked_attendance(
            &i.attendance,
            |org| body.members.iter().any(|m| m.org_id == org),
            &mut errs,
        );
        let (Some(f), true) = (f, errs.is_empty()) else {
            return Err(StoreError::Invalid(errs));
        };
        let now = wr.now;
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
        .fetch_one(wr.conn())
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
            .execute(wr.conn())
            .await?;
        }
        for (k, d) in f.decisions.iter().enumerate() {
            sqlx::query(
                "INSERT INTO meeting_decisions (meeting_id, seq, text) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(k as i64 + 1)
            .bind(d)
            .execute(wr.conn())
            .await?;
        }
        wr.audit(
            audit::Note::new(audit::action::CREATE, "meeting", id)
                .summary(format!("{} {}", f.date, f.title)),
        )
        .await?;
        let m = self
            .meeting_in(wr.conn(), &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        wr.commit().await?;
        Ok(m)
    }

    pub(super) async fn meeting_in(
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
        access::check(actor, Permission::ReadRegisters)?;
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
        crate::sql::page_up_to(
            &mut conn,
            (
                "SELECT COUNT(*) FROM meetings m JOIN meeting_bodies b ON b.id = m.body_id JOIN \
                 regions r ON r.code = b.region_code",
                MEETING_SELECT,
            ),
            &w,
            " ORDER BY m.meeting_date DESC, m.id DESC",
            (f.page, f.per_page),
            200,
            |r| meeting_row(r, en),
        )
        .await
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
        let may_assign = access::office_level(actor).is_some()
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
        if access::office_level(actor).is_none() {
            return Err(StoreError::Forbidden);
        }
        let mut w = self.write(actor).await?;
        let m = self
            .meeting_in(w.conn(), &actor.write_scope(), meeting_id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        let row = sqlx::query(
            "SELECT text, task_id FROM meeting_decisions WHERE id = $1 AND meeting_id = $2",
        )
        .bind(decision_id)
        .bind(meeting_id)
        .fetch_optional(w.conn())
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
                w.conn(),
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
        .execute(w.conn())
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
        w.commit().await?;
        Ok(t)
    }
}

/// One attendance row as stored: the unit, its status, who attended.
pub(super) type AttendanceRow = (i64, &'static str, Option<String>);

/// The attendance as typed, checked: each unit one of the body's (`member`), each status
/// a known one, the attendee's name trimmed and cut to 100 characters. What is wrong goes
/// to `errs`, on the field `attendance`.
pub(super) fn checked_attendance<'a>(
    typed: impl IntoIterator<Item = &'a AttendanceInput>,
    member: impl Fn(i64) -> bool,
    errs: &mut Vec<FieldError>,
) -> Vec<AttendanceRow> {
    let mut att = Vec::new();
    for a in typed {
        if !member(a.org_id) {
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
    att
}
