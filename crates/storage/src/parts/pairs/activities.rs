//! A pair's activities: recording one, and correcting or deleting it (whoever
//! records activities); none dated after the pair ended.

use crate::access::{self, Permission};
use crate::audit;
use crate::error::{Result, StoreError};
use crate::now_ms;
use crate::scope::Actor;
use crate::service::Service;
use gongjiang_domain::contacts as dc;
use gongjiang_domain::error::text;
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Rule};
use serde_json::json;
use sqlx::{AnyConnection, Row};

use super::sql::activities;
use super::types::{Activity, ActivityEdit, ActivityInput, Pair};

/// An activity date after the pair ended is refused (`held_on`).
fn after_end(
    p: &Pair,
    held: chrono::NaiveDate,
) -> std::result::Result<chrono::NaiveDate, FieldError> {
    match p.ended_on.as_deref() {
        Some(e) if held.to_string().as_str() > e => Err(FieldError::new(
            "held_on",
            Rule::Forbidden,
            format!("该结对已于 {e} 结束，活动日期不能晚于结束日期"),
            format!("the pair ended on {e}; an activity cannot be dated after that"),
        )),
        _ => Ok(held),
    }
}

fn activity_changed() -> StoreError {
    StoreError::conflict(
        Code::StaleVersion,
        None,
        "该活动记录刚刚已被他人修改，请刷新后再编辑",
        "someone else changed this activity a moment ago; reload and edit again",
    )
}

fn activity_json(a: &Activity) -> serde_json::Value {
    json!({"pair_id": a.pair_id, "held_on": a.held_on, "title": a.title, "summary": a.summary, "participants": a.participants})
}

impl Service {
    pub(super) async fn may_record(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        p: &Pair,
    ) -> Result<bool> {
        if crate::access::bound_to_own_org(actor) {
            return Ok(actor.org_id.is_some_and(|o| o == p.org_a || o == p.org_b));
        }
        if !access::may(actor, Permission::Coordinate) {
            return Ok(false);
        }
        Ok(self
            .pair_in(&mut *conn, &actor.write_scope(), p.id, false)
            .await?
            .is_some())
    }

    /// Records an activity of a pair.
    pub async fn add_activity(
        &self,
        actor: &Actor,
        pair_id: i64,
        i: &ActivityInput,
    ) -> Result<Activity> {
        let mut w = self.write(actor).await?;
        let p = self
            .pair_in(w.conn(), &actor.read_scope(), pair_id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !self.may_record(w.conn(), actor, &p).await? {
            return Err(StoreError::denied(
                Code::PairNotYours,
                "只有结对双方或其辖区工作人员可以记录活动",
                "only the paired enterprises or staff of their area can record activities",
            ));
        }
        let held = dc::date(
            "held_on",
            ("活动日期", "Date"),
            &i.held_on,
            crate::contacts::today(),
        );
        let title = text("title", ("活动名称", "Title"), &i.title, true, 100);
        let summary = dc::long_text(
            "summary",
            ("活动内容", "Summary"),
            i.summary.as_deref().unwrap_or(""),
            false,
        );
        let n = dc::participants(i.participants);
        let held = held.and_then(|h| after_end(&p, h));
        let (held, title, summary, n) = match (held, title, summary, n) {
            (Ok(h), Ok(Some(t)), Ok(s), Ok(n)) => (h, t, s, n),
            (h, t, s, n) => {
                let mut errs = Vec::new();
                errs.extend(h.err());
                errs.extend(t.err());
                errs.extend(s.err());
                errs.extend(n.err());
                return Err(StoreError::Invalid(errs));
            }
        };
        let now = w.now;
        let id: i64 = sqlx::query(
            "INSERT INTO pair_activities (pair_id, held_on, title, summary, participants, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(pair_id)
        .bind(held.to_string())
        .bind(&title)
        .bind(summary.as_deref())
        .bind(n)
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
        w.audit(
            audit::Note::new(audit::action::CREATE, "pair_activity", id)
                .summary(format!("{} 结对 {}:{}", p.org_a_name, p.org_b_name, title))
                .after(
                    &json!({"pair_id": pair_id, "held_on": held.to_string(), "participants": n}),
                ),
        )
        .await?;
        w.commit().await?;
        Ok(Activity {
            id,
            pair_id,
            held_on: held.to_string(),
            title,
            summary,
            participants: n,
            version: 1,
        })
    }

    /// The pair and the activity as `actor` may correct it (who may record activities).
    async fn activity_for_change(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        id: i64,
        version: Option<i64>,
    ) -> Result<(Pair, Activity)> {
        let (p, a) = self.activity_in(&mut *conn, actor, id).await?;
        if !self.may_record(&mut *conn, actor, &p).await? {
            return Err(StoreError::denied(
                Code::PairNotYours,
                "只有结对双方或其辖区工作人员可以修改或删除活动记录",
                "only the paired enterprises or staff of their area can correct or delete activities",
            ));
        }
        if version.is_some_and(|v| v != a.version) {
            return Err(activity_changed());
        }
        Ok((p, a))
    }

    /// An activity and its pair, when the pair is visible to `actor`.
    async fn activity_in(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        id: i64,
    ) -> Result<(Pair, Activity)> {
        if !access::may(actor, Permission::ReadRegisters) {
            return Err(StoreError::NotFound);
        }
        let pair_id: i64 = sqlx::query("SELECT pair_id FROM pair_activities WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?
            .try_get(0)?;
        let p = self
            .pair_in(&mut *conn, &actor.read_scope(), pair_id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        let a = activities(&mut *conn, pair_id)
            .await?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or(StoreError::NotFound)?;
        Ok((p, a))
    }

    /// One activity with its pair (404 outside the caller's area) and whether the caller
    /// may correct or delete it.
    pub async fn get_activity(&self, actor: &Actor, id: i64) -> Result<(Pair, Activity, bool)> {
        let mut conn = self.db.pool.acquire().await?;
        let (p, a) = self.activity_in(&mut conn, actor, id).await?;
        let may = self.may_record(&mut conn, actor, &p).await?;
        Ok((p, a, may))
    }

    /// Corrects an activity; audit-logged with before and after.
    pub async fn update_activity(
        &self,
        actor: &Actor,
        id: i64,
        i: &ActivityEdit,
    ) -> Result<Activity> {
        let mut w = self.write(actor).await?;
        let (p, a) = self
            .activity_for_change(w.conn(), actor, id, i.version)
            .await?;
        let pair_id = p.id;
        let held = dc::date(
            "held_on",
            ("活动日期", "Date"),
            i.held_on.as_deref().unwrap_or(&a.held_on),
            crate::contacts::today(),
        )
        .and_then(|h| after_end(&p, h));
        let title = text(
            "title",
            ("活动名称", "Title"),
            i.title.as_deref().unwrap_or(&a.title),
            true,
            100,
        );
        let summary = dc::long_text(
            "summary",
            ("活动内容", "Summary"),
            i.summary.as_deref().or(a.summary.as_deref()).unwrap_or(""),
            false,
        );
        let n = dc::participants(i.participants.unwrap_or(a.participants));
        let (held, title, summary, n) = match (held, title, summary, n) {
            (Ok(h), Ok(Some(t)), Ok(s), Ok(n)) => (h.to_string(), t, s, n),
            (h, t, s, n) => {
                let mut errs = Vec::new();
                errs.extend(h.err());
                errs.extend(t.err());
                errs.extend(s.err());
                errs.extend(n.err());
                return Err(StoreError::Invalid(errs));
            }
        };
        if held == a.held_on && title == a.title && summary == a.summary && n == a.participants {
            return Ok(a);
        }
        let now = w.now;
        let changed = sqlx::query(
            "UPDATE pair_activities SET held_on = $1, title = $2, summary = $3, participants = $4, version = version + 1, updated_at = $5 \
             WHERE id = $6 AND pair_id = $7 AND version = $8",
        )
        .bind(&held)
        .bind(&title)
        .bind(summary.as_deref())
        .bind(n)
        .bind(now)
        .bind(id)
        .bind(pair_id)
        .bind(a.version)
        .execute(w.conn())
        .await?
        .rows_affected();
        if changed != 1 {
            return Err(activity_changed());
        }
        let after = Activity {
            id,
            pair_id,
            held_on: held,
            title,
            summary,
            participants: n,
            version: a.version + 1,
        };
        w.audit(
            audit::Note::new(audit::action::UPDATE, "pair_activity", id)
                .summary(format!(
                    "{} 结对 {}:{}",
                    p.org_a_name, p.org_b_name, after.title
                ))
                .before(&activity_json(&a))
                .after(&activity_json(&after)),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    /// Deletes an activity recorded by mistake; audit-logged with what it was.
    pub async fn delete_activity(
        &self,
        actor: &Actor,
        id: i64,
        version: Option<i64>,
    ) -> Result<()> {
        let mut w = self.write(actor).await?;
        let (p, a) = self
            .activity_for_change(w.conn(), actor, id, version)
            .await?;
        let pair_id = p.id;
        let n = sqlx::query(
            "DELETE FROM pair_activities WHERE id = $1 AND pair_id = $2 AND version = $3",
        )
        .bind(id)
        .bind(pair_id)
        .bind(a.version)
        .execute(w.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(activity_changed());
        }
        audit::Note::new(audit::action::DELETE, "pair_activity", id)
            .summary(format!(
                "{} 结对 {}:删除活动 {}",
                p.org_a_name, p.org_b_name, a.title
            ))
            .before(&activity_json(&a))
            .write(w.conn(), actor, now_ms())
            .await?;
        w.commit().await?;
        Ok(())
    }
}
