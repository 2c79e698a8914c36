//! Who is calling: bearer tokens for the API, cookie sessions (with CSRF tokens) for the
//! console. The role a handler needs is the type of its extractor: `WebUser<Admin>`,
//! `ApiUser<OrgEditor>`.
use crate::error::{ApiError, AppError, UiError};
use crate::i18n::Lang;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use axum::response::{IntoResponse, Redirect, Response};
use gongjiang_domain::Code;
use gongjiang_domain::Role;
use gongjiang_storage::users::User;
use gongjiang_storage::Actor;
use serde::de::DeserializeOwned;
use std::marker::PhantomData;
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "gj_session";
pub const LOGIN_CSRF_COOKIE: &str = "gj_csrf";

/// The signed-in caller.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub user: User,
    pub actor: Actor,
    pub csrf: String,
    pub token: String,
    pub lang: Lang,
    /// The data version read with the session (the key of [`crate::reads::Reads`]).
    pub data_version: i64,
}

impl Ctx {
    pub fn role(&self) -> Role {
        self.user.role_enum()
    }

    /// Shorthand: `access::may(&ctx.actor, Permission::…)`.
    pub fn may(&self, p: gongjiang_storage::access::Permission<'_>) -> bool {
        gongjiang_storage::access::may(&self.actor, p)
    }

    /// The organisation a form is about: the account's own for an account bound to it
    /// (empty when it has none), otherwise what the form says.
    pub fn fixed_org(&self, given: &str) -> String {
        if gongjiang_storage::access::bound_to_own_org(&self.actor) {
            self.actor.org_id.map(|o| o.to_string()).unwrap_or_default()
        } else {
            given.to_string()
        }
    }
}

/// A rule about which roles may call a handler.
pub trait Guard: Send + Sync + 'static {
    fn allows(actor: &gongjiang_storage::scope::Actor) -> bool;
}

pub struct AnyRole;
impl Guard for AnyRole {
    fn allows(_: &gongjiang_storage::scope::Actor) -> bool {
        true
    }
}
pub struct Admin;
impl Guard for Admin {
    fn allows(actor: &gongjiang_storage::scope::Actor) -> bool {
        gongjiang_storage::access::may(actor, gongjiang_storage::access::Permission::ManageAccounts)
    }
}
pub struct AuditReader;
impl Guard for AuditReader {
    fn allows(actor: &gongjiang_storage::scope::Actor) -> bool {
        gongjiang_storage::access::may(actor, gongjiang_storage::access::Permission::ReadAudit)
    }
}
pub struct OrgReader;
impl Guard for OrgReader {
    fn allows(actor: &gongjiang_storage::scope::Actor) -> bool {
        gongjiang_storage::access::may(actor, gongjiang_storage::access::Permission::ReadRegisters)
    }
}
pub struct OrgEditor;
impl Guard for OrgEditor {
    fn allows(actor: &gongjiang_storage::scope::Actor) -> bool {
        gongjiang_storage::access::may(actor, gongjiang_storage::access::Permission::EditRegisters)
    }
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
}

/// The client's address as the `client_addr` middleware resolved it (the peer's, or
/// the forwarded one behind a trusted proxy).
pub fn client_ip(parts: &Parts) -> String {
    parts
        .extensions
        .get::<crate::ClientAddr>()
        .map(|c| c.0.clone())
        .or_else(|| {
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
        })
        .unwrap_or_default()
}

pub fn set_cookie(name: &str, value: &str, max_age: Option<u64>, secure: bool) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(a) = max_age {
        c.push_str(&format!("; Max-Age={a}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

async fn resolve(
    parts: &Parts,
    st: &AppState,
    token: &str,
    kind: &str,
) -> Result<Option<Ctx>, AppError> {
    let ttl = match kind {
        "web" => st.cfg.session_ttl,
        _ => st.cfg.token_ttl,
    };
    let Some(s) = st.svc.session(token, ttl.as_millis() as i64).await? else {
        return Ok(None);
    };
    if s.kind != kind {
        return Ok(None);
    }
    let actor = s.user.actor(&client_ip(parts));
    Ok(Some(Ctx {
        user: s.user,
        actor,
        csrf: s.csrf,
        token: token.to_string(),
        lang: Lang::detect(parts),
        data_version: s.data_version,
    }))
}

/// A signed-in console user whose role passes `G`. Not signed in: redirect to /login.
pub struct WebUser<G: Guard = AnyRole>(pub Ctx, pub PhantomData<G>);

impl<G: Guard> FromRequestParts<AppState> for WebUser<G> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let lang = Lang::detect(parts);
        if let Some(ctx) = parts.extensions.get::<Ctx>() {
            if !G::allows(&ctx.actor) {
                return Err(UiError(
                    AppError::Store(gongjiang_storage::StoreError::Forbidden),
                    lang,
                )
                .into_response());
            }
            return Ok(WebUser(ctx.clone(), PhantomData));
        }
        let token = cookie(&parts.headers, SESSION_COOKIE).unwrap_or_default();
        let ctx = resolve(parts, st, &token, "web")
            .await
            .map_err(|e| UiError(e, lang).into_response())?;
        let Some(ctx) = ctx else {
            let next = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            if parts.method == Method::GET && !parts.headers.contains_key("hx-request") {
                let to = format!(
                    "/login?next={}",
                    url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
                return Err(Redirect::to(&to).into_response());
            }
            let mut r = UiError(AppError::Unauthorized, lang).into_response();
            r.headers_mut().insert(
                "hx-redirect",
                axum::http::HeaderValue::from_static("/login"),
            );
            return Err(r);
        };
        // A user whose password was reset must choose a new one first: pages lead to
        // the password form, anything else is refused.
        if ctx.user.must_change_password
            && !parts.uri.path().starts_with("/account/password")
            && parts.uri.path() != "/logout"
        {
            if parts.method == Method::GET && !parts.headers.contains_key("hx-request") {
                return Err(Redirect::to("/account/password").into_response());
            }
            return Err(UiError(password_change_required(), lang).into_response());
        }
        if !G::allows(&ctx.actor) {
            return Err(UiError(
                AppError::Store(gongjiang_storage::StoreError::Forbidden),
                lang,
            )
            .into_response());
        }
        parts.extensions.insert(ctx.clone());
        Ok(WebUser(ctx, PhantomData))
    }
}

/// An API caller with a bearer token whose role passes `G`.
pub struct ApiUser<G: Guard = AnyRole>(pub Ctx, pub PhantomData<G>);

impl<G: Guard> FromRequestParts<AppState> for ApiUser<G> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let lang = Lang::detect(parts);
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .unwrap_or_default()
            .to_string();
        let ctx = resolve(parts, st, &token, "api").await?;
        let Some(ctx) = ctx else {
            return Err(ApiError(AppError::Unauthorized, lang));
        };
        // After a reset, the API does one thing: change the password (or log out).
        if ctx.user.must_change_password
            && !(parts.method == Method::POST
                && matches!(
                    parts.uri.path(),
                    "/api/v1/me/password" | "/api/v1/auth/logout"
                ))
        {
            return Err(ApiError(password_change_required(), lang));
        }
        if !G::allows(&ctx.actor) {
            return Err(ApiError(
                AppError::Store(gongjiang_storage::StoreError::Forbidden),
                lang,
            ));
        }
        Ok(ApiUser(ctx, PhantomData))
    }
}

/// 403 `password_change_required`: the account's password was reset.
fn password_change_required() -> AppError {
    AppError::Store(gongjiang_storage::StoreError::denied(
        Code::PasswordChangeRequired,
        "您的密码已被重置，请先修改密码（POST /api/v1/me/password 或控制台“修改密码”）",
        "your password was reset: change it first (POST /api/v1/me/password or the console's Change password)",
    ))
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A url-encoded form posted from the console with a valid `_csrf` field. Must follow a
/// `WebUser` extractor in the handler's arguments.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, st: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let lang = Lang::detect(&parts);
        let Some(ctx) = parts.extensions.get::<Ctx>().cloned() else {
            return Err(UiError(AppError::Unauthorized, lang).into_response());
        };
        let bytes = Bytes::from_request(Request::from_parts(parts, body), st)
            .await
            .map_err(|_| UiError(AppError::PayloadTooLarge, lang).into_response())?;
        let pairs: Vec<(String, String)> =
            url::form_urlencoded::parse(&bytes).into_owned().collect();
        let token = pairs
            .iter()
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        if !constant_eq(token, &ctx.csrf) {
            return Err(UiError(AppError::Csrf, lang).into_response());
        }
        let form = serde_urlencoded::from_bytes::<T>(&bytes).map_err(|e| {
            UiError(
                AppError::bad_request(
                    Code::MalformedForm,
                    format!("表单格式错误：{e}"),
                    format!("malformed form: {e}"),
                ),
                lang,
            )
            .into_response()
        })?;
        Ok(CsrfForm(form))
    }
}

/// A JSON body: 415 without a JSON content type, 400 if it is not JSON, 422 naming the
/// field if it does not fit the type (wrong type, unknown field), 413 if too large.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, st: &AppState) -> Result<Self, Self::Rejection> {
        let lang = Lang::detect_from(req.uri(), req.headers());
        let ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !ct.starts_with("application/json") {
            return Err(ApiError(AppError::UnsupportedMediaType, lang));
        }
        let bytes = Bytes::from_request(req, st)
            .await
            .map_err(|_| ApiError(AppError::PayloadTooLarge, lang))?;
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            ApiError(
                AppError::bad_request(
                    Code::MalformedJson,
                    format!("请求体不是有效的 JSON:{e}"),
                    format!("the body is not valid JSON: {e}"),
                ),
                lang,
            )
        })?;
        let v: T = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.inner().to_string();
            let field = if path == "." {
                unknown_field(&inner).unwrap_or_default()
            } else {
                path
            };
            // Say in Chinese what serde says in English (the English stays for `lang=en`).
            let zh = if inner.starts_with("unknown field") {
                format!("未知字段“{field}”（拼写错误的字段不会被忽略）")
            } else if inner.starts_with("missing field") {
                format!("缺少必填字段“{field}”")
            } else if inner.starts_with("invalid type") {
                format!("字段“{field}”的类型错误（应为{}）", expected_zh(&inner))
            } else if inner.starts_with("invalid value") {
                format!("字段“{field}”的取值无效")
            } else {
                format!("字段“{field}”格式错误")
            };
            let err = gongjiang_domain::FieldError::new(
                field.clone(),
                gongjiang_domain::Rule::BadFormat,
                zh,
                format!("field '{field}': {inner}"),
            );
            ApiError(AppError::invalid(err), lang)
        })?;
        Ok(ApiJson(v))
    }
}

/// The field named by serde's "unknown field `x`" or "missing field `x`".
fn unknown_field(msg: &str) -> Option<String> {
    let rest = msg
        .strip_prefix("unknown field `")
        .or_else(|| msg.strip_prefix("missing field `"))?;
    Some(rest.split('`').next()?.to_string())
}

/// What serde expected, in Chinese ("expected a string" → 文本).
fn expected_zh(msg: &str) -> &'static str {
    let exp = msg.rsplit("expected ").next().unwrap_or("");
    if exp.contains("string") {
        "文本"
    } else if exp.contains("bool") {
        "true 或 false"
    } else if exp.contains("i64") || exp.contains("integer") || exp.contains("u64") {
        "整数"
    } else if exp.contains("map") || exp.contains("struct") {
        "对象"
    } else if exp.contains("sequence") {
        "数组"
    } else {
        "其他类型"
    }
}

/// The caller's address (empty if unknown).
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(parts)))
    }
}
