//! Task completion (销号) on the workflow engine: the owner unit reports a task as
//! completed, with what was done and its material; the level that set the task (city,
//! district or town) checks it in its inbox and accepts — the task is then done, in the
//! same transaction, with the indicators — or returns it with a reason. The reviewer may
//! still confirm a task directly on its page ([`Service::complete_task`]).
use crate::access::{self, Permission};
use crate::error::{Result, StoreError};
use crate::orgs;
use crate::scope::Actor;
use crate::service::Service;
use crate::workflow::{ActInput, Case};
use gongjiang_domain::workflow::task_completion_process;
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Rule};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

/// What the owner unit writes when it reports a task completed.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompletionInput {
    /// What was done, against the target.
    pub summary: String,
    /// The value achieved, for a measurable target.
    #[serde(default)]
    pub achieved: Option<String>,
}

struct TaskRow {
    title: String,
    owner: i64,
    level: String,
    done: bool,
    cancelled: bool,
}

async fn task_row(conn: &mut AnyConnection, id: i64) -> Result<Option<TaskRow>> {
    let r = sqlx::query(
        "SELECT title, owner_org_id, creator_level, done_at, cancelled_at FROM tasks WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    r.map(|r| {
        Ok(TaskRow {
            title: r.try_get(0)?,
            owner: r.try_get(1)?,
            level: r.try_get(2)?,
            done: r.try_get::<Option<i64>, _>(3)?.is_some(),
            cancelled: r.try_get::<Option<i64>, _>(4)?.is_some(),
        })
    })
    .transpose()
}

impl Service {
    /// The owner unit reports a task completed: opens (or reopens, after a return) the
    /// task's completion case and submits it to the level that set the task.
    pub async fn request_task_completion(
        &self,
        actor: &Actor,
        task: i64,
        input: &CompletionInput,
    ) -> Result<Case> {
        let mut w = self.write(actor).await?;
        let t = task_row(w.conn(), task)
            .await?
            .ok_or(StoreError::NotFound)?;
        // Outside the caller's area the task does not exist.
        orgs::get(w.conn(), &actor.read_scope(), t.owner)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !access::may(actor, Permission::CompleteTask { owner: t.owner }) {
            return Err(StoreError::denied(
                Code::NotTaskOwner,
                "只有责任单位可以申请任务销号",
                "only the owner unit reports a task completed",
            ));
        }
        if t.done || t.cancelled {
            return Err(StoreError::conflict(
                Code::TaskClosed,
                None,
                "该任务已完成或已撤销",
                "the task is done or cancelled",
            ));
        }
        let mut data = BTreeMap::new();
        data.insert("summary".to_string(), input.summary.clone());
        if let Some(a) = input.achieved.as_deref().filter(|a| !a.trim().is_empty()) {
            data.insert("achieved".to_string(), a.to_string());
        }
        let subject = format!("task:{task}");
        let found = sqlx::query(
            "SELECT id, status FROM wf_cases WHERE subject = $1 AND process LIKE 'task_completion_%' AND status NOT IN ('withdrawn', 'rejected') ORDER BY id DESC LIMIT 1",
        )
        .bind(&subject)
        .fetch_optional(w.conn())
        .await?
        .map(|r| Ok::<_, sqlx::Error>((r.try_get::<i64, _>(0)?, r.try_get::<String, _>(1)?)))
        .transpose()?;
        let now = w.now;
        let id = match found {
            Some((id, status)) if matches!(status.as_str(), "draft" | "returned") => {
                self.set_case_data(w.conn(), id, &data).await?;
                id
            }
            Some(_) => {
                return Err(StoreError::conflict(
                    Code::CaseOpen,
                    None,
                    "该任务的销号申请正在审核中",
                    "the task's completion report is already under review",
                ))
            }
            None => {
                // A town task of a unit directly under a district goes to the district.
                let mut process = task_completion_process(&t.level);
                let town: Option<String> =
                    sqlx::query_scalar("SELECT region_l3 FROM orgs WHERE id = $1")
                        .bind(t.owner)
                        .fetch_one(w.conn())
                        .await?;
                if process == "task_completion_town" && town.is_none() {
                    process = "task_completion_district";
                }
                let title = format!("{}（任务销号）", t.title);
                self.open_subject_case(
                    w.conn(),
                    actor,
                    &crate::engines::workflow::SubjectCase {
                        process,
                        org_id: t.owner,
                        title: &title,
                        data: &data,
                        subject: &subject,
                    },
                    now,
                )
                .await?
            }
        };
        let c = self
            .act_in(
                w.conn(),
                actor,
                id,
                &ActInput {
                    action: "submit".into(),
                    comment: None,
                    version: None,
                    changes: Default::default(),
                },
            )
            .await?;
        w.commit().await?;
        Ok(c)
    }

    /// The open completion case of a task, if any (for the task page).
    pub async fn task_completion_case(&self, task: i64) -> Result<Option<(i64, String)>> {
        let mut conn = self.db.pool.acquire().await?;
        Ok(sqlx::query(
            "SELECT id, status FROM wf_cases WHERE subject = $1 AND process LIKE 'task_completion_%' ORDER BY id DESC LIMIT 1",
        )
        .bind(format!("task:{task}"))
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| Ok::<_, sqlx::Error>((r.try_get::<i64, _>(0)?, r.try_get::<String, _>(1)?)))
        .transpose()?)
    }
}

/// Approval marks the task done (progress 100 %, the achieved value if it is a number),
/// with the indicators, in the engine's transaction. Nothing else changes the task.
pub(crate) async fn sync_task_completion(
    conn: &mut AnyConnection,
    c: &Case,
    subject: &str,
    actor: &Actor,
    now: i64,
) -> Result<()> {
    if c.status != "approved" {
        return Ok(());
    }
    let id: i64 = subject
        .strip_prefix("task:")
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| StoreError::Other(format!("bad task subject {subject}")))?;
    let Some(t) = task_row(conn, id).await? else {
        return Err(StoreError::NotFound);
    };
    if t.done {
        return Ok(());
    }
    if t.cancelled {
        return Err(StoreError::Invalid(vec![FieldError::new(
            "task",
            Rule::Forbidden,
            "该任务已撤销，不能销号",
            "the task was cancelled",
        )]));
    }
    let achieved: Option<i64> = c
        .data
        .get("achieved")
        .and_then(|a| a.trim().parse::<f64>().ok())
        .map(|a| a.round() as i64);
    // Done meanwhile (false): nothing more to do.
    crate::tasks::mark_done_in(
        conn,
        actor,
        crate::tasks::Done {
            id,
            owner_org_id: t.owner,
            version: None,
            achieved,
            audit_text: &format!("销号审核通过：{}", t.title),
        },
        now,
    )
    .await?;
    Ok(())
}

/// The page of the task a completion case is about (`task:<id>`, given `<id>`).
pub(crate) fn task_page(id: &str) -> Option<String> {
    Some(format!("/tasks/{id}"))
}
