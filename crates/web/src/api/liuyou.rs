//! API of the 六有 checklist and of uploaded files.
use super::extract::{ApiMultipart, ApiQuery};
use super::ErrorBody;
use crate::auth::{ApiJson, ApiUser, OrgReader};
use crate::error::{ApiError, AppError};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use gongjiang_storage::liuyou::{EvidenceInput, LiuyouRow, LiuyouSheet};
use gongjiang_storage::StoreError;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

fn ids(lang: crate::i18n::Lang, org: &str, year: &str) -> Result<(i64, i32), ApiError> {
    match (org.parse::<i64>(), year.parse::<i32>()) {
        (Ok(o), Ok(y)) => Ok((o, y)),
        _ => Err(ApiError(AppError::Store(StoreError::NotFound), lang)),
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct LiuyouQuery {
    /// The year (default: the latest year with approved statistics).
    pub year: Option<i32>,
    /// A region code (the whole subtree).
    pub region: Option<String>,
    /// Only units with items awaiting review.
    pub pending: Option<bool>,
}

/// Every pilot unit in scope with its six statuses for a year.
#[utoipa::path(get, path = "/api/v1/liuyou", tag = "liuyou", params(LiuyouQuery), responses((status = 200, body = [LiuyouRow])))]
pub async fn list(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    ApiQuery(q): ApiQuery<LiuyouQuery>,
) -> Result<Json<Vec<LiuyouRow>>, ApiError> {
    let year = match q.year {
        Some(y) => y,
        None => crate::period::default_year(&st, &ctx.actor).await,
    };
    Ok(Json(
        st.svc
            .liuyou_rows(
                &ctx.actor,
                q.region.as_deref(),
                year,
                q.pending.unwrap_or(false),
            )
            .await?,
    ))
}

/// A unit's six items for a year.
#[utoipa::path(get, path = "/api/v1/liuyou/{org}/{year}", tag = "liuyou", params(("org" = i64, Path), ("year" = i32, Path)), responses((status = 200, body = LiuyouSheet), (status = 404, body = ErrorBody)))]
pub async fn sheet(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    Path((org, year)): Path<(String, String)>,
) -> Result<Json<LiuyouSheet>, ApiError> {
    let (org, year) = ids(ctx.lang, &org, &year)?;
    Ok(Json(
        st.svc
            .liuyou_sheet(&ctx.actor, org, year, ctx.lang.is_en())
            .await?,
    ))
}

/// Writes an item's text and link (files: the multipart route).
#[utoipa::path(put, path = "/api/v1/liuyou/{org}/{year}/{item}", tag = "liuyou", params(("org" = i64, Path), ("year" = i32, Path), ("item" = String, Path)), request_body = EvidenceInput, responses((status = 200, body = LiuyouSheet), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path((org, year, item)): Path<(String, String, String)>,
    ApiJson(b): ApiJson<EvidenceInput>,
) -> Result<Json<LiuyouSheet>, ApiError> {
    let (org, year) = ids(ctx.lang, &org, &year)?;
    Ok(Json(
        st.svc
            .save_liuyou_item(&ctx.actor, org, year, &item, &b, &[])
            .await?,
    ))
}

/// Attaches files to an item (multipart, one or more `file` parts; PDF, images, Office
/// documents or text, up to 20 MB each, checked by content).
#[utoipa::path(post, path = "/api/v1/liuyou/{org}/{year}/{item}/files", tag = "liuyou", params(("org" = i64, Path), ("year" = i32, Path), ("item" = String, Path)), request_body(content = super::extract::FilesUpload, content_type = "multipart/form-data"), responses((status = 200, body = LiuyouSheet), (status = 422, body = ErrorBody)))]
pub async fn upload(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path((org, year, item)): Path<(String, String, String)>,
    ApiMultipart(m): ApiMultipart,
) -> Result<Json<LiuyouSheet>, ApiError> {
    let (org, year) = ids(ctx.lang, &org, &year)?;
    let files = crate::upload::MultipartForm::read(m).await?.all_files();
    let sheet = st.svc.liuyou_sheet(&ctx.actor, org, year, false).await?;
    let cur = sheet.items.iter().find(|i| i.item == item);
    let input = EvidenceInput {
        text: cur.and_then(|c| c.text.clone()),
        link: cur.and_then(|c| c.link.clone()),
        remove_files: Vec::new(),
        version: None,
    };
    Ok(Json(
        st.svc
            .save_liuyou_item(&ctx.actor, org, year, &item, &input, &files)
            .await?,
    ))
}

/// Submits the year's items for review.
#[utoipa::path(post, path = "/api/v1/liuyou/{org}/{year}/submit", tag = "liuyou", params(("org" = i64, Path), ("year" = i32, Path)), responses((status = 200, body = LiuyouSheet), (status = 422, body = ErrorBody)))]
pub async fn submit(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path((org, year)): Path<(String, String)>,
) -> Result<Json<LiuyouSheet>, ApiError> {
    let (org, year) = ids(ctx.lang, &org, &year)?;
    Ok(Json(st.svc.submit_liuyou(&ctx.actor, org, year).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// true to accept, false to return
    accept: bool,
    /// Required to return.
    #[serde(default)]
    reason: Option<String>,
}

/// Accepts an item or returns it with a reason.
#[utoipa::path(post, path = "/api/v1/liuyou/{org}/{year}/{item}/review", tag = "liuyou", params(("org" = i64, Path), ("year" = i32, Path), ("item" = String, Path)), request_body = ReviewBody, responses((status = 200, body = LiuyouSheet), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path((org, year, item)): Path<(String, String, String)>,
    ApiJson(b): ApiJson<ReviewBody>,
) -> Result<Json<LiuyouSheet>, ApiError> {
    let (org, year) = ids(ctx.lang, &org, &year)?;
    Ok(Json(
        st.svc
            .review_liuyou(&ctx.actor, org, year, &item, b.accept, b.reason.as_deref())
            .await?,
    ))
}

/// Downloads a file (within the caller's scope).
#[utoipa::path(get, path = "/api/v1/files/{id}", tag = "liuyou", params(("id" = i64, Path)), responses((status = 200, description = "the file"), (status = 404, body = ErrorBody)))]
pub async fn download(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = super::parse_id(&id, ctx.lang)?;
    let (m, bytes) = st.svc.read_file(&ctx.actor, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, m.mime),
            (header::CONTENT_DISPOSITION, "attachment".to_string()),
        ],
        bytes,
    )
        .into_response())
}
