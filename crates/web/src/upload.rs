//! Reading a multipart form: the console's forms that carry files (case material, 六有
//! evidence, policy documents) and the API's file uploads. One reader, so that size
//! limits and broken uploads answer the same everywhere.
use crate::error::{AppError, UiError};
use crate::i18n::Lang;
use axum::extract::{FromRequest, Multipart, Request};
use gongjiang_domain::Code;

/// A console upload's body: a request that is not `multipart/form-data` with a boundary
/// is the error page (415, in the user's language), as the API's `ApiMultipart` answers
/// it, not axum's plain-text 400.
pub struct UiMultipart(pub Multipart);

impl<S: Send + Sync> FromRequest<S> for UiMultipart {
    type Rejection = UiError;

    async fn from_request(req: Request, st: &S) -> Result<Self, Self::Rejection> {
        let (m, lang) = multipart(req, st).await;
        Ok(UiMultipart(m.map_err(|e| UiError(e, lang))?))
    }
}

/// The one refusal of a body that is not `multipart/form-data` with a boundary
/// ([`AppError::NotMultipart`], 415), for the console's `UiMultipart` and the API's
/// `ApiMultipart`, with the language of the request.
pub async fn multipart<S: Send + Sync>(
    req: Request,
    st: &S,
) -> (Result<Multipart, AppError>, Lang) {
    let lang = Lang::detect_from(req.uri(), req.headers());
    let m = Multipart::from_request(req, st).await;
    (m.map_err(|_| AppError::NotMultipart), lang)
}

/// The parts of a multipart form: text fields, and files with their names.
#[derive(Default)]
pub struct MultipartForm {
    /// Text fields in order (a name may repeat).
    pub fields: Vec<(String, String)>,
    /// (field name, file name, bytes), for parts that carry a non-empty file name.
    pub files: Vec<(String, String, Vec<u8>)>,
}

impl MultipartForm {
    /// Reads every part. A part over the body limit is [`AppError::PayloadTooLarge`], a
    /// broken upload a 400 `bad_upload`. An empty file input (no file chosen) is skipped.
    pub async fn read(mut m: Multipart) -> Result<MultipartForm, AppError> {
        let mut out = MultipartForm::default();
        while let Some(field) = m.next_field().await.map_err(broken)? {
            let name = field.name().unwrap_or("").to_string();
            let file_name = field.file_name().map(str::to_string);
            let bytes = field.bytes().await.map_err(broken)?;
            match file_name {
                Some(f) if !f.is_empty() => out.files.push((name, f, bytes.to_vec())),
                Some(_) => {}
                None => out
                    .fields
                    .push((name, String::from_utf8_lossy(&bytes).to_string())),
            }
        }
        Ok(out)
    }

    /// The last value of a text field.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a text field, in order.
    pub fn texts<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The files of one field as (file name, bytes).
    pub fn files_of(&self, name: &str) -> Vec<(String, Vec<u8>)> {
        self.files
            .iter()
            .filter(|(n, _, _)| n == name)
            .map(|(_, f, b)| (f.clone(), b.clone()))
            .collect()
    }

    /// Every file, whatever its field (the API's uploads).
    pub fn all_files(self) -> Vec<(String, Vec<u8>)> {
        self.files.into_iter().map(|(_, f, b)| (f, b)).collect()
    }

    /// The console's CSRF check: the form's `_csrf` field must be the session's token.
    pub fn check_csrf(&self, expected: &str) -> Result<(), AppError> {
        if self.text("_csrf") == Some(expected) {
            Ok(())
        } else {
            Err(AppError::Csrf)
        }
    }
}

/// A multipart error: too large (413) or broken (400 `bad_upload`, axum's reason kept).
fn broken(e: axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge
    } else {
        let why = e.body_text();
        AppError::bad_request(
            Code::BadUpload,
            format!("上传内容有误（multipart 格式错误）：{why}"),
            format!("bad upload: {why}"),
        )
    }
}
