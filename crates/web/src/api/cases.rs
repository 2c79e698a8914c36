//! API of the workflow engine: cases of every process (pilot applications, yearly checks,
//! acceptance …), their history, the inbox, notifications and bulk actions.
use super::extract::nz;
use super::extract::{ApiMultipart, ApiQuery};
use super::{parse_id, ErrorBody};
use crate::auth::{ApiJson, ApiUser, OrgReader};
use crate::error::{ApiError, AppError};
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use gongjiang_storage::access::Permission;
use gongjiang_storage::workflow::{
    ActInput, BulkJob, Case, CaseFilter, CaseInput, Event, Objection,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct CaseQuery {
    /// pilot_application, pilot_yearly_check, pilot_acceptance
    pub process: Option<String>,
    /// draft, in_review, returned, notice, approved, rejected, withdrawn
    pub status: Option<String>,
    pub region: Option<String>,
    pub org_id: Option<i64>,
    pub q: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl CaseQuery {
    pub fn filter(&self) -> CaseFilter {
        CaseFilter {
            process: nz(&self.process),
            status: nz(&self.status),
            region: nz(&self.region),
            org_id: self.org_id,
            q: nz(&self.q),
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(20),
        }
    }
}

pub type CasePage = gongjiang_storage::Page<Case>;

#[derive(Serialize, ToSchema)]
pub struct CaseDetail {
    case: Case,
    history: Vec<Event>,
    /// What the caller may do now.
    actions: Vec<String>,
}

/// Cases in the caller's area, newest first.
#[utoipa::path(get, path = "/api/v1/cases", tag = "workflow", params(CaseQuery), responses((status = 200, body = CasePage)))]
pub async fn list(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    ApiQuery(q): ApiQuery<CaseQuery>,
) -> Result<Json<CasePage>, ApiError> {
    let p = st
        .svc
        .list_cases(&ctx.actor, &q.filter(), ctx.lang.is_en())
        .await?;
    Ok(Json(p))
}

/// Starts a case (a draft) of a process.
#[utoipa::path(post, path = "/api/v1/cases", tag = "workflow", request_body = CaseInput, responses((status = 200, body = Case), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiJson(b): ApiJson<CaseInput>,
) -> Result<Json<Case>, ApiError> {
    Ok(Json(st.svc.create_case(&ctx.actor, &b).await?))
}

/// A case with its full history and the caller's possible actions.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "workflow", params(("id" = i64, Path)), responses((status = 200, body = CaseDetail), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<CaseDetail>, ApiError> {
    // Readers of the organisation tree, and experts for the cases they score.
    if !ctx.may(Permission::ReviewCases) {
        return Err(ApiError(
            AppError::Store(gongjiang_storage::StoreError::Forbidden),
            ctx.lang,
        ));
    }
    let id = parse_id(&id, ctx.lang)?;
    let (case, history, actions) = st.svc.get_case(&ctx.actor, id, ctx.lang.is_en()).await?;
    Ok(Json(CaseDetail {
        case,
        history,
        actions: actions.iter().map(|a| a.code().to_string()).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBody {
    data: BTreeMap<String, String>,
    #[serde(default)]
    version: Option<i64>,
}

/// Edits the form of a draft or returned case.
#[utoipa::path(put, path = "/api/v1/cases/{id}", tag = "workflow", params(("id" = i64, Path)), request_body = UpdateBody, responses((status = 200, body = Case), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<UpdateBody>,
) -> Result<Json<Case>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(
        st.svc
            .update_case(&ctx.actor, id, &b.data, b.version)
            .await?,
    ))
}

/// Acts on a case: submit, accept, return, reject, withdraw. Two reviewers acting at
/// once: exactly one wins, the other gets 409 `stale_version`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/actions", tag = "workflow", params(("id" = i64, Path)), request_body = ActInput, responses((status = 200, body = Case), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn act(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ActInput>,
) -> Result<Json<Case>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.act(&ctx.actor, id, &b).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemBody {
    /// true: accept the item; false: return it (a reason is required).
    accept: bool,
    #[serde(default)]
    reason: Option<String>,
}

/// Decides one checklist item of a case (processes reviewed item by item, such as the
/// 六有). When no item waits any more, the case moves on: returned if an item was
/// returned, accepted otherwise.
#[utoipa::path(post, path = "/api/v1/cases/{id}/items/{item}", tag = "workflow", params(("id" = i64, Path), ("item" = String, Path)), request_body = ItemBody, responses((status = 200, body = Case), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decide_item(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path((id, item)): Path<(String, String)>,
    ApiJson(b): ApiJson<ItemBody>,
) -> Result<Json<Case>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(
        st.svc
            .decide_item(&ctx.actor, id, &item, b.accept, b.reason.as_deref())
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpertBody {
    /// The expert's user name.
    expert: String,
}

/// The city assigns an expert to score a case in expert scoring (403
/// `conflict_of_interest` for an expert related to the applicant; the recusal is
/// recorded).
#[utoipa::path(post, path = "/api/v1/cases/{id}/experts", tag = "workflow", params(("id" = i64, Path)), request_body = ExpertBody, responses((status = 200, body = Case), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assign_expert(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ExpertBody>,
) -> Result<Json<Case>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(
        st.svc.assign_case_expert(&ctx.actor, id, &b.expert).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreBody {
    /// 0 to the process's maximum (e.g. 100).
    score: f64,
    #[serde(default)]
    comment: Option<String>,
}

/// An assigned expert scores the case (changeable until the city closes the scoring).
#[utoipa::path(put, path = "/api/v1/cases/{id}/score", tag = "workflow", params(("id" = i64, Path)), request_body = ScoreBody, responses((status = 200, body = gongjiang_storage::workflow::CaseExpert), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn score(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ScoreBody>,
) -> Result<Json<gongjiang_storage::workflow::CaseExpert>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(
        st.svc
            .score_case(&ctx.actor, id, b.score, b.comment.as_deref())
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectionBody {
    /// What is objected to, and why.
    body: String,
    /// City staff only: who raised an objection received by letter or phone.
    #[serde(default)]
    raised_by: Option<String>,
}

/// Lodges an objection while the case is on public notice (公示).
#[utoipa::path(post, path = "/api/v1/cases/{id}/objections", tag = "workflow", params(("id" = i64, Path)), request_body = ObjectionBody, responses((status = 201, body = Objection), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn object(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ObjectionBody>,
) -> Result<(axum::http::StatusCode, Json<Objection>), ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let o = st
        .svc
        .lodge_objection(&ctx.actor, id, &b.body, b.raised_by.as_deref())
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(o)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    /// true: the objection holds; false: it does not.
    upheld: bool,
    /// The written finding (处理意见).
    response: String,
}

/// The city answers an objection. Approval after the notice waits until every
/// objection is answered and none is upheld.
#[utoipa::path(post, path = "/api/v1/cases/{id}/objections/{objection}", tag = "workflow", params(("id" = i64, Path), ("objection" = i64, Path)), request_body = AnswerBody, responses((status = 200, body = Objection), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn answer(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path((id, objection)): Path<(String, String)>,
    ApiJson(b): ApiJson<AnswerBody>,
) -> Result<Json<Objection>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let objection = parse_id(&objection, ctx.lang)?;
    Ok(Json(
        st.svc
            .answer_objection(&ctx.actor, id, objection, b.upheld, &b.response)
            .await?,
    ))
}

/// What waits for the caller, most urgent first.
#[utoipa::path(get, path = "/api/v1/inbox", tag = "workflow", responses((status = 200, body = [Case])))]
pub async fn inbox(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
) -> Result<Json<Vec<Case>>, ApiError> {
    Ok(Json(st.svc.inbox(&ctx.actor, ctx.lang.is_en()).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkBody {
    ids: Vec<i64>,
    /// accept, return, reject
    action: String,
    #[serde(default)]
    comment: Option<String>,
}

/// Starts a bulk action (chunked, resumable after a restart, never acting twice).
#[utoipa::path(post, path = "/api/v1/cases/bulk", tag = "workflow", request_body = BulkBody, responses((status = 202, body = BulkJob), (status = 422, body = ErrorBody)))]
pub async fn bulk(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiJson(b): ApiJson<BulkBody>,
) -> Result<(axum::http::StatusCode, Json<BulkJob>), ApiError> {
    let job = st
        .svc
        .start_bulk(&ctx.actor, &b.ids, &b.action, b.comment.as_deref())
        .await?;
    crate::spawn_bulk(st.svc.clone(), job.id.clone());
    Ok((axum::http::StatusCode::ACCEPTED, Json(job)))
}

/// Progress of a bulk action.
#[utoipa::path(get, path = "/api/v1/cases/bulk/{id}", tag = "workflow", params(("id" = String, Path)), responses((status = 200, body = BulkJob), (status = 404, body = ErrorBody)))]
pub async fn bulk_status(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<BulkJob>, ApiError> {
    Ok(Json(st.svc.bulk_job(&ctx.actor, &id).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Notification {
    id: i64,
    message: String,
    link: Option<String>,
    created_at: i64,
}

/// The caller's unread notifications.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "workflow", responses((status = 200, body = [Notification])))]
pub async fn notifications(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
) -> Result<Json<Vec<Notification>>, ApiError> {
    let list = st.svc.notifications(&ctx.actor).await?;
    Ok(Json(
        list.into_iter()
            .map(|(id, message, link, created_at)| Notification {
                id,
                message,
                link,
                created_at,
            })
            .collect(),
    ))
}

/// Attaches material to a case (multipart `file` parts; PDF, images, Office documents or
/// text, 20 MB each): the applicant while it is a draft or returned, or the reviewer of
/// the current step.
#[utoipa::path(post, path = "/api/v1/cases/{id}/files", tag = "workflow", params(("id" = i64, Path)), request_body(content = super::extract::FilesUpload, content_type = "multipart/form-data"), responses((status = 200, body = Case), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn attach(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiMultipart(m): ApiMultipart,
) -> Result<Json<Case>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let files = crate::upload::MultipartForm::read(m).await?.all_files();
    Ok(Json(
        st.svc.attach_case_files(&ctx.actor, id, &files).await?,
    ))
}
