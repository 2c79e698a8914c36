//! Acting on a case: exactly one of simultaneous reviewers wins, the move itself,
//! the subject kept in step.

use crate::access;
use crate::audit;
use crate::error::{Result, StoreError};
use crate::now_ms;
use crate::scope::{Actor, Scope};
use crate::service::Service;
use gongjiang_domain::workflow::{
    advance, check_notice_decision, items_outcome, Action, ItemStatus, Position, Process, Status,
};
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Rule};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

use super::hooks::hooks_of;
use super::rules::{changed_elsewhere, refusal, returned_reasons};
use super::sql::{add_event, ensure_items, item_rows, lock_case, objection_outcomes};
use super::types::{ActInput, Case};
use super::DAY_MS;

/// Everything a case move needs besides the case itself.
pub(super) struct Move<'a> {
    pub(super) action: Action,
    pub(super) next: Position,
    pub(super) comment: &'a str,
    pub(super) data: BTreeMap<String, String>,
    pub(super) changes: serde_json::Map<String, serde_json::Value>,
    pub(super) now: i64,
}

impl Service {
    /// Acts on a case. Exactly one of several simultaneous actors wins; the others get
    /// `stale_version`. Approval of a pilot application creates the pilot in the same
    /// transaction.
    pub async fn act(&self, actor: &Actor, id: i64, i: &ActInput) -> Result<Case> {
        let mut w = self.write(actor).await?;
        let c = self.act_in(w.conn(), actor, id, i).await?;
        w.commit().await?;
        Ok(c)
    }

    /// [`Service::act`] inside the caller's transaction (modules whose records a case
    /// drives, such as the 六有, submit through it).
    pub(crate) async fn act_in(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        id: i64,
        i: &ActInput,
    ) -> Result<Case> {
        let mut action = Action::parse(i.action.trim()).ok_or_else(|| {
            StoreError::Invalid(vec![FieldError::new(
                "action",
                Rule::UnknownValue,
                format!(
                    "未知的操作“{}”,应为 submit、accept、return、reject、withdraw",
                    i.action
                ),
                format!("unknown action '{}'", i.action),
            )])
        })?;
        let mut comment = i
            .comment
            .as_deref()
            .map(str::trim)
            .unwrap_or("")
            .to_string();
        if comment.chars().count() > 2000 {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "comment",
                Rule::TooLong,
                "意见不能超过2000字",
                "the comment is longer than 2000 characters",
            )]));
        }
        lock_case(conn, id).await?;
        let c = self
            .case_in(conn, &actor.read_scope(), id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        if i.version.is_some_and(|v| v != c.version) {
            return Err(changed_elsewhere());
        }
        let def = c.def().ok_or(StoreError::NotFound)?;
        let at = c.position();
        if action.by_applicant() {
            if !self.is_applicant(actor, &c) {
                return Err(StoreError::Forbidden);
            }
        } else {
            self.check_reviewer(actor, def, &c)?;
        }
        let mut next = advance(def, at, action, &c.path, &comment)
            .map_err(|r| refusal(r, action, &c.status))?;
        let now = now_ms();
        if at.status == Status::Scoring && action == Action::Accept {
            if let Some(scoring) = def.scoring {
                let rows =
                    sqlx::query("SELECT score_x100 FROM wf_scores WHERE case_id = $1 ORDER BY id")
                        .bind(id)
                        .fetch_all(&mut *conn)
                        .await?;
                let scores: Vec<f64> = rows
                    .iter()
                    .filter_map(|r| r.try_get::<Option<i64>, _>(0).ok().flatten())
                    .map(|x| x as f64 / 100.0)
                    .collect();
                gongjiang_domain::workflow::check_scoring_close(&scoring, rows.len(), scores.len())
                    .map_err(|r| refusal(r, action, &c.status))?;
                let agg = gongjiang_domain::assessment::aggregate(&scores, scoring.max as f64);
                sqlx::query("UPDATE wf_cases SET score_x100 = $1 WHERE id = $2")
                    .bind(gongjiang_domain::assessment::cents(agg.value))
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                if comment.is_empty() {
                    comment = format!(
                        "专家评审结束：{} 位专家，{} {:.2} 分",
                        scores.len(),
                        if agg.method == gongjiang_domain::assessment::Method::TrimmedMean {
                            "去掉一个最高分和一个最低分后平均"
                        } else {
                            "平均"
                        },
                        agg.value
                    );
                }
            }
        }
        if at.status == Status::Notice {
            let outcomes = objection_outcomes(conn, id).await?;
            check_notice_decision(action, now, c.due_at, &outcomes)
                .map_err(|r| refusal(r, action, &c.status))?;
        }
        // Checklist items: a submit sends the items not yet accepted to review; a
        // reviewer's accept or return decides every item still waiting, and the items
        // then say where the case goes; a withdrawal takes the waiting items back.
        if !def.items.is_empty() {
            match (action, at.status) {
                (Action::Submit, _) => {
                    ensure_items(conn, def, id).await?;
                    self.check_subject_submit(conn, &c).await?;
                    sqlx::query(
                        "UPDATE wf_items SET status = 'submitted', reason = NULL WHERE case_id = $1 AND status <> 'accepted'",
                    )
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                }
                (Action::Accept | Action::Return, Status::InReview) => {
                    let accept = action == Action::Accept;
                    sqlx::query(
                        "UPDATE wf_items SET status = $1, reason = $2, decided_by = $3, decided_name = $4, decided_at = $5 \
                         WHERE case_id = $6 AND status = 'submitted'",
                    )
                    .bind(if accept { "accepted" } else { "returned" })
                    .bind((!accept).then_some(comment.as_str()))
                    .bind(actor.user_id)
                    .bind(&actor.display_name)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                    let items = item_rows(conn, id).await?;
                    let statuses: Vec<ItemStatus> = items.iter().map(|x| x.1).collect();
                    if let Some(outcome) = items_outcome(&statuses) {
                        if outcome == Action::Return && comment.is_empty() {
                            comment = returned_reasons(def, &items);
                        }
                        action = outcome;
                        next = advance(def, at, action, &c.path, &comment)
                            .map_err(|r| refusal(r, action, &c.status))?;
                    }
                }
                (Action::Withdraw, _) => {
                    sqlx::query(
                        "UPDATE wf_items SET status = 'draft' WHERE case_id = $1 AND status = 'submitted'",
                    )
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                }
                _ => {}
            }
        }
        // Data: a full check on submit; reviewer corrections limited to the step's fields.
        let mut data = c.data.clone();
        let mut changes = serde_json::Map::new();
        if !i.changes.is_empty() {
            let editable: &[&str] = match at.step {
                Some(s) if !action.by_applicant() && s < def.steps.len() => def.steps[s].may_edit,
                _ => &[],
            };
            for (k, v) in &i.changes {
                if !editable.contains(&k.as_str()) {
                    return Err(StoreError::Invalid(vec![FieldError::new(
                        k.clone(),
                        Rule::Forbidden,
                        format!("本环节不能修改“{k}”"),
                        format!("'{k}' cannot be changed at this step"),
                    )]));
                }
                let before = data.insert(k.clone(), v.clone()).unwrap_or_default();
                changes.insert(k.clone(), serde_json::json!([before, v]));
            }
        }
        if action == Action::Submit || !changes.is_empty() {
            data = def
                .check(
                    &data,
                    chrono::Datelike::year(&chrono::Utc::now().date_naive()),
                )
                .map_err(StoreError::Invalid)?;
        }
        // The part's checks on a move that does not yet approve (e.g. an applicant cannot
        // become a pilot twice at the same level: said on submit and at every review).
        if matches!(action, Action::Submit | Action::Accept) && next.status != Status::Approved {
            if let Some(check) = hooks_of(def.code).check_move {
                check(&mut *conn, &c, &data).await?;
            }
        }
        self.transition(
            conn,
            actor,
            &c,
            Move {
                action,
                next,
                comment: &comment,
                data,
                changes,
                now,
            },
        )
        .await
    }

    /// The reviewer rule of [`Service::act`]: the right level for the step, never the
    /// person who submitted the case.
    pub(super) fn check_reviewer(&self, actor: &Actor, def: &Process, c: &Case) -> Result<()> {
        let at = c.position();
        if !access::reviews_case(actor, def, at, &c.path) {
            return Err(StoreError::Denied {
                code: Code::NotYourStep,
                zh: format!(
                    "该事项当前由“{}”办理，您无权操作",
                    def.step_label(at.step, false)
                ),
                en: format!(
                    "this case waits for '{}', not for you",
                    def.step_label(at.step, true)
                ),
            });
        }
        if actor.user_id.is_some() && actor.user_id == c.submitted_by {
            return Err(StoreError::Denied {
                code: Code::OwnSubmission,
                zh: "不能审核自己提交的事项".into(),
                en: "you cannot review a case you submitted".into(),
            });
        }
        Ok(())
    }

    /// Moves a case: the new position with its deadline, what approval does, the history
    /// entry, the audit entry, the notifications and the module record the case drives,
    /// all in the caller's transaction. Fails with `stale_version` if the case moved since
    /// it was read.
    pub(super) async fn transition(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        c: &Case,
        m: Move<'_>,
    ) -> Result<Case> {
        let Move {
            action,
            next,
            comment,
            data,
            changes,
            now,
        } = m;
        let def = c.def().ok_or(StoreError::NotFound)?;
        let id = c.id;
        // The next level reviews every item again.
        if !def.items.is_empty() && action == Action::Accept && next.status == Status::InReview {
            sqlx::query("UPDATE wf_items SET status = 'submitted' WHERE case_id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
        let due = def
            .deadline_at(next)
            .filter(|_| !next.status.is_final() && next.status != Status::Returned)
            .map(|d| now + d * DAY_MS);
        let mut result_ref = c.result_ref.clone();
        if next.status == Status::Approved {
            if let Some(on_approve) = hooks_of(def.code).on_approve {
                if let Some(r) = on_approve(self, &mut *conn, actor, c, &data, now).await? {
                    result_ref = Some(r);
                }
            }
        }
        let json = serde_json::to_string(&data).map_err(|e| StoreError::Other(e.to_string()))?;
        let submitted_by = if action == Action::Submit {
            actor.user_id
        } else {
            c.submitted_by
        };
        let n = sqlx::query(
            "UPDATE wf_cases SET status = $1, step = $2, due_at = $3, data = $4, result_ref = $5, submitted_by = $6, reminded_at = NULL, \
             version = version + 1, updated_at = $7 WHERE id = $8 AND version = $9",
        )
        .bind(next.status.code())
        .bind(next.step.map(|s| s as i64))
        .bind(due)
        .bind(&json)
        .bind(result_ref.as_deref())
        .bind(submitted_by)
        .bind(now)
        .bind(id)
        .bind(c.version)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(changed_elsewhere());
        }
        add_event(
            conn,
            actor,
            id,
            action.code(),
            &c.status,
            next.status.code(),
            c.step,
            Some(comment).filter(|c| !c.is_empty()),
            (!changes.is_empty()).then(|| serde_json::Value::Object(changes).to_string()),
            now,
        )
        .await?;
        audit::Note::new(&format!("case_{}", action.code()), "case", id)
            .summary(format!(
                "{}：{} → {}",
                c.title,
                Status::parse(&c.status).map_or(c.status.as_str(), |s| s.label(false)),
                next.status.label(false)
            ))
            .write(&mut *conn, actor, now)
            .await?;
        let after = self
            .case_in(&mut *conn, &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.notify_for(&mut *conn, actor, &after, action, now)
            .await?;
        self.sync_subject(conn, &after, actor, now).await?;
        Ok(after)
    }

    /// Keeps the record a case drives in step with it (the part's `sync` hook).
    pub(super) async fn sync_subject(
        &self,
        conn: &mut AnyConnection,
        c: &Case,
        actor: &Actor,
        now: i64,
    ) -> Result<()> {
        match (hooks_of(&c.process).sync, c.subject.as_deref()) {
            (Some(sync), Some(subject)) => sync(conn, c, subject, actor, now).await,
            _ => Ok(()),
        }
    }

    /// What the part requires before its case is submitted (e.g. evidence on every
    /// 六有 item that goes to review).
    async fn check_subject_submit(&self, conn: &mut AnyConnection, c: &Case) -> Result<()> {
        match (hooks_of(&c.process).check_submit, c.subject.as_deref()) {
            (Some(check), Some(subject)) => check(conn, c, subject).await,
            _ => Ok(()),
        }
    }
}
