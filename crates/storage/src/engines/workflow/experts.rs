//! Expert scoring: assigning experts to a case and their scores.

use crate::access::{self, Permission};
use crate::audit;
use crate::error::{Result, StoreError};
use crate::scope::{Actor, Scope};
use crate::service::Service;
use gongjiang_domain::workflow::Status;
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Rule};
use sqlx::Row;

use super::sql::{assigned, case_experts, lock_case};
use super::types::{Case, CaseExpert};

impl Service {
    /// The city assigns an expert (a user with role expert) to score a case in expert
    /// scoring. An expert attached to the applicant (its own organisation, or a staff
    /// account of its district or town) is refused: 403 `conflict_of_interest`.
    pub async fn assign_case_expert(&self, actor: &Actor, id: i64, username: &str) -> Result<Case> {
        let mut w = self.write(actor).await?;
        lock_case(w.conn(), id).await?;
        let c = self
            .case_in(w.conn(), &actor.read_scope(), id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        let def = c.def().ok_or(StoreError::NotFound)?;
        if c.status != Status::Scoring.code() {
            return Err(StoreError::conflict(
                Code::CaseNotInScoring,
                None,
                "该事项不在专家评审阶段",
                "the case is not in expert scoring",
            ));
        }
        self.check_reviewer(actor, def, &c)?;
        let expert = sqlx::query(
            "SELECT id, role, org_id, region_code, display_name FROM users WHERE username = $1 AND disabled = 0",
        )
        .bind(username.trim())
        .fetch_optional(w.conn())
        .await?;
        let Some(expert) =
            expert.filter(|r| r.try_get::<String, _>(1).ok().as_deref() == Some("expert"))
        else {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "expert",
                Rule::UnknownValue,
                format!("“{}”不是在用的专家账号", username.trim()),
                format!("'{}' is not an active expert account", username.trim()),
            )]));
        };
        let uid: i64 = expert.try_get(0)?;
        let org: Option<i64> = expert.try_get(2)?;
        let region: Option<String> = expert.try_get(3)?;
        let name: String = expert.try_get(4)?;
        let related = org == Some(c.org_id)
            || region.as_deref().is_some_and(|r| {
                Some(r) == c.path.district.as_deref() || Some(r) == c.path.town.as_deref()
            });
        let now = w.now;
        if related {
            w.audit(
                audit::Note::new("case_recusal", "case", id)
                    .summary(format!("{}:专家{name}与申报单位有关联，回避", c.title)),
            )
            .await?;
            w.commit().await?;
            return Err(StoreError::denied(
                Code::ConflictOfInterest,
                format!("专家“{name}”与申报单位有关联，应当回避"),
                format!("the expert '{name}' is related to the applicant and must recuse"),
            ));
        }
        let n = sqlx::query(
            "INSERT INTO wf_scores (case_id, user_id, assigned_at) SELECT $1, $2, $3 \
             WHERE NOT EXISTS (SELECT 1 FROM wf_scores WHERE case_id = $1 AND user_id = $2)",
        )
        .bind(id)
        .bind(uid)
        .bind(now)
        .execute(w.conn())
        .await?
        .rows_affected();
        if n == 1 {
            w.audit(
                audit::Note::new("case_assign_expert", "case", id)
                    .summary(format!("{}:指派评审专家{name}", c.title)),
            )
            .await?;
            crate::notify::notify(
                w.conn(),
                &[uid],
                &format!("请对“{}”独立评分", c.title),
                &format!("/cases/{id}"),
                now,
            )
            .await?;
        }
        let c = self
            .case_in(w.conn(), &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.commit().await?;
        Ok(c)
    }

    /// An assigned expert scores a case (0 to the process's maximum) with an optional
    /// comment; the score may be changed until the city closes the scoring. Experts see
    /// only their own score.
    pub async fn score_case(
        &self,
        actor: &Actor,
        id: i64,
        score: f64,
        comment: Option<&str>,
    ) -> Result<CaseExpert> {
        let mut w = self.write(actor).await?;
        lock_case(w.conn(), id).await?;
        if !access::may(actor, Permission::ScoreAsExpert)
            || !assigned(w.conn(), id, actor.user_id).await?
        {
            return Err(StoreError::NotFound);
        }
        let c = self
            .case_in(w.conn(), &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        let def = c.def().ok_or(StoreError::NotFound)?;
        let Some(scoring) = def.scoring.filter(|_| c.status == Status::Scoring.code()) else {
            return Err(StoreError::conflict(
                Code::CaseNotInScoring,
                None,
                "该事项的专家评审已结束",
                "expert scoring of this case has ended",
            ));
        };
        let score = gongjiang_domain::workflow::check_case_score(&scoring, score)
            .map_err(|e| StoreError::Invalid(vec![e]))?;
        let comment = comment.map(str::trim).filter(|c| !c.is_empty());
        if comment.is_some_and(|c| c.chars().count() > 2000) {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "comment",
                Rule::TooLong,
                "评审意见不能超过2000字",
                "the comment is longer than 2000 characters",
            )]));
        }
        let now = w.now;
        sqlx::query(
            "UPDATE wf_scores SET score_x100 = $1, comment = $2, scored_at = $3 WHERE case_id = $4 AND user_id = $5",
        )
        .bind(gongjiang_domain::assessment::cents(score))
        .bind(comment)
        .bind(now)
        .bind(id)
        .bind(actor.user_id)
        .execute(w.conn())
        .await?;
        w.audit(
            audit::Note::new("case_score", "case", id).summary(format!("{}:专家评分", c.title)),
        )
        .await?;
        let mine = case_experts(w.conn(), actor, def, id, false)
            .await?
            .into_iter()
            .next()
            .ok_or(StoreError::NotFound)?;
        w.commit().await?;
        Ok(mine)
    }
}
