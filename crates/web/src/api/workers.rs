//! API for the worker registry. Lists carry masked numbers only; the full numbers come
//! from `reveal`, which is allowed to region staff (and a unit for its own workers) and
//! audit-logged every time.
use super::extract::nz;
use super::extract::ApiQuery;
use super::{parse_id, ErrorBody};
use crate::auth::{ApiJson, ApiUser, OrgReader};
use crate::error::{ApiError, AppError};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use gongjiang_domain::Code;
use gongjiang_storage::workers::{self, Worker, WorkerInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct WorkerQuery {
    pub region: Option<String>,
    pub org_id: Option<i64>,
    /// Name (anywhere).
    pub q: Option<String>,
    /// An exact 身份证号 (searched through a keyed hash; never stored in clear).
    pub id_number: Option<String>,
    /// apprentice … chief (or 学徒工 … 首席技师).
    pub skill_level: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl WorkerQuery {
    pub fn filter(&self) -> Result<workers::Filter, AppError> {
        let skill_level = match nz(&self.skill_level) {
            None => None,
            Some(s) => Some(
                gongjiang_domain::SkillLevel::parse(&s)
                    .ok_or_else(|| {
                        AppError::bad_request(
                            Code::BadFilter,
                            format!("技能等级“{s}”无效"),
                            format!("invalid skill level '{s}'"),
                        )
                    })?
                    .code()
                    .to_string(),
            ),
        };
        Ok(workers::Filter {
            region: nz(&self.region),
            org_id: self.org_id,
            q: nz(&self.q),
            id_number: nz(&self.id_number),
            skill_level,
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(20),
        })
    }
}

pub type WorkerPage = gongjiang_storage::Page<Worker>;

/// Workers in the caller's scope (masked numbers).
#[utoipa::path(get, path = "/api/v1/workers", tag = "workers", params(WorkerQuery), responses((status = 200, body = WorkerPage), (status = 400, body = ErrorBody)))]
pub async fn list(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    ApiQuery(q): ApiQuery<WorkerQuery>,
) -> Result<Json<WorkerPage>, ApiError> {
    let f = q.filter()?;
    let p = st.svc.list_workers(&ctx.actor, &f).await?;
    Ok(Json(p))
}

/// Registers a worker, or updates the one with the same 身份证号.
#[utoipa::path(post, path = "/api/v1/workers", tag = "workers", request_body = WorkerInput, responses((status = 200, body = Worker), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiJson(b): ApiJson<WorkerInput>,
) -> Result<Json<Worker>, ApiError> {
    Ok(Json(st.svc.save_worker(&ctx.actor, &b).await?))
}

#[utoipa::path(get, path = "/api/v1/workers/{id}", tag = "workers", params(("id" = i64, Path)), responses((status = 200, body = Worker), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Json<Worker>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.get_worker(&ctx.actor, id).await?))
}

#[utoipa::path(delete, path = "/api/v1/workers/{id}", tag = "workers", params(("id" = i64, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "the worker is still enrolled, entered, nominated, a studio member or leader, or an author (has_records)", body = ErrorBody)))]
pub async fn delete(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    st.svc.delete_worker(&ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Revealed {
    id_number: String,
    phone: Option<String>,
}

/// The full 身份证号 and phone (audit-logged).
#[utoipa::path(post, path = "/api/v1/workers/{id}/reveal", tag = "workers", params(("id" = i64, Path)), responses((status = 200, body = Revealed), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reveal(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Json<Revealed>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let (id_number, phone) = st.svc.reveal_worker(&ctx.actor, id).await?;
    Ok(Json(Revealed { id_number, phone }))
}
