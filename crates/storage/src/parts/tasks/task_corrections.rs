//! Corrections to tasks: editing (optimistic locking on `version`) and cancelling
//! (撤销, with a reason), audit-logged with before and after.

use crate::access::{self, Permission};
use crate::audit;
use crate::error::{Result, StoreError};
use crate::indicators;
use crate::orgs;
use crate::scope::{Actor, Scope};
use crate::service::Service;
use gongjiang_domain::tasks::{check_task, level_label, TaskDraft};
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Rule};
use sqlx::AnyConnection;

use super::progress::{cancelled_already, changed_elsewhere};
use super::sql::{notify_org, region_in, today};
use super::types::{CancelInput, Task, TaskEdit};

fn task_json(t: &Task) -> serde_json::Value {
    serde_json::json!({
        "year": t.year, "title": t.title, "description": t.description,
        "owner_org_id": t.owner_org_id, "owner_name": t.owner_name, "region_code": t.region_code,
        "deadline": t.deadline, "target_text": t.target_text, "target_value": t.target_value,
        "target_unit": t.target_unit,
    })
}

impl Service {
    /// The task as `actor` may correct or cancel it: the creator's level or above, with
    /// the owner unit and the lead region in their area (those who may set such a task),
    /// and the task still open (neither done nor cancelled).
    async fn correctable(&self, conn: &mut AnyConnection, actor: &Actor, id: i64) -> Result<Task> {
        if access::office_level(actor).is_none() {
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
        if !writable
            || !access::may(
                actor,
                Permission::CloseTask {
                    level: &t.creator_level,
                },
            )
        {
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
        let mut w = self.write(actor).await?;
        let t = self.correctable(w.conn(), actor, id).await?;
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
            Some(k) => match orgs::find(w.conn(), &actor.write_scope(), k).await? {
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
                if region_in(w.conn(), actor, r).await?.is_none() {
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
        let now = w.now;
        let snap_old = indicators::snapshot(w.conn(), t.owner_org_id).await?;
        let snap_new = if owner_id != t.owner_org_id {
            Some(indicators::snapshot(w.conn(), owner_id).await?)
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
        .execute(w.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(changed_elsewhere());
        }
        indicators::settle(w.conn(), snap_old).await?;
        if let Some(s) = snap_new {
            indicators::settle(w.conn(), s).await?;
        }
        let after = self
            .task_in(w.conn(), &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.audit(
            audit::Note::new(audit::action::UPDATE, "task", id)
                .summary(format!("修改任务：{}", after.title))
                .before(&task_json(&t))
                .after(&task_json(&after)),
        )
        .await?;
        let link = format!("/tasks/{id}");
        if owner_id != t.owner_org_id {
            notify_org(
                w.conn(),
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
                w.conn(),
                t.owner_org_id,
                &format!("任务调整：{} 已改由{}负责", after.title, owner_name),
                &link,
                now,
            )
            .await?;
        } else if after.deadline != t.deadline || after.target_text != t.target_text {
            notify_org(
                w.conn(),
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
        w.commit().await?;
        Ok(after)
    }

    /// Cancels (撤销) an open task with a reason: it leaves the completion rate (the
    /// aggregates are settled in the same transaction), takes no more reports, and the
    /// owner unit is notified.
    pub async fn cancel_task(&self, actor: &Actor, id: i64, i: &CancelInput) -> Result<Task> {
        let mut w = self.write(actor).await?;
        let t = self.correctable(w.conn(), actor, id).await?;
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
        let now = w.now;
        let snap = indicators::snapshot(w.conn(), t.owner_org_id).await?;
        let n = sqlx::query(
            "UPDATE tasks SET cancelled_at = $1, cancelled_by = $2, cancel_reason = $3, version = version + 1, updated_at = $1 \
             WHERE id = $4 AND version = $5 AND done_at IS NULL AND cancelled_at IS NULL",
        )
        .bind(now)
        .bind(&actor.display_name)
        .bind(&reason)
        .bind(id)
        .bind(t.version)
        .execute(w.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(changed_elsewhere());
        }
        indicators::settle(w.conn(), snap).await?;
        w.audit(
            audit::Note::new("task_cancel", "task", id)
                .summary(format!("撤销任务：{}（{reason}）", t.title))
                .before(&serde_json::json!({"status": t.status}))
                .after(&serde_json::json!({"status": "cancelled", "reason": reason})),
        )
        .await?;
        notify_org(
            w.conn(),
            t.owner_org_id,
            &format!("任务已撤销：{}。理由：{reason}", t.title),
            &format!("/tasks/{id}"),
            now,
        )
        .await?;
        let t = self
            .task_in(w.conn(), &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.commit().await?;
        Ok(t)
    }
}
