//! Extractors whose refusals answer with the API's error JSON, where axum's own ones
//! answer in plain English text: query strings and multipart bodies.
use crate::error::{ApiError, AppError};
use crate::i18n::Lang;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::request::Parts;
use gongjiang_domain::Code;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

/// A query parameter as a filter takes it: trimmed, and none when blank.
pub fn nz(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A query string: 400 `bad_query` naming the parameter and what it should be when a
/// value does not fit its type (`page=abc`) or a required parameter is missing.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let lang = Lang::detect(parts);
        let q = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(q.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let path = e.path().to_string();
                let inner = e.inner().to_string();
                ApiError(query_error(&path, &inner), lang)
            })
    }
}

/// The 400 for a query string serde refused (`path` is serde's path, `.` for the root).
pub fn query_error(path: &str, inner: &str) -> AppError {
    let named = |prefix: &str| {
        inner
            .strip_prefix(prefix)
            .and_then(|r| r.split('`').next())
            .map(str::to_string)
    };
    let field = if path == "." || path.is_empty() {
        named("missing field `")
            .or_else(|| named("unknown field `"))
            .or_else(|| named("duplicate field `"))
            .unwrap_or_default()
    } else {
        path.to_string()
    };
    let zh = if inner.starts_with("missing field") {
        format!("缺少必填查询参数“{field}”")
    } else if inner.starts_with("unknown field") {
        format!("未知查询参数“{field}”")
    } else if inner.starts_with("duplicate field") {
        format!("查询参数“{field}”只能出现一次")
    } else {
        let want = if inner.contains("invalid digit")
            || inner.contains("integer")
            || inner.contains("number too")
        {
            "应为整数"
        } else if inner.contains("float") {
            "应为数字"
        } else if inner.contains("`true` or `false`") {
            "应为 true 或 false"
        } else {
            "取值无效"
        };
        format!("查询参数“{field}”格式错误：{want}")
    };
    let en = if field.is_empty() {
        format!("bad query: {inner}")
    } else {
        format!("query parameter '{field}': {inner}")
    };
    AppError::BadRequest {
        code: Code::BadQuery,
        zh,
        en,
        field: (!field.is_empty()).then_some(field),
    }
}

/// A multipart body: 415 `unsupported_media_type` when the request is not
/// `multipart/form-data` with a boundary (axum answers that in plain text).
pub struct ApiMultipart(pub Multipart);

impl<S: Send + Sync> FromRequest<S> for ApiMultipart {
    type Rejection = ApiError;

    async fn from_request(req: Request, st: &S) -> Result<Self, Self::Rejection> {
        let (m, lang) = crate::upload::multipart(req, st).await;
        Ok(ApiMultipart(m.map_err(|e| ApiError(e, lang))?))
    }
}

/// Files as `multipart/form-data`: every part that carries a file name is taken (PDF,
/// images, Office documents, text; 20 MB each, checked by content, not by name).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct FilesUpload {
    /// A file; repeat the part for several.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// An import as `multipart/form-data`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImportUpload {
    /// orgs, pilots, reports, designations or workers.
    kind: String,
    /// The filled-in template: .xlsx or .csv.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// `true`: check every row, write nothing.
    dry_run: Option<bool>,
    /// `true`: write the valid rows and return the rejected ones; otherwise all or nothing.
    skip_invalid: Option<bool>,
    /// For reports: the period rows without one take (2023, 2023Q4, 2023-06).
    period: Option<String>,
}
