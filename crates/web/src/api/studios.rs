//! 劳模（工匠）创新工作室: studios, their members and yearly reviews (each review a case
//! on the workflow engine, moved on `/api/v1/cases/{id}/…`).
use super::extract::ApiQuery;
use super::{parse_id, ErrorBody};
use crate::auth::{ApiJson, ApiUser};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use gongjiang_storage::studios::{
    Studio, StudioFilter, StudioInput, StudioMember, StudioMemberInput, StudioReview,
    StudioReviewInput,
};

pub type StudioPage = gongjiang_storage::Page<Studio>;

/// Studios, by level then name.
#[utoipa::path(get, path = "/api/v1/studios", tag = "studios", params(StudioFilter), responses((status = 200, body = StudioPage), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_studios(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiQuery(f): ApiQuery<StudioFilter>,
) -> Result<Json<StudioPage>, ApiError> {
    let p = st.svc.list_studios(&ctx.actor, &f).await?;
    Ok(Json(p))
}

/// Registers a studio (422 on `leader` when the leader holds no 劳模 or 工匠 title).
#[utoipa::path(post, path = "/api/v1/studios", tag = "studios", request_body = StudioInput, responses((status = 201, body = Studio), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_studio(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiJson(b): ApiJson<StudioInput>,
) -> Result<(StatusCode, Json<Studio>), ApiError> {
    let s = st.svc.create_studio(&ctx.actor, &b).await?;
    Ok((StatusCode::CREATED, Json(s)))
}

/// One studio.
#[utoipa::path(get, path = "/api/v1/studios/{id}", tag = "studios", params(("id" = i64, Path)), responses((status = 200, body = Studio), (status = 404, body = ErrorBody)))]
pub async fn get_studio(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Studio>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.get_studio(&ctx.actor, id).await?))
}

/// A studio's members.
#[utoipa::path(get, path = "/api/v1/studios/{id}/members", tag = "studios", params(("id" = i64, Path)), responses((status = 200, body = Vec<StudioMember>), (status = 404, body = ErrorBody)))]
pub async fn members(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<StudioMember>>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.studio_members(&ctx.actor, id).await?))
}

/// Adds a member: a registered worker of the studio's enterprise.
#[utoipa::path(post, path = "/api/v1/studios/{id}/members", tag = "studios", params(("id" = i64, Path)), request_body = StudioMemberInput, responses((status = 201, body = StudioMember), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_member(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<StudioMemberInput>,
) -> Result<(StatusCode, Json<StudioMember>), ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let m = st.svc.add_studio_member(&ctx.actor, id, &b).await?;
    Ok((StatusCode::CREATED, Json(m)))
}

/// A studio's yearly reviews.
#[utoipa::path(get, path = "/api/v1/studios/{id}/reviews", tag = "studios", params(("id" = i64, Path)), responses((status = 200, body = Vec<StudioReview>), (status = 404, body = ErrorBody)))]
pub async fn reviews(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<StudioReview>>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.studio_reviews(&ctx.actor, id).await?))
}

/// Files a year's review (a `studio_review` case, submitted at once).
#[utoipa::path(post, path = "/api/v1/studios/{id}/reviews", tag = "studios", params(("id" = i64, Path)), request_body = StudioReviewInput, responses((status = 201, body = StudioReview), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn file_review(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<StudioReviewInput>,
) -> Result<(StatusCode, Json<StudioReview>), ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let r = st.svc.file_studio_review(&ctx.actor, id, &b).await?;
    Ok((StatusCode::CREATED, Json(r)))
}
