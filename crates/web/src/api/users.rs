//! User accounts (`/api/v1/users`).
use super::{parse_id, ErrorBody};
use crate::auth::{Admin, ApiJson, ApiUser};
use crate::error::{ApiError, AppError};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use gongjiang_domain::Role;
use gongjiang_storage::users::User;
use serde::Deserialize;
use utoipa::ToSchema;

pub type UserPage = gongjiang_storage::Page<User>;

/// All accounts (administrators only).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", responses((status = 200, body = UserPage), (status = 403, body = ErrorBody)))]
pub(super) async fn list_users(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<Admin>,
) -> Result<Json<UserPage>, ApiError> {
    let items = st.svc.list_users(&ctx.actor).await?;
    let n = items.len() as i64;
    Ok(Json(UserPage {
        items,
        total: n,
        page: 1,
        per_page: n,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    username: String,
    display_name: Option<String>,
    /// sysadmin, city, district, town, department, unit, expert or worker.
    role: String,
    /// A region code, a 统一社会信用代码 or an org id.
    org: String,
    password: String,
    /// Where notifications are e-mailed (optional).
    email: Option<String>,
}

fn parse_role(s: &str) -> Result<Role, AppError> {
    Role::from_any(s).ok_or_else(|| {
        AppError::invalid(gongjiang_domain::FieldError::new(
            "role",
            gongjiang_domain::Rule::UnknownValue,
            format!("未知角色“{s}”,应为 sysadmin、city、district、town、department、unit、expert、worker 之一"),
            format!("unknown role '{s}'"),
        ))
    })
}

/// Creates an account.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUserBody, responses((status = 201, body = User), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn create_user(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<Admin>,
    ApiJson(b): ApiJson<NewUserBody>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let role = parse_role(&b.role)?;
    // The address is checked before the account is made, so a bad one creates nothing.
    let email = b.email.as_deref().unwrap_or("");
    gongjiang_storage::users::parse_email(email)
        .map_err(|e| ApiError(AppError::invalid(e), ctx.lang))?;
    let mut u = st
        .svc
        .create_user(
            &ctx.actor,
            &b.username,
            b.display_name.as_deref().unwrap_or(""),
            role,
            &b.org,
            &b.password,
            false,
        )
        .await?;
    if !email.trim().is_empty() {
        u = st.svc.set_user_email(&ctx.actor, u.id, email).await?;
    }
    Ok((StatusCode::CREATED, Json(u)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserBody {
    display_name: Option<String>,
    role: Option<String>,
    org: Option<String>,
    disabled: Option<bool>,
    /// Where notifications are e-mailed; "" clears it.
    email: Option<String>,
}

/// Changes an account's name, role, attachment or status.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)), request_body = UpdateUserBody, responses((status = 200, body = User), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn update_user(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<Admin>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<UpdateUserBody>,
) -> Result<Json<User>, ApiError> {
    let lang = ctx.lang;
    let id = parse_id(&id, lang)?;
    let e = |e: gongjiang_storage::StoreError| ApiError(e.into(), lang);
    let mut u = st.svc.get_user(&ctx.actor, id).await.map_err(e)?;
    if let Some(m) = &b.email {
        gongjiang_storage::users::parse_email(m)
            .map_err(|er| ApiError(AppError::invalid(er), lang))?;
    }
    if b.display_name.is_some() || b.role.is_some() || b.org.is_some() {
        let role = match &b.role {
            Some(r) => parse_role(r)?,
            None => u.role_enum(),
        };
        let org = b.org.clone().unwrap_or_else(|| {
            u.org_id
                .map(|o| o.to_string())
                .or(u.region_code.clone())
                .unwrap_or_default()
        });
        let name = b.display_name.clone().unwrap_or(u.display_name.clone());
        u = st
            .svc
            .assign_user(&ctx.actor, id, &name, role, &org)
            .await
            .map_err(e)?;
    }
    if let Some(d) = b.disabled {
        u = st
            .svc
            .set_user_disabled(&ctx.actor, id, d)
            .await
            .map_err(e)?;
    }
    if let Some(m) = &b.email {
        u = st.svc.set_user_email(&ctx.actor, id, m).await.map_err(e)?;
    }
    Ok(Json(u))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    new_password: String,
}

/// Sets a new password (the user must change it at next sign-in; their sessions end).
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "users", params(("id" = i64, Path)), request_body = PasswordBody, responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn reset_password(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<Admin>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PasswordBody>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    st.svc
        .reset_password(&ctx.actor, id, &b.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
