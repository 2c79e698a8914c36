//! 工匠培育: craftsman selection rounds and their nominations (each a case on the
//! workflow engine: review, expert scoring, 公示 and the decision go through
//! `/api/v1/cases/{id}/…`).
use super::extract::ApiQuery;
use super::{parse_id, ErrorBody};
use crate::auth::{ApiJson, ApiUser};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use gongjiang_storage::craftsmen::{
    CraftsmanRound, CraftsmanRoundInput, Nomination, NominationInput, QuotaUse, RoundFilter,
};

pub type CraftsmanRoundPage = gongjiang_storage::Page<CraftsmanRound>;

/// Selection rounds, newest first.
#[utoipa::path(get, path = "/api/v1/craftsman-rounds", tag = "craftsmen", params(RoundFilter), responses((status = 200, body = CraftsmanRoundPage), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_rounds(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiQuery(f): ApiQuery<RoundFilter>,
) -> Result<Json<CraftsmanRoundPage>, ApiError> {
    let p = st.svc.list_craftsman_rounds(&ctx.actor, &f).await?;
    Ok(Json(p))
}

/// Opens a round at the caller's own level.
#[utoipa::path(post, path = "/api/v1/craftsman-rounds", tag = "craftsmen", request_body = CraftsmanRoundInput, responses((status = 201, body = CraftsmanRound), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_round(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiJson(b): ApiJson<CraftsmanRoundInput>,
) -> Result<(StatusCode, Json<CraftsmanRound>), ApiError> {
    let r = st.svc.create_craftsman_round(&ctx.actor, &b).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// One round.
#[utoipa::path(get, path = "/api/v1/craftsman-rounds/{id}", tag = "craftsmen", params(("id" = i64, Path)), responses((status = 200, body = CraftsmanRound), (status = 404, body = ErrorBody)))]
pub async fn get_round(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<CraftsmanRound>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.get_craftsman_round(&ctx.actor, id).await?))
}

/// How much of its quota each nominator has used.
#[utoipa::path(get, path = "/api/v1/craftsman-rounds/{id}/quotas", tag = "craftsmen", params(("id" = i64, Path)), responses((status = 200, body = Vec<QuotaUse>), (status = 404, body = ErrorBody)))]
pub async fn quotas(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<QuotaUse>>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.craftsman_quotas(&ctx.actor, id).await?))
}

/// A round's nominations.
#[utoipa::path(get, path = "/api/v1/craftsman-rounds/{id}/nominations", tag = "craftsmen", params(("id" = i64, Path)), responses((status = 200, body = Vec<Nomination>), (status = 404, body = ErrorBody)))]
pub async fn list_nominations(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<Nomination>>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.craftsman_nominations(&ctx.actor, id).await?))
}

/// Nominates a worker (the level below the round's, inside its subtree and quota; 422
/// on `worker` otherwise). The nomination's case is submitted at once.
#[utoipa::path(post, path = "/api/v1/craftsman-rounds/{id}/nominations", tag = "craftsmen", params(("id" = i64, Path)), request_body = NominationInput, responses((status = 201, body = Nomination), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn nominate(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<NominationInput>,
) -> Result<(StatusCode, Json<Nomination>), ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let n = st.svc.nominate_craftsman(&ctx.actor, id, &b).await?;
    Ok((StatusCode::CREATED, Json(n)))
}
