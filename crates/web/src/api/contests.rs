//! API for 劳动和技能竞赛: contests, their scheme, entries, panel, marks, ranking and
//! results. Every rule is the storage layer's; these handlers only translate.
use super::extract::ApiQuery;
use super::{parse_id, ErrorBody};
use crate::auth::{ApiJson, ApiUser};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use gongjiang_storage::contests::ranking::Ranking;
use gongjiang_storage::contests::{
    AspectOut, Contest, ContestEntry, ContestInput, ContestSchemeInput, EntryInput, Filter, Judge,
    JudgeInput, Mark, MarkInput, ReasonInput, Recusal, ResultRow,
};
use serde::Serialize;
use utoipa::ToSchema;

pub type ContestPage = gongjiang_storage::Page<Contest>;

#[derive(Serialize, ToSchema)]
pub struct Panel {
    judges: Vec<Judge>,
    recusals: Vec<Recusal>,
}

/// Contests, newest first (a judge: those on whose panel they sit).
#[utoipa::path(get, path = "/api/v1/contests", tag = "contests", params(Filter), responses((status = 200, body = ContestPage), (status = 400, body = ErrorBody)))]
pub async fn list_contests(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiQuery(f): ApiQuery<Filter>,
) -> Result<Json<ContestPage>, ApiError> {
    let p = st.svc.list_contests(&ctx.actor, &f).await?;
    Ok(Json(p))
}

/// Plans a contest (a draft until its plan is submitted).
#[utoipa::path(post, path = "/api/v1/contests", tag = "contests", request_body = ContestInput, responses((status = 201, body = Contest), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_contest(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiJson(b): ApiJson<ContestInput>,
) -> Result<(StatusCode, Json<Contest>), ApiError> {
    let c = st.svc.create_contest(&ctx.actor, &b).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// One contest.
#[utoipa::path(get, path = "/api/v1/contests/{id}", tag = "contests", params(("id" = i64, Path)), responses((status = 200, body = Contest), (status = 404, body = ErrorBody)))]
pub async fn get_contest(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Contest>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.get_contest(&ctx.actor, id).await?))
}

/// Changes a draft plan; `version` is the one last read (409 when stale).
#[utoipa::path(put, path = "/api/v1/contests/{id}", tag = "contests", params(("id" = i64, Path)), request_body = ContestInput, responses((status = 200, body = Contest), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_contest(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ContestInput>,
) -> Result<Json<Contest>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.update_contest(&ctx.actor, id, &b).await?))
}

/// Submits the plan for approval on the workflow engine.
#[utoipa::path(post, path = "/api/v1/contests/{id}/submit", tag = "contests", params(("id" = i64, Path)), responses((status = 200, body = Contest), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn submit_contest(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Contest>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.submit_contest(&ctx.actor, id).await?))
}

/// The marking scheme.
#[utoipa::path(get, path = "/api/v1/contests/{id}/scheme", tag = "contests", params(("id" = i64, Path)), responses((status = 200, body = Vec<AspectOut>), (status = 404, body = ErrorBody)))]
pub async fn get_scheme(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<AspectOut>>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.contest_scheme(&ctx.actor, id).await?))
}

/// Replaces the marking scheme; `publish` requires the weights to add up to 100 (422
/// naming the aspect).
#[utoipa::path(put, path = "/api/v1/contests/{id}/scheme", tag = "contests", params(("id" = i64, Path)), request_body = ContestSchemeInput, responses((status = 200, body = Vec<AspectOut>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_scheme(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ContestSchemeInput>,
) -> Result<Json<Vec<AspectOut>>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.set_contest_scheme(&ctx.actor, id, &b).await?))
}

/// The entrants the caller may see.
#[utoipa::path(get, path = "/api/v1/contests/{id}/entries", tag = "contests", params(("id" = i64, Path)), responses((status = 200, body = Vec<ContestEntry>), (status = 404, body = ErrorBody)))]
pub async fn list_entries(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<ContestEntry>>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.contest_entries(&ctx.actor, id).await?))
}

/// Enters a registered worker (occupation and level checked).
#[utoipa::path(post, path = "/api/v1/contests/{id}/entries", tag = "contests", params(("id" = i64, Path)), request_body = EntryInput, responses((status = 201, body = ContestEntry), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn enter(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<EntryInput>,
) -> Result<(StatusCode, Json<ContestEntry>), ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let e = st.svc.enter_contest(&ctx.actor, id, &b).await?;
    Ok((StatusCode::CREATED, Json(e)))
}

/// Withdraws an entrant before the lock.
#[utoipa::path(delete, path = "/api/v1/contests/{id}/entries/{entry}", tag = "contests", params(("id" = i64, Path), ("entry" = i64, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn withdraw(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path((id, entry)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let entry = parse_id(&entry, ctx.lang)?;
    st.svc.withdraw_entry(&ctx.actor, id, entry).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The panel and the recusals recorded.
#[utoipa::path(get, path = "/api/v1/contests/{id}/judges", tag = "contests", params(("id" = i64, Path)), responses((status = 200, body = Panel), (status = 404, body = ErrorBody)))]
pub async fn list_judges(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Panel>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let (judges, recusals) = st.svc.contest_judges(&ctx.actor, id).await?;
    Ok(Json(Panel { judges, recusals }))
}

/// Adds an expert account to the panel (recusals recorded at once).
#[utoipa::path(post, path = "/api/v1/contests/{id}/judges", tag = "contests", params(("id" = i64, Path)), request_body = JudgeInput, responses((status = 201, body = Judge), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_judge(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<JudgeInput>,
) -> Result<(StatusCode, Json<Judge>), ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let j = st.svc.add_contest_judge(&ctx.actor, id, &b).await?;
    Ok((StatusCode::CREATED, Json(j)))
}

/// Takes a judge who has marked nothing off the panel.
#[utoipa::path(delete, path = "/api/v1/contests/{id}/judges/{user}", tag = "contests", params(("id" = i64, Path), ("user" = i64, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn remove_judge(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path((id, user)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let user = parse_id(&user, ctx.lang)?;
    st.svc.remove_contest_judge(&ctx.actor, id, user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every mark, per judge (those who run or judge the contest).
#[utoipa::path(get, path = "/api/v1/contests/{id}/marks", tag = "contests", params(("id" = i64, Path)), responses((status = 200, body = Vec<Mark>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_marks(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<Mark>>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.contest_marks(&ctx.actor, id).await?))
}

/// Keeps a mark: a judge's 0–3 score on a judgement aspect (403
/// `conflict_of_interest` when recused), or a paper mark on a measurement aspect.
#[utoipa::path(post, path = "/api/v1/contests/{id}/marks", tag = "contests", params(("id" = i64, Path)), request_body = MarkInput, responses((status = 200, body = Mark), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn keep_mark(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MarkInput>,
) -> Result<Json<Mark>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.keep_mark(&ctx.actor, id, &b).await?))
}

/// Confirms a paper mark (someone other than the one who entered it).
#[utoipa::path(post, path = "/api/v1/contests/{id}/marks/{mark}/confirm", tag = "contests", params(("id" = i64, Path), ("mark" = i64, Path)), responses((status = 200, body = Mark), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn confirm_mark(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path((id, mark)): Path<(String, String)>,
) -> Result<Json<Mark>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let mark = parse_id(&mark, ctx.lang)?;
    Ok(Json(st.svc.confirm_mark(&ctx.actor, id, mark).await?))
}

/// The live ranking, from the marks kept so far.
#[utoipa::path(get, path = "/api/v1/contests/{id}/ranking", tag = "contests", params(("id" = i64, Path)), responses((status = 200, body = Ranking), (status = 404, body = ErrorBody)))]
pub async fn ranking(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Ranking>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.contest_ranking(&ctx.actor, id).await?))
}

/// Locks the marks (a second lock: 409 `contest_locked`).
#[utoipa::path(post, path = "/api/v1/contests/{id}/lock", tag = "contests", params(("id" = i64, Path)), responses((status = 200, body = Contest), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn lock(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Contest>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.lock_contest(&ctx.actor, id).await?))
}

/// Undoes a lock, with a reason (audited).
#[utoipa::path(post, path = "/api/v1/contests/{id}/unlock", tag = "contests", params(("id" = i64, Path)), request_body = ReasonInput, responses((status = 200, body = Contest), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn unlock(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ReasonInput>,
) -> Result<Json<Contest>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.unlock_contest(&ctx.actor, id, &b).await?))
}

/// Publishes the locked ranking for 公示 (a `contest_results` case).
#[utoipa::path(post, path = "/api/v1/contests/{id}/publish", tag = "contests", params(("id" = i64, Path)), responses((status = 200, body = Contest), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn publish(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Contest>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.publish_contest(&ctx.actor, id).await?))
}

/// The results (provisional while on notice).
#[utoipa::path(get, path = "/api/v1/contests/{id}/results", tag = "contests", params(("id" = i64, Path)), responses((status = 200, body = Vec<ResultRow>), (status = 404, body = ErrorBody)))]
pub async fn results(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<ResultRow>>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.contest_results(&ctx.actor, id).await?))
}
