//! The pilot register's processes on the workflow engine (registered in
//! `crate::parts::registry`):
//! - 试点申报 (`pilot_application`): only an enterprise or a park applies, never for a
//!   level it already holds (refused at the start, on submit and at every review);
//!   approval adds it to the pilot register (`pilot:<id>`).
//! - 标杆试点评选 (`benchmark_selection`): approval marks the applicant's pilot records as
//!   标杆 (`benchmark:<org>`), and the indicators move with it.
use crate::audit;
use crate::error::{Result, StoreError};
use crate::indicators;
use crate::orgs::Org;
use crate::pilots;
use crate::registers::PilotInput;
use crate::scope::Actor;
use crate::service::Service;
use crate::workflow::Case;
use gongjiang_domain::{FieldError, PilotLevel, Rule};
use sqlx::AnyConnection;
use std::collections::BTreeMap;

/// 试点申报, at the start: an enterprise or a park, not yet a pilot at the level.
pub(crate) async fn check_application_start(
    conn: &mut AnyConnection,
    org: &Org,
    data: &BTreeMap<String, String>,
) -> Result<()> {
    if !matches!(org.kind.as_str(), "enterprise" | "park") {
        return Err(StoreError::Invalid(vec![FieldError::new(
            "org",
            Rule::Forbidden,
            "只有企业和园区可以申报试点",
            "only enterprises and parks can apply to be pilots",
        )]));
    }
    // A level the applicant already holds is refused at once: no draft is kept of an
    // application that cannot be submitted.
    if let Some(level) = data.get("level") {
        let code = PilotLevel::from_any(level)
            .map(|l| l.code().to_string())
            .unwrap_or_else(|| level.clone());
        if pilots::id_by_key(conn, org.id, &code).await?.is_some() {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "level",
                Rule::Forbidden,
                format!(
                    "“{}”已是{}试点，请选择其他级别",
                    org.name,
                    PilotLevel::from_any(level)
                        .map(|l| l.label_zh())
                        .unwrap_or(level.as_str())
                ),
                "the applicant is already a pilot at this level",
            )]));
        }
    }
    Ok(())
}

/// 试点申报, on submit and at every review before approval: still not a pilot at the
/// level.
pub(crate) async fn check_application_move(
    conn: &mut AnyConnection,
    c: &Case,
    data: &BTreeMap<String, String>,
) -> Result<()> {
    if let Some(level) = data.get("level") {
        if pilots::id_by_key(conn, c.org_id, level).await?.is_some() {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "level",
                Rule::Forbidden,
                "该单位已是这一级别的试点，请选择其他级别",
                "the applicant is already a pilot at this level",
            )]));
        }
    }
    Ok(())
}

/// 试点申报, approved: the applicant joins the pilot register.
pub(crate) async fn approve_application(
    svc: &Service,
    conn: &mut AnyConnection,
    actor: &Actor,
    c: &Case,
    data: &BTreeMap<String, String>,
    _now: i64,
) -> Result<Option<String>> {
    let p = svc
        .create_pilot_in(
            conn,
            actor,
            &PilotInput {
                org: Some(c.org_id.to_string()),
                level: data.get("level").cloned(),
                ptype: None,
                year: data.get("year").cloned(),
                feature: data.get("feature").cloned(),
                benchmark: Some(false),
                version: None,
            },
        )
        .await?;
    Ok(Some(format!("pilot:{}", p.id)))
}

/// 标杆试点评选, approved: the applicant's pilot records become 标杆.
pub(crate) async fn mark_benchmark(
    _svc: &Service,
    conn: &mut AnyConnection,
    actor: &Actor,
    c: &Case,
    _data: &BTreeMap<String, String>,
    now: i64,
) -> Result<Option<String>> {
    let snap = indicators::snapshot(&mut *conn, c.org_id).await?;
    let n = sqlx::query(
        "UPDATE pilots SET benchmark = 1, version = version + 1, updated_at = $1 WHERE org_id = $2 AND benchmark = 0",
    )
    .bind(now)
    .bind(c.org_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    indicators::settle(&mut *conn, snap).await?;
    audit::Note::new(audit::action::UPDATE, "pilot", format!("org:{}", c.org_id))
        .summary(format!("{}:评为标杆试点（{n} 条试点记录）", c.org_name))
        .write(&mut *conn, actor, now)
        .await?;
    Ok(Some(format!("benchmark:{}", c.org_id)))
}
