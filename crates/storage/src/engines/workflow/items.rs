//! Checklist cases: deciding one item at a time.

use crate::audit;
use crate::error::{Result, StoreError};
use crate::now_ms;
use crate::scope::{Actor, Scope};
use crate::service::Service;
use gongjiang_domain::workflow::{advance, items_outcome, Action, ItemStatus, Status};
use gongjiang_domain::{FieldError, Rule};
use sqlx::AnyConnection;

use super::act::Move;
use super::hooks::subject_link;
use super::rules::{item_not_waiting, refusal, returned_reasons};
use super::sql::{add_event, item_rows, lock_case};
use super::types::Case;

impl Service {
    /// Accepts one checklist item of a case, or returns it with a reason (the reviewer
    /// of the current step). When no item waits any more, the case moves on by itself:
    /// returned if any item was returned, accepted otherwise. Decisions on the same case
    /// queue up; exactly one of two simultaneous decisions on the same item wins.
    pub async fn decide_item(
        &self,
        actor: &Actor,
        id: i64,
        item: &str,
        accept: bool,
        reason: Option<&str>,
    ) -> Result<Case> {
        let mut w = self.write(actor).await?;
        let c = self
            .decide_item_in(w.conn(), actor, id, item, accept, reason)
            .await?;
        w.commit().await?;
        Ok(c)
    }

    pub(crate) async fn decide_item_in(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        id: i64,
        item: &str,
        accept: bool,
        reason: Option<&str>,
    ) -> Result<Case> {
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if !accept && reason.is_none() {
            return Err(StoreError::Invalid(vec![FieldError::required(
                "reason",
                "退回理由",
                "Reason",
            )]));
        }
        if reason.is_some_and(|r| r.chars().count() > 2000) {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "reason",
                Rule::TooLong,
                "退回理由不能超过2000字",
                "the reason is longer than 2000 characters",
            )]));
        }
        lock_case(conn, id).await?;
        let c = self
            .case_in(conn, &actor.read_scope(), id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        let def = c.def().ok_or(StoreError::NotFound)?;
        let it = def
            .items
            .iter()
            .find(|x| x.code == item)
            .ok_or(StoreError::NotFound)?;
        if c.status != Status::InReview.code() {
            return Err(item_not_waiting(it.name_zh, it.name_en));
        }
        self.check_reviewer(actor, def, &c)?;
        let now = now_ms();
        let n = sqlx::query(
            "UPDATE wf_items SET status = $1, reason = $2, decided_by = $3, decided_name = $4, decided_at = $5 \
             WHERE case_id = $6 AND item = $7 AND status = 'submitted'",
        )
        .bind(if accept { "accepted" } else { "returned" })
        .bind(if accept { None } else { reason })
        .bind(actor.user_id)
        .bind(&actor.display_name)
        .bind(now)
        .bind(id)
        .bind(it.code)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(item_not_waiting(it.name_zh, it.name_en));
        }
        let code = if accept { "item_accept" } else { "item_return" };
        let note = match reason {
            Some(r) => format!("{}：{r}", it.name_zh),
            None => it.name_zh.to_string(),
        };
        add_event(
            conn,
            actor,
            id,
            code,
            &c.status,
            &c.status,
            c.step,
            Some(&note),
            None,
            now,
        )
        .await?;
        audit::Note::new(&format!("case_{code}"), "case", id)
            .summary(format!("{} {note}", c.title))
            .write(&mut *conn, actor, now)
            .await?;
        if !accept {
            let users = crate::notify::unit_contacts(conn, c.org_id).await?;
            crate::notify::notify(
                conn,
                &users,
                &format!(
                    "{}“{}”被退回：{}",
                    def.name_zh,
                    it.name_zh,
                    reason.unwrap_or("")
                ),
                &subject_link(&c),
                now,
            )
            .await?;
        }
        let items = item_rows(conn, id).await?;
        let statuses: Vec<ItemStatus> = items.iter().map(|x| x.1).collect();
        match items_outcome(&statuses) {
            Some(action) => {
                let comment = if action == Action::Return {
                    returned_reasons(def, &items)
                } else {
                    String::new()
                };
                let next = advance(def, c.position(), action, &c.path, &comment)
                    .map_err(|r| refusal(r, action, &c.status))?;
                self.transition(
                    conn,
                    actor,
                    &c,
                    Move {
                        action,
                        next,
                        comment: &comment,
                        data: c.data.clone(),
                        changes: serde_json::Map::new(),
                        now,
                    },
                )
                .await
            }
            None => {
                self.sync_subject(conn, &c, actor, now).await?;
                self.case_in(conn, &Scope::All, id, false)
                    .await?
                    .ok_or(StoreError::NotFound)
            }
        }
    }
}
