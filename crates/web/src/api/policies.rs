//! API of the policy library (search, read, add, delete).
use super::{parse_id, ErrorBody};
use crate::auth::{ApiJson, ApiUser};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use gongjiang_storage::policies::{Policy, PolicyFilter, PolicyInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct PolicyQuery {
    /// Full-text search (Chinese or Latin words; every word must occur).
    pub q: Option<String>,
    pub category: Option<String>,
    pub level: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct PolicyPage {
    items: Vec<Policy>,
    total: i64,
    page: i64,
    per_page: i64,
}

/// Documents, newest first, or the best matches of a search.
#[utoipa::path(get, path = "/api/v1/policies", tag = "policies", params(PolicyQuery), responses((status = 200, body = PolicyPage)))]
pub async fn list(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Query(q): Query<PolicyQuery>,
) -> Result<Json<PolicyPage>, ApiError> {
    let f = PolicyFilter {
        q: q.q.filter(|s| !s.trim().is_empty()),
        category: q.category.filter(|s| !s.is_empty()),
        level: q.level.filter(|s| !s.is_empty()),
        page: q.page.unwrap_or(1),
        per_page: q.per_page.unwrap_or(20),
    };
    let p = st
        .svc
        .search_policies(&ctx.actor, &f)
        .await
        .map_err(|e| ApiError(e.into(), ctx.lang))?;
    Ok(Json(PolicyPage {
        items: p.items,
        total: p.total,
        page: p.page,
        per_page: p.per_page,
    }))
}

/// Adds a document (its original file: the console's form).
#[utoipa::path(post, path = "/api/v1/policies", tag = "policies", request_body = PolicyInput, responses((status = 200, body = Policy), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiJson(b): ApiJson<PolicyInput>,
) -> Result<Json<Policy>, ApiError> {
    Ok(Json(
        st.svc
            .create_policy(&ctx.actor, &b, None)
            .await
            .map_err(|e| ApiError(e.into(), ctx.lang))?,
    ))
}

#[utoipa::path(get, path = "/api/v1/policies/{id}", tag = "policies", params(("id" = i64, Path)), responses((status = 200, body = Policy), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Policy>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(
        st.svc
            .get_policy(&ctx.actor, id)
            .await
            .map_err(|e| ApiError(e.into(), ctx.lang))?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/policies/{id}", tag = "policies", params(("id" = i64, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    st.svc
        .delete_policy(&ctx.actor, id)
        .await
        .map_err(|e| ApiError(e.into(), ctx.lang))?;
    Ok(StatusCode::NO_CONTENT)
}
