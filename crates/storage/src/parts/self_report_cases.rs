//! The assessment's self-reports on the workflow engine (registered in
//! `crate::parts::registry`): who acts as the applicant, the record's page, and the
//! self-report's status kept in step with its case.
use crate::error::{Result, StoreError};
use crate::parts::assessment::acts_for;
use crate::scope::Actor;
use crate::workflow::Case;
use sqlx::AnyConnection;

/// The applicant of a self-report case: whoever acts for the assessment target (a
/// district's staff, the member or pilot unit's own accounts).
pub(crate) fn acts_for_case(actor: &Actor, c: &Case) -> bool {
    acts_for(
        actor,
        c.data.get("target_kind").map(String::as_str).unwrap_or(""),
        c.data.get("target_key").map(String::as_str).unwrap_or(""),
    )
}

/// The page of a self-report: `/assessment/self/<round>/<target key>` for the subject
/// `self_report:<round>:<target id>:<target key>` (given the key after `self_report:`).
pub(crate) fn self_report_page(rest: &str) -> Option<String> {
    let mut p = rest.split(':');
    let round = p.next()?;
    let key = p.nth(1)?;
    Some(format!("/assessment/self/{round}/{key}"))
}

/// Keeps a target's self-report status in step with its case: in review → submitted
/// (locked), returned or withdrawn → draft (editable again), approved → accepted.
pub(crate) async fn sync_self_report(
    conn: &mut AnyConnection,
    c: &Case,
    subject: &str,
    actor: &Actor,
    now: i64,
) -> Result<()> {
    let target: i64 = subject
        .split(':')
        .nth(2)
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| StoreError::Other(format!("bad self-report subject {subject}")))?;
    let status = match c.status.as_str() {
        "in_review" => "submitted",
        "approved" => "accepted",
        _ => "draft",
    };
    if status == "submitted" {
        sqlx::query(
            "UPDATE asm_targets SET self_status = 'submitted', submitted_at = $1, submitted_by = $2 WHERE id = $3",
        )
        .bind(now)
        .bind(actor.user_id)
        .bind(target)
        .execute(conn)
        .await?;
    } else {
        sqlx::query("UPDATE asm_targets SET self_status = $1 WHERE id = $2")
            .bind(status)
            .bind(target)
            .execute(conn)
            .await?;
    }
    Ok(())
}
