//! The audit log and its chain check (`/api/v1/audit`).
use super::extract::nz;
use super::extract::ApiQuery;
use super::ErrorBody;
use crate::auth::{ApiUser, AuditReader};
use crate::error::{ApiError, AppError};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use gongjiang_storage::audit::{self, Entry};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct AuditQuery {
    pub username: Option<String>,
    /// create, update, delete, login, login_failed, logout, role_change, …
    pub action: Option<String>,
    /// org, user, …
    pub entity_kind: Option<String>,
    pub entity_id: Option<String>,
    /// YYYY-MM-DD (inclusive, China Standard Time).
    pub from: Option<String>,
    /// YYYY-MM-DD (inclusive).
    pub to: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

fn day_ms(s: &str, field: &str, end: bool) -> Result<Option<i64>, AppError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        AppError::invalid(gongjiang_domain::FieldError::new(
            field,
            gongjiang_domain::Rule::BadFormat,
            format!("日期“{s}”格式应为 YYYY-MM-DD"),
            format!("date '{s}' must be YYYY-MM-DD"),
        ))
    })?;
    let d = if end { d.succ_opt().unwrap_or(d) } else { d };
    Ok(d.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_millis() - 8 * 3600 * 1000))
}

impl AuditQuery {
    pub fn filter(&self) -> Result<audit::Filter, AppError> {
        Ok(audit::Filter {
            username: nz(&self.username).map(|u| u.to_ascii_lowercase()),
            action: nz(&self.action),
            entity_kind: nz(&self.entity_kind),
            entity_id: nz(&self.entity_id),
            from_ms: day_ms(self.from.as_deref().unwrap_or(""), "from", false)?,
            to_ms: day_ms(self.to.as_deref().unwrap_or(""), "to", true)?,
            changes_only: false,
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(50),
        })
    }
}

pub type EntryPage = gongjiang_storage::Page<Entry>;

/// The audit log, newest first (sysadmin and city).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery), responses((status = 200, body = EntryPage), (status = 403, body = ErrorBody)))]
pub(super) async fn audit_log(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<AuditReader>,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<EntryPage>, ApiError> {
    let f = q.filter()?;
    let p = st.svc.audit_log(&ctx.actor, &f).await?;
    Ok(Json(p))
}

#[derive(Serialize, ToSchema)]
pub struct VerifyResult {
    intact: bool,
    entries: Option<i64>,
    broken_at: Option<i64>,
    reason: Option<String>,
}

/// Checks the audit log's hash chain.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit", responses((status = 200, body = VerifyResult)))]
pub(super) async fn audit_verify(
    State(st): State<AppState>,
    ApiUser(..): ApiUser<AuditReader>,
) -> Result<Json<VerifyResult>, ApiError> {
    let v = st.svc.verify_audit().await?;
    Ok(Json(match v {
        audit::Verdict::Intact { entries } => VerifyResult {
            intact: true,
            entries: Some(entries),
            broken_at: None,
            reason: None,
        },
        audit::Verdict::Broken { seq, reason } => VerifyResult {
            intact: false,
            entries: None,
            broken_at: Some(seq),
            reason: Some(reason),
        },
    }))
}
