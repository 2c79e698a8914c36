//! Corrections to joint meetings: renaming and re-membering bodies, correcting a
//! meeting's record and a decision's text, audit-logged with before and after.

use crate::access::{self, Permission};
use crate::audit;
use crate::error::{Result, StoreError};
use crate::scope::{Actor, Scope};
use crate::service::Service;
use gongjiang_domain::tasks::{check_meeting, MeetingDraft};
use gongjiang_domain::Code;
use sqlx::{AnyConnection, Row};

use super::types::{Body, BodyEdit, Decision, DecisionEdit, Meeting, MeetingEdit};

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
    /// One joint-meeting body (404 outside the actor's area) and whether the actor may
    /// edit it and hold its meetings.
    pub async fn get_body(&self, actor: &Actor, id: i64, en: bool) -> Result<(Body, bool)> {
        if !access::may(actor, Permission::ReadRegisters) {
            return Err(StoreError::NotFound);
        }
        let mut conn = self.db.pool.acquire().await?;
        let b = self
            .bodies_in(&mut conn, &actor.read_scope(), Some(id), en)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        let may = access::may(actor, Permission::Coordinate)
            && !self
                .bodies_in(&mut conn, &actor.write_scope(), Some(id), en)
                .await?
                .is_empty();
        Ok((b, may))
    }

    /// Renames a body and/or replaces its member units (region staff of its region or
    /// above); audit-logged with before and after. Past meetings keep their attendance.
    pub async fn update_body(&self, actor: &Actor, id: i64, i: &BodyEdit) -> Result<Body> {
        access::check(actor, Permission::Coordinate)?;
        let mut w = self.write(actor).await?;
        let before = self
            .bodies_in(w.conn(), &actor.write_scope(), Some(id), false)
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
            Some(keys) => match self.check_members(w.conn(), actor, keys).await {
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
        let now = w.now;
        let n = sqlx::query(
            "UPDATE meeting_bodies SET name = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
        )
        .bind(&name)
        .bind(now)
        .bind(id)
        .bind(before.version)
        .execute(w.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(body_changed());
        }
        if a != b {
            sqlx::query("DELETE FROM meeting_members WHERE body_id = $1")
                .bind(id)
                .execute(w.conn())
                .await?;
            for m in &members {
                sqlx::query("INSERT INTO meeting_members (body_id, org_id) VALUES ($1, $2)")
                    .bind(id)
                    .bind(m)
                    .execute(w.conn())
                    .await?;
            }
        }
        let after = self
            .bodies_in(w.conn(), &Scope::All, Some(id), false)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        let js = |b: &Body| {
            serde_json::json!({
                "name": b.name,
                "members": b.members.iter().map(|m| serde_json::json!({"org_id": m.org_id, "name": m.org_name})).collect::<Vec<_>>(),
            })
        };
        w.audit(
            audit::Note::new(audit::action::UPDATE, "meeting_body", id)
                .summary(format!(
                    "{}（{} 个成员单位）",
                    after.name,
                    after.members.len()
                ))
                .before(&js(&before))
                .after(&js(&after)),
        )
        .await?;
        w.commit().await?;
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
        access::check(actor, Permission::Coordinate)?;
        let mut wr = self.write(actor).await?;
        let m = self
            .meeting_in(wr.conn(), &actor.write_scope(), id, false)
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
        let before_att = self.attendance_of(wr.conn(), id).await?;
        let members = self.body_members(wr.conn(), m.body_id).await?;
        let att = super::meetings::checked_attendance(
            i.attendance.iter().flatten(),
            |org| {
                before_att.iter().any(|(o, _, _)| *o == org)
                    || members.iter().any(|x| x.org_id == org)
            },
            &mut errs,
        );
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
        let before_dec = self.decision_texts(wr.conn(), id).await?;
        let now = wr.now;
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
        .execute(wr.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(meeting_changed());
        }
        for (org, status, who) in &att {
            sqlx::query("DELETE FROM meeting_attendance WHERE meeting_id = $1 AND org_id = $2")
                .bind(id)
                .bind(org)
                .execute(wr.conn())
                .await?;
            sqlx::query(
                "INSERT INTO meeting_attendance (meeting_id, org_id, status, attendee) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(org)
            .bind(*status)
            .bind(who.as_deref())
            .execute(wr.conn())
            .await?;
        }
        let next: i64 = sqlx::query(
            "SELECT COALESCE(MAX(seq), 0) FROM meeting_decisions WHERE meeting_id = $1",
        )
        .bind(id)
        .fetch_one(wr.conn())
        .await?
        .try_get(0)?;
        for (k, d) in f.decisions.iter().enumerate() {
            sqlx::query(
                "INSERT INTO meeting_decisions (meeting_id, seq, text) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(next + k as i64 + 1)
            .bind(d)
            .execute(wr.conn())
            .await?;
        }
        let after_att = self.attendance_of(wr.conn(), id).await?;
        let after_dec = self.decision_texts(wr.conn(), id).await?;
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
        wr.audit(
            audit::Note::new(audit::action::UPDATE, "meeting", id)
                .summary(format!("修改会议记录：{} {}", f.date, f.title))
                .before(&js(
                    &m.title,
                    &m.date,
                    &m.place,
                    &m.agenda,
                    &m.minutes,
                    &before_att,
                    &before_dec,
                ))
                .after(&js(
                    &f.title, &f.date, &f.place, &f.agenda, &f.minutes, &after_att, &after_dec,
                )),
        )
        .await?;
        let m = self
            .meeting_in(wr.conn(), &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        wr.commit().await?;
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
        access::check(actor, Permission::Coordinate)?;
        let mut w = self.write(actor).await?;
        let m = self
            .meeting_in(w.conn(), &actor.write_scope(), meeting_id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        let row = sqlx::query(
            "SELECT seq, text, task_id FROM meeting_decisions WHERE id = $1 AND meeting_id = $2",
        )
        .bind(decision_id)
        .bind(meeting_id)
        .fetch_optional(w.conn())
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
        let now = w.now;
        let n =
            sqlx::query("UPDATE meeting_decisions SET text = $1 WHERE id = $2 AND task_id IS NULL")
                .bind(&text)
                .bind(decision_id)
                .execute(w.conn())
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
        .execute(w.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(meeting_changed());
        }
        w.audit(
            audit::Note::new(audit::action::UPDATE, "meeting_decision", decision_id)
                .summary(format!("{} 议定事项 {seq}:{text}", m.title))
                .before(&serde_json::json!({"meeting_id": meeting_id, "seq": seq, "text": old}))
                .after(&serde_json::json!({"meeting_id": meeting_id, "seq": seq, "text": text})),
        )
        .await?;
        w.commit().await?;
        Ok(out)
    }
}
