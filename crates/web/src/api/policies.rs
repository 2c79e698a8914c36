//! API of the policy library (search, read, add, add with the original file, delete),
//! and reading the text of an uploaded file for an empty 正文 (shared with the console).
use super::extract::{ApiMultipart, ApiQuery};
use super::{parse_id, ErrorBody};
use crate::auth::{ApiJson, ApiUser};
use crate::error::{ApiError, AppError};
use crate::upload::MultipartForm;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use gongjiang_domain::{FieldError, Rule};
use gongjiang_io::{doc_kind, extract_text, DocKind, TextError};
use gongjiang_storage::policies::{Policy, PolicyFilter, PolicyInput, MAX_BODY_CHARS};
use gongjiang_storage::service::Service;
use gongjiang_storage::StoreError;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// The text of an uploaded file, for a document whose 正文 was left empty: PDF, Word
/// (.docx) or text, read on the blocking pool and cut to [`MAX_BODY_CHARS`] with a
/// note. Gives the file back. The error names the field to show it at: `file` (not an
/// accepted file, content that inflates without end) or `body` (no text could be read,
/// e.g. a scanned PDF: the user is asked to paste the text).
pub(crate) async fn text_for_body(
    name: String,
    bytes: Vec<u8>,
) -> Result<(String, Vec<u8>, String), FieldError> {
    gongjiang_storage::files::check_upload(&name, &bytes)?;
    let job = tokio::task::spawn_blocking(move || {
        let r = extract_text(&name, &bytes);
        let kind = doc_kind(&name, &bytes);
        (name, bytes, kind, r)
    })
    .await;
    let Ok((name, bytes, kind, r)) = job else {
        return Err(FieldError::new(
            "body",
            Rule::BadFormat,
            "读取文件文字时出错：请把正文粘贴到“正文”栏",
            "reading the file's text failed: paste the text into the Text field",
        ));
    };
    match r {
        Ok(Some(text)) => Ok((name, bytes, fit_body(text))),
        Ok(None) => Err(no_text(&name, kind)),
        Err(e @ TextError::TooLarge { .. }) => Err(FieldError::new(
            "file",
            Rule::BadFormat,
            format!("文件“{name}”：{}", e.message_zh()),
            format!("'{name}': {}", e.message_en()),
        )),
        Err(e) => Err(FieldError::new(
            "body",
            Rule::BadFormat,
            format!("文件“{name}”：{}", e.message_zh()),
            format!("'{name}': {}", e.message_en()),
        )),
    }
}

fn no_text(name: &str, kind: Option<DocKind>) -> FieldError {
    let (zh, en) = match kind {
        Some(DocKind::Pdf) => (
            format!("未能从“{name}”中读取到文字（可能是扫描件或图片型 PDF）：请把正文粘贴到“正文”栏后再保存"),
            format!("no text could be read from '{name}' (a scanned or image-only PDF?): paste the text into the Text field and save again"),
        ),
        Some(_) => (
            format!("文件“{name}”中没有文字：请把正文粘贴到“正文”栏后再保存"),
            format!("'{name}' contains no text: paste the text into the Text field and save again"),
        ),
        None => (
            format!("无法自动读取“{name}”的文字（只能读取 PDF、Word .docx 和 .txt 文件）：请把正文粘贴到“正文”栏后再保存"),
            format!("the text of '{name}' cannot be read automatically (only PDF, Word .docx and .txt files): paste the text into the Text field and save again"),
        ),
    };
    FieldError::new("body", Rule::Required, zh, en)
}

/// Cuts a file's text to what a document may hold, ending with a note that says so.
pub(crate) fn fit_body(text: String) -> String {
    let total = text.chars().count();
    if total <= MAX_BODY_CHARS {
        return text;
    }
    let note = format!(
        "\n\n【原文共 {total} 字,超过正文上限 {MAX_BODY_CHARS} 字,以上为前一部分;其余内容请查看原文文件】\n\
         [The file's text has {total} characters, more than the {MAX_BODY_CHARS} a document may hold: \
         the rest is in the original file]"
    );
    let keep = MAX_BODY_CHARS - note.chars().count();
    let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
    let mut cut = &text[..end];
    // End at a line break when one is near.
    if let Some(i) = cut.rfind('\n').filter(|i| end - i < 4000) {
        cut = &cut[..i];
    }
    format!("{}{note}", cut.trim_end())
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct PolicyQuery {
    /// Full-text search (Chinese or Latin words; every word must occur).
    pub q: Option<String>,
    pub category: Option<String>,
    pub level: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

pub type PolicyPage = gongjiang_storage::Page<Policy>;

/// Documents, newest first, or the best matches of a search.
#[utoipa::path(get, path = "/api/v1/policies", tag = "policies", params(PolicyQuery), responses((status = 200, body = PolicyPage)))]
pub async fn list(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiQuery(q): ApiQuery<PolicyQuery>,
) -> Result<Json<PolicyPage>, ApiError> {
    let f = PolicyFilter {
        q: q.q.filter(|s| !s.trim().is_empty()),
        category: q.category.filter(|s| !s.is_empty()),
        level: q.level.filter(|s| !s.is_empty()),
        page: q.page.unwrap_or(1),
        per_page: q.per_page.unwrap_or(20),
    };
    let p = st.svc.search_policies(&ctx.actor, &f).await?;
    Ok(Json(p))
}

/// Adds a document from JSON (with its original file: `POST /api/v1/policies/upload`).
#[utoipa::path(post, path = "/api/v1/policies", tag = "policies", request_body = PolicyInput, responses((status = 200, body = Policy), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiJson(b): ApiJson<PolicyInput>,
) -> Result<Json<Policy>, ApiError> {
    Ok(Json(st.svc.create_policy(&ctx.actor, &b, None).await?))
}

/// The fields of a document with its original file, as `multipart/form-data`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PolicyUpload {
    title: String,
    doc_no: Option<String>,
    issuer: Option<String>,
    /// general, skills, education, innovation, rights, work, manual (or the Chinese names)
    category: String,
    /// national, provincial, city, district, town (or 国家/省级/市级/区级/镇(街道)级);
    /// only the levels the account publishes at (422 on `level` otherwise).
    level: String,
    /// YYYY-MM-DD
    issued_on: Option<String>,
    /// The text search finds. Left empty, the text of the file is used (PDF, Word .docx,
    /// .txt; a scanned PDF has none: 422 on `body`, asking for the text).
    body: Option<String>,
    /// The original file: PDF, Word (.docx), Excel, PowerPoint, JPG/PNG or text, at most
    /// 20 MB, checked by content.
    #[schema(value_type = String, format = Binary)]
    file: String,
}

/// A document's fields as the upload and the console's form take them, the file last.
pub(crate) const FORM_FIELDS: &[&str] = &[
    "title",
    "doc_no",
    "issuer",
    "category",
    "level",
    "issued_on",
    "body",
    "file",
];
/// The text fields of the upload (all but the file).
const UPLOAD_FIELDS: &[&str] = FORM_FIELDS.split_last().unwrap().1;

/// Adds a document with its original file (`multipart/form-data`: the fields of
/// `PolicyInput` as text parts and one `file` part). With `body` empty the file's text
/// is used, so the document is found by words that are only in the file; at most
/// 200,000 characters are kept (a note at the end says when the text was cut).
#[utoipa::path(post, path = "/api/v1/policies/upload", tag = "policies", request_body(content = PolicyUpload, content_type = "multipart/form-data"), responses((status = 200, body = Policy), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiMultipart(m): ApiMultipart,
) -> Result<Json<Policy>, ApiError> {
    let lang = ctx.lang;
    let invalid = |e: FieldError| ApiError(AppError::Store(StoreError::Invalid(vec![e])), lang);
    if !Service::may_publish_policies(&ctx.actor) {
        return Err(ApiError(AppError::Store(StoreError::Forbidden), lang));
    }
    let form = MultipartForm::read(m).await?;
    if let Some((n, _)) = form
        .fields
        .iter()
        .find(|(n, _)| !UPLOAD_FIELDS.contains(&n.as_str()))
    {
        return Err(invalid(FieldError::new(
            n.clone(),
            Rule::UnknownValue,
            format!(
                "未知字段“{n}”，可用字段：{}、file",
                UPLOAD_FIELDS.join("、")
            ),
            format!(
                "unknown field '{n}'; the fields are {}, file",
                UPLOAD_FIELDS.join(", ")
            ),
        )));
    }
    let v = |k: &str| form.text(k).map(str::to_string);
    let mut input = PolicyInput {
        title: v("title"),
        doc_no: v("doc_no"),
        issuer: v("issuer"),
        category: v("category"),
        level: v("level"),
        issued_on: v("issued_on"),
        body: v("body").filter(|b| !b.trim().is_empty()),
        version: None,
    };
    let mut files = form.all_files();
    if files.len() > 1 {
        return Err(invalid(FieldError::new(
            "file",
            Rule::BadFormat,
            "只能上传一个原文文件",
            "upload one file only",
        )));
    }
    let Some((name, bytes)) = files.pop() else {
        return Err(invalid(FieldError::required("file", "原文文件", "File")));
    };
    let file = if input.body.is_none() {
        let (name, bytes, text) = text_for_body(name, bytes).await.map_err(invalid)?;
        input.body = Some(text);
        (name, bytes)
    } else {
        (name, bytes)
    };
    Ok(Json(
        st.svc.create_policy(&ctx.actor, &input, Some(file)).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/policies/{id}", tag = "policies", params(("id" = i64, Path)), responses((status = 200, body = Policy), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Policy>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.get_policy(&ctx.actor, id).await?))
}

/// Edits a document of the caller's own office (or one below it): the fields given
/// replace the stored ones; `version` (the one read) guards against lost updates.
/// Others' documents answer 404; a level the caller does not publish at is 422 on
/// `level`.
#[utoipa::path(patch, path = "/api/v1/policies/{id}", tag = "policies", params(("id" = i64, Path)), request_body = PolicyInput, responses((status = 200, body = Policy), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PolicyInput>,
) -> Result<Json<Policy>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.update_policy(&ctx.actor, id, &b).await?))
}

/// Deletes a document of the caller's own office (or one below it); others' answer 404.
#[utoipa::path(delete, path = "/api/v1/policies/{id}", tag = "policies", params(("id" = i64, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    st.svc.delete_policy(&ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
