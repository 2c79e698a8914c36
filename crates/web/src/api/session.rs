//! Signing in and out, and the caller's own account (`/api/v1/auth/*`, `/api/v1/me`).
use super::ErrorBody;
use crate::auth::{set_cookie, ApiJson, ApiUser};
use crate::error::{ApiError, AppError};
use crate::i18n::Lang;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use gongjiang_storage::users::User;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    username: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    token: String,
    /// RFC 3339.
    expires_at: String,
    user: User,
}

/// Signs in and returns a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", security(()), request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, description = "unknown user or wrong password (one answer for both)", body = ErrorBody), (status = 429, body = ErrorBody)))]
pub(super) async fn login(
    State(st): State<AppState>,
    lang: Lang,
    crate::auth::ClientIp(ip): crate::auth::ClientIp,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    crate::throttle::before_login(&st, &body.username, &ip).await?;
    match st
        .svc
        .authenticate(&body.username, &body.password, &ip)
        .await?
    {
        Some(user) => {
            crate::throttle::after_success(&st, &body.username, &ip).await?;
            let (token, _csrf, exp) = st
                .svc
                .start_session(&user, "api", st.cfg.token_ttl.as_millis() as i64)
                .await?;
            let expires_at = chrono::DateTime::from_timestamp_millis(exp)
                .map(|t| t.to_rfc3339())
                .unwrap_or_default();
            Ok(
                Json(serde_json::json!({"token": token, "expires_at": expires_at, "user": user}))
                    .into_response(),
            )
        }
        None => Err(ApiError(AppError::LoginFailed, lang)),
    }
}

/// Ends the token's session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204), (status = 401, body = ErrorBody)))]
pub(super) async fn logout(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
) -> Result<StatusCode, ApiError> {
    st.svc.logout(&ctx.actor, &ctx.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's account.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = User), (status = 401, body = ErrorBody)))]
pub(super) async fn me(ApiUser(ctx, ..): ApiUser) -> Json<User> {
    Json(ctx.user)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeBody {
    /// Where notifications are e-mailed (when the platform sends e-mail); "" clears it.
    email: Option<String>,
}

/// Changes the caller's own settings: the e-mail address for notifications.
#[utoipa::path(patch, path = "/api/v1/me", tag = "auth", request_body = UpdateMeBody,
    responses((status = 200, body = User), (status = 422, body = ErrorBody)))]
pub(super) async fn update_me(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiJson(b): ApiJson<UpdateMeBody>,
) -> Result<Json<User>, ApiError> {
    match b.email {
        Some(e) => Ok(Json(
            st.svc.set_user_email(&ctx.actor, ctx.user.id, &e).await?,
        )),
        None => Ok(Json(ctx.user)),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordBody {
    current_password: String,
    new_password: String,
}

/// Changes the caller's own password.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", request_body = ChangePasswordBody,
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub(super) async fn change_password(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiJson(b): ApiJson<ChangePasswordBody>,
) -> Result<StatusCode, ApiError> {
    st.svc
        .change_own_password(&ctx.actor, &ctx.token, &b.current_password, &b.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn set_session_cookie(token: &str, max_age: u64, secure: bool) -> String {
    set_cookie(crate::auth::SESSION_COOKIE, token, Some(max_age), secure)
}
