//! API of the yearly assessment (评价考核): schemes and their versions, rounds, experts
//! and recusals, self-reports, expert scores and versioned published results.
use super::extract::ApiQuery;
use super::{parse_id, ErrorBody};
use crate::auth::{ApiJson, ApiUser};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use gongjiang_storage::assessment::{
    ConflictInput, Results, Round, RoundDetail, RoundInput, Scheme, SchemeInput, SchemeVersion,
    ScoreInput, ScoringSheet, SelfInput, SelfReport, TreeInput,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Every scheme with its versions (region staff).
#[utoipa::path(get, path = "/api/v1/assessment/schemes", tag = "assessment", responses((status = 200, body = Vec<Scheme>), (status = 403, body = ErrorBody)))]
pub async fn list_schemes(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
) -> Result<Json<Vec<Scheme>>, ApiError> {
    Ok(Json(st.svc.list_schemes(&ctx.actor).await?))
}

/// Creates a scheme and its first draft version. Points of the children of every node
/// must add up to the node's, the top level to 100: otherwise 422 naming the node
/// (`field` = `tree.<code>.points`).
#[utoipa::path(post, path = "/api/v1/assessment/schemes", tag = "assessment", request_body = SchemeInput, responses((status = 200, body = SchemeVersion), (status = 422, body = ErrorBody)))]
pub async fn create_scheme(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiJson(b): ApiJson<SchemeInput>,
) -> Result<Json<SchemeVersion>, ApiError> {
    Ok(Json(st.svc.create_scheme(&ctx.actor, &b).await?))
}

/// One scheme version with its tree.
#[utoipa::path(get, path = "/api/v1/assessment/versions/{id}", tag = "assessment", params(("id" = i64, Path)), responses((status = 200, body = SchemeVersion), (status = 404, body = ErrorBody)))]
pub async fn get_version(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<SchemeVersion>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.scheme_version(&ctx.actor, id).await?))
}

/// Saves a draft's tree (a published version is frozen: 409 `version_frozen`).
#[utoipa::path(put, path = "/api/v1/assessment/versions/{id}", tag = "assessment", params(("id" = i64, Path)), request_body = TreeInput, responses((status = 200, body = SchemeVersion), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_version(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TreeInput>,
) -> Result<Json<SchemeVersion>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.save_draft(&ctx.actor, id, &b).await?))
}

/// Publishes (freezes) a draft version.
#[utoipa::path(post, path = "/api/v1/assessment/versions/{id}/publish", tag = "assessment", params(("id" = i64, Path)), responses((status = 200, body = SchemeVersion), (status = 409, body = ErrorBody)))]
pub async fn publish_version(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<SchemeVersion>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.publish_version(&ctx.actor, id).await?))
}

/// Starts a new draft version from this one.
#[utoipa::path(post, path = "/api/v1/assessment/versions/{id}/draft", tag = "assessment", params(("id" = i64, Path)), responses((status = 200, body = SchemeVersion), (status = 409, body = ErrorBody)))]
pub async fn new_draft(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<SchemeVersion>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.new_draft(&ctx.actor, id).await?))
}

/// The rounds the caller takes part in.
#[utoipa::path(get, path = "/api/v1/assessment/rounds", tag = "assessment", responses((status = 200, body = Vec<Round>)))]
pub async fn list_rounds(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
) -> Result<Json<Vec<Round>>, ApiError> {
    Ok(Json(
        st.svc.list_rounds(&ctx.actor, ctx.lang.is_en()).await?,
    ))
}

/// Sets up a round: a year, a published scheme version and the targets.
#[utoipa::path(post, path = "/api/v1/assessment/rounds", tag = "assessment", request_body = RoundInput, responses((status = 200, body = Round), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_round(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiJson(b): ApiJson<RoundInput>,
) -> Result<Json<Round>, ApiError> {
    Ok(Json(
        st.svc
            .create_round(&ctx.actor, &b, ctx.lang.is_en())
            .await?,
    ))
}

/// A round with its targets, experts (names for the city only) and recusals.
#[utoipa::path(get, path = "/api/v1/assessment/rounds/{id}", tag = "assessment", params(("id" = i64, Path)), responses((status = 200, body = RoundDetail), (status = 404, body = ErrorBody)))]
pub async fn get_round(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<RoundDetail>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(
        st.svc
            .round_detail(&ctx.actor, id, ctx.lang.is_en())
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = RoundExpertBody)]
#[serde(deny_unknown_fields)]
pub struct ExpertBody {
    /// User name or id of a user with role expert.
    pub expert: String,
}

/// Assigns an expert; recusals for the targets the expert belongs to are recorded.
#[utoipa::path(post, path = "/api/v1/assessment/rounds/{id}/experts", tag = "assessment", params(("id" = i64, Path)), request_body = ExpertBody, responses((status = 200, body = RoundDetail), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assign_expert(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ExpertBody>,
) -> Result<Json<RoundDetail>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.assign_expert(&ctx.actor, id, &b.expert).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Done {
    ok: bool,
}

/// Declares a conflict of interest (an expert for themselves, or the city).
#[utoipa::path(post, path = "/api/v1/assessment/rounds/{id}/conflicts", tag = "assessment", params(("id" = i64, Path)), request_body = ConflictInput, responses((status = 200, body = Done), (status = 422, body = ErrorBody)))]
pub async fn declare_conflict(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ConflictInput>,
) -> Result<Json<Done>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    st.svc.declare_conflict(&ctx.actor, id, &b).await?;
    Ok(Json(Done { ok: true }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundAction {
    /// close, reopen
    pub action: String,
}

/// Closes a round (no more self-reports or scores) or reopens it for corrections.
#[utoipa::path(post, path = "/api/v1/assessment/rounds/{id}/actions", tag = "assessment", params(("id" = i64, Path)), request_body = RoundAction, responses((status = 200, body = Round), (status = 409, body = ErrorBody)))]
pub async fn round_action(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RoundAction>,
) -> Result<Json<Round>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(
        st.svc
            .round_action(&ctx.actor, id, &b.action, ctx.lang.is_en())
            .await?,
    ))
}

/// A target's self-report (the target itself, or the city).
#[utoipa::path(get, path = "/api/v1/assessment/rounds/{id}/self/{target}", tag = "assessment", params(("id" = i64, Path), ("target" = String, Path)), responses((status = 200, body = SelfReport), (status = 404, body = ErrorBody)))]
pub async fn get_self(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path((id, target)): Path<(String, String)>,
) -> Result<Json<SelfReport>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(
        st.svc
            .self_report(&ctx.actor, id, &target, ctx.lang.is_en())
            .await?,
    ))
}

/// Saves a target's self-report; `submit: true` locks it.
#[utoipa::path(put, path = "/api/v1/assessment/rounds/{id}/self/{target}", tag = "assessment", params(("id" = i64, Path), ("target" = String, Path)), request_body = SelfInput, responses((status = 200, body = SelfReport), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_self(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path((id, target)): Path<(String, String)>,
    ApiJson(b): ApiJson<SelfInput>,
) -> Result<Json<SelfReport>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(
        st.svc
            .save_self_report(&ctx.actor, id, &target, &b, ctx.lang.is_en())
            .await?,
    ))
}

/// The calling expert's scoring sheet (their own scores only).
#[utoipa::path(get, path = "/api/v1/assessment/rounds/{id}/scores", tag = "assessment", params(("id" = i64, Path)), responses((status = 200, body = ScoringSheet), (status = 404, body = ErrorBody)))]
pub async fn sheet(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<ScoringSheet>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(
        st.svc
            .scoring_sheet(&ctx.actor, id, ctx.lang.is_en())
            .await?,
    ))
}

/// Records one score. Out of range → 422 naming the leaf; a related target → 403
/// `conflict_of_interest` (the recusal is recorded).
#[utoipa::path(put, path = "/api/v1/assessment/rounds/{id}/scores", tag = "assessment", params(("id" = i64, Path)), request_body = ScoreInput, responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_score(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ScoreInput>,
) -> Result<Json<Done>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    st.svc.put_score(&ctx.actor, id, &b).await?;
    Ok(Json(Done { ok: true }))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ResultQuery {
    /// A result version (default: the newest).
    pub version: Option<i64>,
}

/// Published results (the newest version by default; earlier ones stay readable). The
/// city sees a live preview before the first publication and the experts' names.
#[utoipa::path(get, path = "/api/v1/assessment/rounds/{id}/results", tag = "assessment", params(("id" = i64, Path), ResultQuery), responses((status = 200, body = Results), (status = 404, body = ErrorBody)))]
pub async fn results(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ResultQuery>,
) -> Result<Json<Results>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(
        st.svc
            .round_results(&ctx.actor, id, q.version, ctx.lang.is_en())
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishBody {
    /// Required when results were published before.
    #[serde(default)]
    pub reason: String,
}

/// Publishes the results of a closed round as a new result version.
#[utoipa::path(post, path = "/api/v1/assessment/rounds/{id}/results", tag = "assessment", params(("id" = i64, Path)), request_body = PublishBody, responses((status = 200, body = Results), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn publish(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PublishBody>,
) -> Result<Json<Results>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(
        st.svc
            .publish_results(&ctx.actor, id, &b.reason, ctx.lang.is_en())
            .await?,
    ))
}
