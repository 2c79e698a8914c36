//! 群众性技术创新: workers' innovation results. Filing a result opens its
//! `innovation_result` case on the workflow engine (moved on `/api/v1/cases/{id}/…`).
use super::extract::ApiQuery;
use super::{parse_id, ErrorBody};
use crate::auth::{ApiJson, ApiUser};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use gongjiang_storage::innovations::{
    Innovation, InnovationFilter, InnovationInput, ShowcaseInput,
};

pub type InnovationPage = gongjiang_storage::Page<Innovation>;

/// Innovation results, newest first (results in review only inside the caller's scope).
#[utoipa::path(get, path = "/api/v1/innovations", tag = "innovations", params(InnovationFilter), responses((status = 200, body = InnovationPage), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiQuery(f): ApiQuery<InnovationFilter>,
) -> Result<Json<InnovationPage>, ApiError> {
    let p = st.svc.list_innovations(&ctx.actor, &f).await?;
    Ok(Json(p))
}

/// Files a result: the union's certification; its case is submitted at once
/// (422 on `patent_no` for a wrong check digit, on `authors` for an unknown worker).
#[utoipa::path(post, path = "/api/v1/innovations", tag = "innovations", request_body = InnovationInput, responses((status = 201, body = Innovation), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn file(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiJson(b): ApiJson<InnovationInput>,
) -> Result<(StatusCode, Json<Innovation>), ApiError> {
    let i = st.svc.file_innovation(&ctx.actor, &b).await?;
    Ok((StatusCode::CREATED, Json(i)))
}

/// One result.
#[utoipa::path(get, path = "/api/v1/innovations/{id}", tag = "innovations", params(("id" = i64, Path)), responses((status = 200, body = Innovation), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Innovation>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.get_innovation(&ctx.actor, id).await?))
}

/// Corrects a result while its case is returned, or a recorded one (409
/// `innovation_final` otherwise; 409 `stale_version` on an old version).
#[utoipa::path(put, path = "/api/v1/innovations/{id}", tag = "innovations", params(("id" = i64, Path)), request_body = InnovationInput, responses((status = 200, body = Innovation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn correct(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<InnovationInput>,
) -> Result<Json<Innovation>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.correct_innovation(&ctx.actor, id, &b).await?))
}

/// Puts an approved result in the showcase (职工科技创新周), or takes it off: the city.
#[utoipa::path(post, path = "/api/v1/innovations/{id}/showcase", tag = "innovations", params(("id" = i64, Path)), request_body = ShowcaseInput, responses((status = 200, body = Innovation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn showcase(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ShowcaseInput>,
) -> Result<Json<Innovation>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.showcase_innovation(&ctx.actor, id, &b).await?))
}
