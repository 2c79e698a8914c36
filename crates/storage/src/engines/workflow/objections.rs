//! Objections during 公示: lodging one and answering it.

use crate::access::{self, Permission};
use crate::audit;
use crate::error::{Result, StoreError};
use crate::now_ms;
use crate::scope::Actor;
use crate::service::Service;
use gongjiang_domain::workflow::{check_objection_text, ObjectionOutcome, Status};
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Rule};
use sqlx::{AnyConnection, Row};

use super::sql::{add_event, lock_case};
use super::types::{Case, Objection};

impl Service {
    /// Lodges an objection during the public notice (any signed-in user who can see the
    /// case; the city may record one received by letter or phone, naming who raised it).
    pub async fn lodge_objection(
        &self,
        actor: &Actor,
        id: i64,
        body: &str,
        raised_by: Option<&str>,
    ) -> Result<Objection> {
        let body = check_objection_text("body", body).map_err(|e| StoreError::Invalid(vec![e]))?;
        let raised_by = raised_by.map(str::trim).filter(|s| !s.is_empty());
        if raised_by.is_some() && !access::may(actor, Permission::DecideForCity) {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "raised_by",
                Rule::Forbidden,
                "只有市产改办可以代为登记他人提出的异议",
                "only the city office records objections on someone's behalf",
            )]));
        }
        if raised_by.is_some_and(|r| r.chars().count() > 100) {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "raised_by",
                Rule::TooLong,
                "异议人不能超过100个字",
                "longer than 100 characters",
            )]));
        }
        let mut w = self.write(actor).await?;
        lock_case(w.conn(), id).await?;
        let c = self
            .case_in(w.conn(), &actor.read_scope(), id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        let now = w.now;
        if c.status != Status::Notice.code() || c.due_at.is_some_and(|end| end < now) {
            return Err(StoreError::conflict(
                Code::CaseNotInNotice,
                None,
                "该事项不在公示期，不能提出异议",
                "objections are taken only while the case is on public notice",
            ));
        }
        let oid: i64 = sqlx::query(
            "INSERT INTO wf_objections (case_id, user_id, username, display_name, raised_by, body, outcome, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) RETURNING id",
        )
        .bind(id)
        .bind(actor.user_id)
        .bind(&actor.username)
        .bind(&actor.display_name)
        .bind(raised_by)
        .bind(&body)
        .bind(now)
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
        add_event(
            w.conn(),
            actor,
            id,
            "object",
            &c.status,
            &c.status,
            c.step,
            Some(&format!("异议 #{oid}")),
            None,
            now,
        )
        .await?;
        w.audit(
            audit::Note::new("case_object", "case", id).summary(format!("{} 异议 #{oid}", c.title)),
        )
        .await?;
        let users = self.reviewers_of(w.conn(), &c).await?;
        crate::notify::notify(
            w.conn(),
            &users,
            &format!("公示期间收到异议，请核查处理：{}", c.title),
            &format!("/cases/{id}"),
            now,
        )
        .await?;
        let o = self
            .objections_of(w.conn(), actor, id, false)
            .await?
            .into_iter()
            .find(|o| o.id == oid)
            .ok_or(StoreError::NotFound)?;
        w.commit().await?;
        Ok(o)
    }

    /// The city answers an objection: upheld (the case cannot be approved as it stands)
    /// or dismissed, with a written response. The objector is told.
    pub async fn answer_objection(
        &self,
        actor: &Actor,
        id: i64,
        objection: i64,
        upheld: bool,
        response: &str,
    ) -> Result<Objection> {
        let response =
            check_objection_text("response", response).map_err(|e| StoreError::Invalid(vec![e]))?;
        let mut w = self.write(actor).await?;
        lock_case(w.conn(), id).await?;
        let c = self
            .case_in(w.conn(), &actor.read_scope(), id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        let def = c.def().ok_or(StoreError::NotFound)?;
        if c.status != Status::Notice.code() {
            return Err(StoreError::conflict(
                Code::CaseNotInNotice,
                None,
                "该事项已不在公示期",
                "the case is no longer on public notice",
            ));
        }
        self.check_reviewer(actor, def, &c)?;
        let objector: Option<i64> =
            sqlx::query("SELECT user_id FROM wf_objections WHERE id = $1 AND case_id = $2")
                .bind(objection)
                .bind(id)
                .fetch_optional(w.conn())
                .await?
                .ok_or(StoreError::NotFound)?
                .try_get(0)?;
        let now = w.now;
        let outcome = if upheld {
            ObjectionOutcome::Upheld
        } else {
            ObjectionOutcome::Dismissed
        };
        let n = sqlx::query(
            "UPDATE wf_objections SET outcome = $1, response = $2, answered_by = $3, answered_at = $4 \
             WHERE id = $5 AND outcome = 'open'",
        )
        .bind(outcome.code())
        .bind(&response)
        .bind(&actor.display_name)
        .bind(now)
        .bind(objection)
        .execute(w.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::conflict(
                Code::ObjectionAnswered,
                None,
                "该异议已处理",
                "this objection has been answered already",
            ));
        }
        add_event(
            w.conn(),
            actor,
            id,
            "answer_objection",
            &c.status,
            &c.status,
            c.step,
            Some(&format!(
                "异议 #{objection}：{}。{response}",
                outcome.label(false)
            )),
            None,
            now,
        )
        .await?;
        w.audit(
            audit::Note::new("case_answer_objection", "case", id).summary(format!(
                "{} 异议 #{objection} {}",
                c.title,
                outcome.code()
            )),
        )
        .await?;
        if let Some(u) = objector {
            crate::notify::notify(
                w.conn(),
                &[u],
                &format!(
                    "您对“{}”提出的异议已处理：{}",
                    c.title,
                    outcome.label(false)
                ),
                &format!("/cases/{id}"),
                now,
            )
            .await?;
        }
        let o = self
            .objections_of(w.conn(), actor, id, false)
            .await?
            .into_iter()
            .find(|o| o.id == objection)
            .ok_or(StoreError::NotFound)?;
        w.commit().await?;
        Ok(o)
    }

    /// A case's objections as `actor` may see them: the objector's name for the city
    /// and for the objector only.
    pub(super) async fn objections_of(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        id: i64,
        en: bool,
    ) -> Result<Vec<Objection>> {
        let city = access::may(actor, Permission::DecideForCity);
        let rows = sqlx::query(
            "SELECT id, user_id, display_name, raised_by, body, outcome, response, answered_by, answered_at, created_at \
             FROM wf_objections WHERE case_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                let user: Option<i64> = r.try_get(1)?;
                let mine = user.is_some() && user == actor.user_id;
                let outcome: String = r.try_get(5)?;
                Ok(Objection {
                    id: r.try_get(0)?,
                    by: if city || mine {
                        Some(r.try_get(2)?)
                    } else {
                        None
                    },
                    raised_by: if city { r.try_get(3)? } else { None },
                    body: r.try_get(4)?,
                    outcome_label: ObjectionOutcome::parse(&outcome)
                        .map(|o| o.label(en))
                        .unwrap_or("")
                        .to_string(),
                    outcome,
                    response: r.try_get(6)?,
                    answered_by: r.try_get(7)?,
                    answered_at: r.try_get(8)?,
                    created_at: r.try_get(9)?,
                    mine,
                })
            })
            .collect()
    }

    /// May `actor` lodge an objection on the case now (for the form)?
    pub fn may_object(&self, actor: &Actor, c: &Case) -> bool {
        c.status == Status::Notice.code()
            && actor.user_id.is_some()
            && c.due_at.is_none_or(|end| end >= now_ms())
    }
}
