//! API for the registers (pilots, designations) and the indicators.
use super::extract::ApiQuery;
use super::{parse_id, ErrorBody};
use crate::auth::{ApiJson, ApiUser, OrgEditor, OrgReader};
use crate::error::{ApiError, AppError};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use gongjiang_domain::Code;
use gongjiang_storage::designations::{self, Designation};
use gongjiang_storage::indicators::Value;
use gongjiang_storage::pilots::{self, Pilot};
use gongjiang_storage::registers::{DesignationInput, PilotInput, Subject};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn nz(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn bad_query(e: impl std::fmt::Display) -> AppError {
    AppError::bad_request(
        Code::BadQuery,
        format!("查询参数错误：{e}"),
        format!("bad query: {e}"),
    )
}

fn code_of<T: Copy>(
    v: &Option<String>,
    parse: impl Fn(&str) -> Option<T>,
    code: impl Fn(T) -> &'static str,
    name: &str,
) -> Result<Option<String>, AppError> {
    match nz(v) {
        None => Ok(None),
        Some(s) => parse(&s).map(|x| Some(code(x).to_string())).ok_or_else(|| {
            AppError::bad_request(
                Code::BadFilter,
                format!("{name}“{s}”无效"),
                format!("invalid {name} '{s}'"),
            )
        }),
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct PilotQuery {
    /// A region code: its whole subtree.
    pub region: Option<String>,
    pub org_id: Option<i64>,
    /// province, city, county, town (or 省级 …).
    pub level: Option<String>,
    /// enterprise or park.
    pub ptype: Option<String>,
    pub year: Option<i64>,
    pub benchmark: Option<bool>,
    /// Organisation name or feature text.
    pub q: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl PilotQuery {
    pub fn filter(&self) -> Result<pilots::Filter, AppError> {
        use gongjiang_domain::{PilotLevel, PilotType};
        Ok(pilots::Filter {
            region: nz(&self.region),
            org_id: self.org_id,
            level: code_of(
                &self.level,
                PilotLevel::from_any,
                PilotLevel::code,
                "试点级别",
            )?,
            ptype: code_of(
                &self.ptype,
                PilotType::from_any,
                PilotType::code,
                "试点类型",
            )?,
            year: self.year,
            benchmark: self.benchmark,
            q: nz(&self.q),
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(20),
        })
    }
}

pub type PilotPage = gongjiang_storage::Page<Pilot>;

/// The pilot register, within the caller's scope.
#[utoipa::path(get, path = "/api/v1/pilots", tag = "pilots", params(PilotQuery), responses((status = 200, body = PilotPage), (status = 400, body = ErrorBody)))]
pub async fn list_pilots(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    ApiQuery(q): ApiQuery<PilotQuery>,
) -> Result<Json<PilotPage>, ApiError> {
    let f = q.filter()?;
    let p = st.svc.list_pilots(&ctx.actor, &f).await?;
    Ok(Json(p))
}

/// Registers a pilot (an approved decision).
#[utoipa::path(post, path = "/api/v1/pilots", tag = "pilots", request_body = PilotInput, responses((status = 201, body = Pilot), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_pilot(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgEditor>,
    ApiJson(b): ApiJson<PilotInput>,
) -> Result<(StatusCode, Json<Pilot>), ApiError> {
    let p = st.svc.create_pilot(&ctx.actor, &b).await?;
    Ok((StatusCode::CREATED, Json(p)))
}

#[utoipa::path(get, path = "/api/v1/pilots/{id}", tag = "pilots", params(("id" = i64, Path)), responses((status = 200, body = Pilot), (status = 404, body = ErrorBody)))]
pub async fn get_pilot(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Json<Pilot>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.get_pilot(&ctx.actor, id).await?))
}

/// Changes a pilot; absent fields keep their value.
#[utoipa::path(patch, path = "/api/v1/pilots/{id}", tag = "pilots", params(("id" = i64, Path)), request_body = PilotInput, responses((status = 200, body = Pilot), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_pilot(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgEditor>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PilotInput>,
) -> Result<Json<Pilot>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.update_pilot(&ctx.actor, id, &b).await?))
}

#[utoipa::path(delete, path = "/api/v1/pilots/{id}", tag = "pilots", params(("id" = i64, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_pilot(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgEditor>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    st.svc.delete_pilot(&ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct DesignationQuery {
    pub region: Option<String>,
    pub org_id: Option<i64>,
    /// Titles held by this worker.
    pub worker_id: Option<i64>,
    /// A type code or Chinese name.
    pub dtype: Option<String>,
    pub level: Option<String>,
    pub year: Option<i64>,
    pub q: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl DesignationQuery {
    pub fn filter(&self) -> Result<designations::Filter, AppError> {
        use gongjiang_domain::{DesignationLevel, DesignationType};
        Ok(designations::Filter {
            worker_id: self.worker_id,
            region: nz(&self.region),
            org_id: self.org_id,
            dtype: code_of(
                &self.dtype,
                DesignationType::from_any,
                DesignationType::code,
                "类型",
            )?,
            level: code_of(
                &self.level,
                DesignationLevel::from_any,
                DesignationLevel::code,
                "级别",
            )?,
            year: self.year,
            q: nz(&self.q),
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(20),
        })
    }
}

pub type DesignationPage = gongjiang_storage::Page<Designation>;

/// The registry of titles and honours, within the caller's scope.
#[utoipa::path(get, path = "/api/v1/designations", tag = "designations", params(DesignationQuery), responses((status = 200, body = DesignationPage), (status = 400, body = ErrorBody)))]
pub async fn list_designations(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    ApiQuery(q): ApiQuery<DesignationQuery>,
) -> Result<Json<DesignationPage>, ApiError> {
    let f = q.filter()?;
    let p = st.svc.list_designations(&ctx.actor, &f).await?;
    Ok(Json(p))
}

/// Records a title or honour held by an organisation.
#[utoipa::path(post, path = "/api/v1/designations", tag = "designations", request_body = DesignationInput, responses((status = 201, body = Designation), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_designation(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgEditor>,
    ApiJson(b): ApiJson<DesignationInput>,
) -> Result<(StatusCode, Json<Designation>), ApiError> {
    let d = st.svc.create_designation(&ctx.actor, &b).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

#[utoipa::path(get, path = "/api/v1/designations/{id}", tag = "designations", params(("id" = i64, Path)), responses((status = 200, body = Designation), (status = 404, body = ErrorBody)))]
pub async fn get_designation(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Json<Designation>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.get_designation(&ctx.actor, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/designations/{id}", tag = "designations", params(("id" = i64, Path)), request_body = DesignationInput, responses((status = 200, body = Designation), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_designation(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgEditor>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DesignationInput>,
) -> Result<Json<Designation>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.update_designation(&ctx.actor, id, &b).await?))
}

#[utoipa::path(delete, path = "/api/v1/designations/{id}", tag = "designations", params(("id" = i64, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_designation(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgEditor>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    st.svc.delete_designation(&ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorQuery {
    /// A region code, a 统一社会信用代码 or an org id.
    pub org: String,
    /// 2023, 2023Q4 or 2023-06. Cumulative indicators count up to the period's year.
    pub period: String,
    /// `child`: add one entry per child region or organisation.
    pub by: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorValue {
    code: String,
    name: String,
    unit: String,
    /// null while the module that feeds it is not built (see `pending_issue`).
    pub value: Option<f64>,
    numerator: Option<i64>,
    denominator: Option<i64>,
    pending_issue: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorChild {
    org: Subject,
    indicators: Vec<IndicatorValue>,
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorResponse {
    org: Subject,
    period: String,
    indicators: Vec<IndicatorValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    children: Option<Vec<IndicatorChild>>,
}

pub fn present(values: &[Value], en: bool) -> Vec<IndicatorValue> {
    values
        .iter()
        .map(|v| {
            let ind = gongjiang_domain::indicators::find(v.code);
            IndicatorValue {
                code: v.code.to_string(),
                name: ind.map(|i| i.name(en)).unwrap_or(v.code).to_string(),
                unit: ind.map(|i| i.unit(en)).unwrap_or("").to_string(),
                value: v.value,
                numerator: v.numerator,
                denominator: v.denominator,
                pending_issue: v.pending_issue,
            }
        })
        .collect()
}

/// Every indicator of the catalogue for a subtree and period, live.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "indicators", params(IndicatorQuery), responses((status = 200, body = IndicatorResponse), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn indicators(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    uri: axum::http::Uri,
    q: Result<Query<IndicatorQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::response::Response, ApiError> {
    let lang = ctx.lang;
    // Indicators are read from the aggregates and the tree only: kept by the data
    // version (`reads`), so a repeated read costs the session's one statement.
    let key = crate::reads::key(&ctx, &format!("indicators?{}", uri.query().unwrap_or("")));
    if let Some(r) = st.reads.get(&key, ctx.data_version) {
        return Ok(r);
    }
    let Query(q) = q.map_err(|e| ApiError(bad_query(e), lang))?;
    let by_child = match q.by.as_deref() {
        None | Some("") => false,
        Some("child") => true,
        Some(other) => {
            return Err(ApiError(
                AppError::bad_request(
                    Code::BadQuery,
                    format!("by 只能为 child（当前为“{other}”）"),
                    format!("by must be 'child', not '{other}'"),
                ),
                lang,
            ))
        }
    };
    let r = st
        .svc
        .indicators(&ctx.actor, &q.org, &q.period, by_child)
        .await?;
    let en = lang.is_en();
    let body = serde_json::to_vec(&IndicatorResponse {
        org: r.subject,
        period: r.period,
        indicators: present(&r.values, en),
        children: by_child.then(|| {
            r.children
                .into_iter()
                .map(|(s, v)| IndicatorChild {
                    org: s,
                    indicators: present(&v, en),
                })
                .collect()
        }),
    })
    .map_err(|e| {
        ApiError(
            AppError::Store(gongjiang_storage::StoreError::Other(e.to_string())),
            lang,
        )
    })?;
    Ok(st.reads.put(key, ctx.data_version, body))
}
