//! The result's case on the engine: its status and summary follow the case; approval
//! makes it count.
use crate::audit::{action, Note};
use crate::engines::workflow::Case;
use crate::error::Result;
use crate::scope::Actor;
use crate::service::Service;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

/// The result's page, given the subject key after `innovation:`.
pub fn subject_page(key: &str) -> Option<String> {
    Some(format!("/innovations/{}", key.parse::<i64>().ok()?))
}

fn subject_id(subject: &str) -> Option<i64> {
    subject.strip_prefix("innovation:")?.parse().ok()
}

/// Keeps the result's status — and its year and summary, as corrected on a returned
/// case's own form — in step with its case.
pub async fn sync_case(
    conn: &mut AnyConnection,
    case: &Case,
    subject: &str,
    _actor: &Actor,
    now: i64,
) -> Result<()> {
    let Some(id) = subject_id(subject) else {
        return Ok(());
    };
    let summary = case.data.get("summary").cloned();
    // The engine checked the form's year (a four-digit year); the result keeps its own
    // range.
    let year = case
        .data
        .get("year")
        .and_then(|y| y.trim().parse::<i64>().ok())
        .filter(|y| (1990..=2100).contains(y));
    sqlx::query(
        "UPDATE innovations SET status = $1, summary = COALESCE($2, summary), year = COALESCE($3, year), \
         version = version + 1, updated_at = $4 WHERE id = $5 AND status <> 'approved'",
    )
    .bind(&case.status)
    .bind(summary)
    .bind(year)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// On approval the result counts: its status is `approved` and the enterprise's
/// indicators are settled.
pub(crate) async fn approve(
    _svc: &Service,
    conn: &mut AnyConnection,
    actor: &Actor,
    case: &Case,
    _data: &BTreeMap<String, String>,
    now: i64,
) -> Result<Option<String>> {
    let Some(id) = case.subject.as_deref().and_then(subject_id) else {
        return Ok(None);
    };
    let r = sqlx::query("SELECT org_id, code, title FROM innovations WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    let (org, code, title): (i64, String, String) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
    let snap = crate::indicators::snapshot(conn, org).await?;
    sqlx::query(
        "UPDATE innovations SET status = 'approved', version = version + 1, updated_at = $1 WHERE id = $2",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    crate::indicators::settle(conn, snap).await?;
    Note::new(action::UPDATE, "innovation", id)
        .summary(format!("{code} {title}：认定通过"))
        .write(conn, actor, now)
        .await?;
    Ok(Some(format!("/innovations/{id}")))
}
