//! Errors, with stable snake_case codes, rendered as JSON for the API and as a page for
//! the console. Bad input never becomes a 500.
use crate::i18n::Lang;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use gongjiang_domain::{Code, FieldError};
use gongjiang_storage::StoreError;
use serde_json::json;

#[derive(Debug)]
pub enum AppError {
    Store(StoreError),
    /// 400 with a code and message.
    BadRequest {
        code: Code,
        zh: String,
        en: String,
        field: Option<String>,
    },
    Unauthorized,
    /// 401: unknown user or wrong password (one answer for both).
    LoginFailed,
    /// 403: missing or wrong CSRF token.
    Csrf,
    TooManyRequests(u64),
    PayloadTooLarge,
    UnsupportedMediaType,
    /// 415: an upload that is not `multipart/form-data` with a boundary.
    NotMultipart,
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::Store(e)
    }
}

impl AppError {
    pub fn bad_request(code: Code, zh: impl Into<String>, en: impl Into<String>) -> AppError {
        AppError::BadRequest {
            code,
            zh: zh.into(),
            en: en.into(),
            field: None,
        }
    }

    pub fn invalid(e: FieldError) -> AppError {
        AppError::Store(StoreError::invalid(e))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Store(StoreError::NotFound) => StatusCode::NOT_FOUND,
            AppError::Store(StoreError::Forbidden | StoreError::Denied { .. }) | AppError::Csrf => {
                StatusCode::FORBIDDEN
            }
            AppError::Store(StoreError::Invalid(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Store(StoreError::Conflict { .. }) => StatusCode::CONFLICT,
            AppError::Store(StoreError::Unavailable { .. }) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Store(e) if e.is_foreign_key_violation() => StatusCode::CONFLICT,
            AppError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthorized | AppError::LoginFailed => StatusCode::UNAUTHORIZED,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType | AppError::NotMultipart => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
        }
    }

    /// (code, message, field)
    pub fn parts(&self, lang: Lang) -> (&'static str, String, Option<String>) {
        let en = lang.is_en();
        let pick = |zh: &str, e: &str| if en { e.to_string() } else { zh.to_string() };
        match self {
            AppError::Store(StoreError::NotFound) => catalogued(Code::NotFound, en),
            AppError::Store(StoreError::Forbidden) => catalogued(Code::Forbidden, en),
            AppError::Store(StoreError::Denied { code, zh, en: e }) => {
                (code.as_str(), pick(zh, e), None)
            }
            AppError::Store(StoreError::Invalid(errs)) => {
                let first = errs.first();
                let code = first.map(|e| e.rule.code()).unwrap_or("invalid");
                let msg = errs
                    .iter()
                    .map(|e| e.message(en).to_string())
                    .collect::<Vec<_>>()
                    .join(if en { "; " } else { ";" });
                (code, msg, first.map(|e| e.field.clone()))
            }
            AppError::Store(StoreError::Conflict {
                code,
                field,
                zh,
                en: e,
            }) => (code.as_str(), pick(zh, e), field.clone()),
            AppError::Store(StoreError::Unavailable { code, zh, en: e }) => {
                tracing::warn!(error = %e, "service unavailable");
                (code.as_str(), pick(zh, e), None)
            }
            // A delete that a check missed: other records still refer to this one.
            AppError::Store(e) if e.is_foreign_key_violation() => {
                tracing::warn!(error = %e, "foreign key violation answered as 409");
                catalogued(Code::StillReferenced, en)
            }
            AppError::Store(e) => {
                tracing::error!(error = %e, "internal error");
                catalogued(Code::Internal, en)
            }
            AppError::BadRequest {
                code,
                zh,
                en: e,
                field,
            } => (code.as_str(), pick(zh, e), field.clone()),
            AppError::Unauthorized => catalogued(Code::Unauthorized, en),
            AppError::LoginFailed => catalogued(Code::InvalidCredentials, en),
            AppError::Csrf => catalogued(Code::CsrfFailed, en),
            AppError::TooManyRequests(s) => (
                Code::TooManyRequests.as_str(),
                pick(
                    &format!("登录失败次数过多，请{s}秒后再试"),
                    &format!("too many failed logins; try again in {s} seconds"),
                ),
                None,
            ),
            AppError::PayloadTooLarge => catalogued(Code::PayloadTooLarge, en),
            AppError::UnsupportedMediaType => catalogued(Code::UnsupportedMediaType, en),
            AppError::NotMultipart => (
                Code::UnsupportedMediaType.as_str(),
                pick(
                    "请求须为文件上传表单(Content-Type: multipart/form-data,含 boundary)",
                    "the request must be a file upload (Content-Type: multipart/form-data with a boundary)",
                ),
                None,
            ),
        }
    }

    /// Every field error, for forms.
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            AppError::Store(StoreError::Invalid(e)) => e.clone(),
            AppError::Store(StoreError::Conflict {
                field: Some(f),
                zh,
                en,
                ..
            }) => {
                vec![FieldError::new(
                    f.clone(),
                    gongjiang_domain::Rule::Forbidden,
                    zh.clone(),
                    en.clone(),
                )]
            }
            _ => Vec::new(),
        }
    }
}

/// A code in the catalogue's own words.
fn catalogued(code: Code, en: bool) -> (&'static str, String, Option<String>) {
    (code.as_str(), code.text(en).to_string(), None)
}

/// An error answered as JSON (`{"error":{"code","message","field"?}}`). Handlers raise it
/// with plain `?`; it speaks the request's language ([`Lang::current`]).
pub struct ApiError(pub AppError, pub Lang);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into(), Lang::current())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let (code, message, field) = self.0.parts(self.1);
        let mut err = json!({"code": code, "message": message});
        if let Some(f) = field {
            err["field"] = json!(f);
        }
        if let AppError::Store(StoreError::Invalid(errs)) = &self.0 {
            if errs.len() > 1 {
                err["details"] = json!(errs.iter().map(|e| json!({"field": e.field, "code": e.rule.code(), "message": e.message(self.1.is_en())})).collect::<Vec<_>>());
            }
        }
        let mut resp = (status, Json(json!({ "error": err }))).into_response();
        if let AppError::TooManyRequests(s) = self.0 {
            if let Ok(v) = s.to_string().parse() {
                resp.headers_mut().insert("retry-after", v);
            }
        }
        resp
    }
}

/// An error answered as an HTML page.
pub struct UiError(pub AppError, pub Lang);

impl<E: Into<AppError>> From<E> for UiError {
    fn from(e: E) -> Self {
        UiError(e.into(), Lang::current())
    }
}

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let (code, message, _) = self.0.parts(self.1);
        let t = crate::i18n::T(self.1);
        let page = crate::ui::ErrorPage {
            t,
            status: status.as_u16(),
            code,
            message,
        };
        let body = askama::Template::render(&page).unwrap_or_else(|_| message_fallback(status));
        (status, Html(body)).into_response()
    }
}

fn message_fallback(status: StatusCode) -> String {
    format!("<!doctype html><title>{status}</title><p>{status}</p>")
}
