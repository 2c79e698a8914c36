//! Accounts in the console (`/admin/users`, administrators): list, create, edit role
//! and attachment, disable and enable, reset a password.
use super::orgs::{org_id, DetailQuery};
use super::pages::with_lang;
use super::{render, save_form, Errors, Layout};
use crate::auth::{Admin, CsrfForm, Ctx, WebUser};
use crate::error::{AppError, UiError};
use crate::i18n::T;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use gongjiang_domain::Role;
use gongjiang_storage::orgs;
use gongjiang_storage::users::User;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(users_list).post(user_create))
        .route("/admin/users/new", get(user_new))
        .route("/admin/users/{id}", get(user_edit).post(user_update))
        .route("/admin/users/{id}/status", post(user_status))
        .route("/admin/users/{id}/password", post(user_reset))
}

#[derive(Template)]
#[template(path = "users_list.html")]
struct UsersPage {
    l: Layout,
    users: Vec<User>,
}

pub fn role_label(role: &str, en: bool) -> String {
    Role::from_any(role)
        .map(|r| r.label(en).to_string())
        .unwrap_or_else(|| role.to_string())
}

async fn users_list(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<Admin>,
    uri: axum::http::Uri,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let users = st.svc.list_users(&ctx.actor).await?;
    let l = Layout::new(
        &ctx,
        "/admin/users",
        t.s("users.title"),
        vec![
            (t.s("nav.g.system"), String::new()),
            (t.s("users.title"), String::new()),
        ],
    );
    Ok(with_lang(
        &uri,
        lang,
        render(&UsersPage { l, users }, lang)?,
    ))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct UserForm {
    username: String,
    display_name: String,
    role: String,
    org: String,
    password: String,
    email: String,
}

const USER_FIELDS: &[&str] = &[
    "username",
    "display_name",
    "role",
    "org",
    "password",
    "email",
];

/// Checks the form's e-mail field before anything is written.
fn form_email(email: &str) -> Result<(), AppError> {
    gongjiang_storage::users::parse_email(email)
        .map(|_| ())
        .map_err(AppError::invalid)
}

#[derive(Template)]
#[template(path = "user_form.html")]
struct UserFormPage {
    l: Layout,
    f: UserForm,
    e: Errors,
    user: Option<User>,
    roles: Vec<(&'static str, &'static str)>,
    flash: Option<String>,
    reset_e: Errors,
    attach_options: Vec<(String, String)>,
}

async fn user_form_page(
    st: &AppState,
    ctx: &Ctx,
    f: UserForm,
    e: Errors,
    user: Option<User>,
    flash: Option<String>,
    reset_e: Errors,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    // Suggestions for the attachment field: every region, then member units, unions,
    // colleges and parks.
    let mut attach_options: Vec<(String, String)> = super::lists::region_names(st, ctx).await?;
    for kind in ["member_unit", "union", "college", "park"] {
        let f = orgs::Filter {
            kind: Some(kind.into()),
            per_page: 200,
            page: 1,
            ..Default::default()
        };
        for o in st.svc.list_orgs(&ctx.actor, &f).await?.items {
            attach_options.push((o.id.to_string(), o.name));
        }
    }
    let t = T(lang);
    let title = t.s(if user.is_some() {
        "users.edit"
    } else {
        "users.new"
    });
    let l = Layout::under(ctx, "/admin/users", "users.title", title);
    let roles = Role::ALL
        .iter()
        .map(|r| (r.code(), r.label(lang.is_en())))
        .collect();
    let status = if e.any() || reset_e.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut r = render(
        &UserFormPage {
            l,
            f,
            e,
            user,
            roles,
            flash,
            reset_e,
            attach_options,
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

async fn user_new(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<Admin>,
) -> Result<Response, UiError> {
    user_form_page(
        &st,
        &ctx,
        UserForm {
            role: "unit".into(),
            ..Default::default()
        },
        Errors::default(),
        None,
        None,
        Errors::default(),
    )
    .await
}

fn parse_role(s: &str) -> Result<Role, AppError> {
    Role::from_any(s).ok_or_else(|| {
        AppError::invalid(gongjiang_domain::FieldError::new(
            "role",
            gongjiang_domain::Rule::UnknownValue,
            "请选择角色",
            "choose a role",
        ))
    })
}

async fn user_create(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<Admin>,
    CsrfForm(f): CsrfForm<UserForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let r = match parse_role(&f.role).and_then(|r| form_email(&f.email).map(|_| r)) {
        Ok(role) => match st
            .svc
            .create_user(
                &ctx.actor,
                &f.username,
                &f.display_name,
                role,
                &f.org,
                &f.password,
                true,
            )
            .await
        {
            Ok(u) if !f.email.trim().is_empty() => st
                .svc
                .set_user_email(&ctx.actor, u.id, &f.email)
                .await
                .map_err(AppError::from),
            r => r.map_err(AppError::from),
        },
        Err(e) => Err(e),
    };
    save_form(
        lang,
        r,
        USER_FIELDS,
        |u| format!("/admin/users/{}?saved=1", u.id),
        |errors| user_form_page(&st, &ctx, f, errors, None, None, Errors::default()),
    )
    .await
}

fn user_form_of(u: &User) -> UserForm {
    UserForm {
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role.clone(),
        org: u
            .org_id
            .map(|o| o.to_string())
            .or(u.region_code.clone())
            .unwrap_or_default(),
        password: String::new(),
        email: u.email.clone().unwrap_or_default(),
    }
}

async fn user_edit(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<Admin>,
    Path(id): Path<String>,
    Query(q): Query<DetailQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = org_id(&id, lang)?;
    let u = st.svc.get_user(&ctx.actor, id).await?;
    let flash = match q.saved.as_str() {
        "" => None,
        "reset" => Some(T(lang).s("users.reset_done")),
        _ => Some(T(lang).s("common.saved")),
    };
    user_form_page(
        &st,
        &ctx,
        user_form_of(&u),
        Errors::default(),
        Some(u),
        flash,
        Errors::default(),
    )
    .await
}

async fn user_update(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<Admin>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<UserForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = org_id(&id, lang)?;
    let u = st.svc.get_user(&ctx.actor, id).await?;
    let r = match parse_role(&f.role).and_then(|r| form_email(&f.email).map(|_| r)) {
        Ok(role) => match st
            .svc
            .assign_user(&ctx.actor, id, &f.display_name, role, &f.org)
            .await
        {
            Ok(_) => st
                .svc
                .set_user_email(&ctx.actor, id, &f.email)
                .await
                .map_err(AppError::from),
            Err(e) => Err(AppError::from(e)),
        },
        Err(e) => Err(e),
    };
    let mut again = f;
    again.username = u.username.clone();
    save_form(
        lang,
        r,
        USER_FIELDS,
        |_| format!("/admin/users/{id}?saved=1"),
        |errors| user_form_page(&st, &ctx, again, errors, Some(u), None, Errors::default()),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StatusForm {
    disabled: String,
}

async fn user_status(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<Admin>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<StatusForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = org_id(&id, lang)?;
    st.svc
        .set_user_disabled(&ctx.actor, id, f.disabled == "1")
        .await?;
    Ok(Redirect::to("/admin/users").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ResetForm {
    new_password: String,
}

async fn user_reset(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<Admin>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<ResetForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = org_id(&id, lang)?;
    // Every rule broken is the new password's (the policy speaks of `password`).
    let result = st
        .svc
        .reset_password(&ctx.actor, id, &f.new_password)
        .await
        .map_err(|e| e.on("new_password"));
    save_form(
        lang,
        result,
        &["new_password"],
        |_| format!("/admin/users/{id}?saved=reset"),
        |reset| async {
            let u = st.svc.get_user(&ctx.actor, id).await?;
            user_form_page(
                &st,
                &ctx,
                user_form_of(&u),
                Errors::default(),
                Some(u),
                None,
                reset,
            )
            .await
        },
    )
    .await
}
