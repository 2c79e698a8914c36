//! API for the yearly statistics and their review.
use super::extract::ApiQuery;
use super::{parse_id, ErrorBody};
use crate::auth::{ApiJson, ApiUser, OrgReader};
use crate::error::{ApiError, AppError};
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use gongjiang_domain::report::{ReportAction, ReportStatus};
use gongjiang_domain::Code;
use gongjiang_storage::report_service::ReportInput;
use gongjiang_storage::reports::{self, Completeness, Report};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::nz;

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ReportQuery {
    pub region: Option<String>,
    pub org_id: Option<i64>,
    pub period: Option<String>,
    /// draft, submitted, returned, approved, locked (or the Chinese labels).
    pub status: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl ReportQuery {
    pub fn filter(&self) -> Result<reports::Filter, AppError> {
        let status = match nz(&self.status) {
            None => None,
            Some(s) => Some(
                ReportStatus::from_any(&s)
                    .ok_or_else(|| {
                        AppError::bad_request(
                            Code::BadFilter,
                            format!("状态“{s}”无效"),
                            format!("invalid status '{s}'"),
                        )
                    })?
                    .code()
                    .to_string(),
            ),
        };
        let period = match nz(&self.period) {
            None => None,
            Some(p) => Some(
                gongjiang_domain::Period::parse(&p)
                    .map_err(AppError::invalid)?
                    .to_string(),
            ),
        };
        Ok(reports::Filter {
            region: nz(&self.region),
            org_id: self.org_id,
            period,
            status,
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(20),
        })
    }
}

pub type ReportPage = gongjiang_storage::Page<Report>;

/// Yearly statistics reports in the caller's scope.
#[utoipa::path(get, path = "/api/v1/reports", tag = "reports", params(ReportQuery), responses((status = 200, body = ReportPage), (status = 400, body = ErrorBody)))]
pub async fn list_reports(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Json<ReportPage>, ApiError> {
    let f = q.filter()?;
    let p = st.svc.list_reports(&ctx.actor, &f).await?;
    Ok(Json(p))
}

/// Creates or updates a report (draft or returned) and, with `submit`, submits it.
/// Validation rules (高技能人才数 ≤ 职工总数 …) are checked on entry.
#[utoipa::path(post, path = "/api/v1/reports", tag = "reports", request_body = ReportInput, responses((status = 200, body = Report), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_report(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiJson(b): ApiJson<ReportInput>,
) -> Result<Json<Report>, ApiError> {
    Ok(Json(st.svc.save_report(&ctx.actor, &b).await?))
}

#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "reports", params(("id" = i64, Path)), responses((status = 200, body = Report), (status = 404, body = ErrorBody)))]
pub async fn get_report(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Json<Report>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.get_report(&ctx.actor, id).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    /// submit, approve, return, lock or unlock.
    pub action: String,
    /// Required to return a report.
    pub reason: Option<String>,
}

/// One step of the review flow: submit, approve, return (with a reason), lock, unlock.
#[utoipa::path(post, path = "/api/v1/reports/{id}/transition", tag = "reports", params(("id" = i64, Path)), request_body = TransitionBody,
    responses((status = 200, body = Report), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "not allowed in this state, or someone else acted first", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn transition(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TransitionBody>,
) -> Result<Json<Report>, ApiError> {
    let lang = ctx.lang;
    let id = parse_id(&id, lang)?;
    let action = ReportAction::from_any(&b.action).ok_or_else(|| {
        ApiError(
            AppError::invalid(gongjiang_domain::FieldError::new(
                "action",
                gongjiang_domain::Rule::UnknownValue,
                format!(
                    "未知操作“{}”,应为 submit、approve、return、lock、unlock",
                    b.action
                ),
                format!("unknown action '{}'", b.action),
            )),
            lang,
        )
    })?;
    Ok(Json(
        st.svc
            .transition_report(&ctx.actor, id, action, b.reason.as_deref())
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionPeriod {
    pub region: String,
    pub period: String,
}

#[derive(Serialize, ToSchema)]
pub struct Count {
    count: u64,
}

/// Locks every approved report of a period in a region (city).
#[utoipa::path(post, path = "/api/v1/reports/lock", tag = "reports", request_body = RegionPeriod, responses((status = 200, body = Count), (status = 403, body = ErrorBody)))]
pub async fn lock(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiJson(b): ApiJson<RegionPeriod>,
) -> Result<Json<Count>, ApiError> {
    let n = st
        .svc
        .lock_reports(&ctx.actor, &b.region, &b.period)
        .await?;
    Ok(Json(Count { count: n }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompletenessQuery {
    pub region: String,
    pub period: String,
}

/// Who has reported: per child region, organisations expected, submitted and approved.
#[utoipa::path(get, path = "/api/v1/reports/completeness", tag = "reports", params(CompletenessQuery), responses((status = 200, body = Vec<Completeness>), (status = 404, body = ErrorBody)))]
pub async fn completeness(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiQuery(q): ApiQuery<CompletenessQuery>,
) -> Result<Json<Vec<Completeness>>, ApiError> {
    Ok(Json(
        st.svc
            .report_completeness(&ctx.actor, &q.region, &q.period)
            .await?,
    ))
}

/// Reminds every organisation in the region that has not submitted.
#[utoipa::path(post, path = "/api/v1/reports/remind", tag = "reports", request_body = RegionPeriod, responses((status = 200, body = Count), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remind(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiJson(b): ApiJson<RegionPeriod>,
) -> Result<Json<Count>, ApiError> {
    let n = st
        .svc
        .remind_missing(&ctx.actor, &b.region, &b.period)
        .await?;
    Ok(Json(Count { count: n as u64 }))
}
