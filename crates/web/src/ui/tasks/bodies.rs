//! The joint-meeting bodies (联席会议机构): the new-body form and the body page with its
//! members.
use super::int;
use super::meetings::lines;
use crate::auth::{CsrfForm, Ctx, OrgReader, WebUser};
use crate::error::{AppError, UiError};
use crate::i18n::T;
use crate::ui::lists::id_of;
use crate::ui::Errors;
use crate::ui::{render, save_or_show, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use gongjiang_storage::access::Permission;
use gongjiang_storage::tasks::{Body, BodyEdit, BodyInput, Meeting, MeetingFilter};
use gongjiang_storage::{Page, StoreError};
use std::collections::BTreeMap;

#[derive(Template)]
#[template(path = "body_form.html")]
struct BodyFormPage {
    l: Layout,
    /// (code, name, level label) of the regions that have no body yet.
    regions: Vec<(String, String, &'static str)>,
    v: BTreeMap<String, String>,
    e: Errors,
}

impl BodyFormPage {
    fn val(&self, k: &str) -> String {
        self.v.get(k).cloned().unwrap_or_default()
    }
}

async fn body_form(
    st: &AppState,
    ctx: &Ctx,
    v: BTreeMap<String, String>,
    e: Errors,
    status: StatusCode,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    if !ctx.may(Permission::Coordinate) {
        return Err(UiError(AppError::Store(StoreError::Forbidden), lang));
    }
    let taken: Vec<String> = st
        .svc
        .writable_bodies(&ctx.actor, en)
        .await?
        .into_iter()
        .map(|b| b.region_code)
        .collect();
    let regions = st
        .svc
        .regions(&ctx.actor)
        .await?
        .into_iter()
        .filter(|r| !taken.contains(&r.code))
        .map(|r| {
            let label = r.level_label(en);
            (r.code, r.name, label)
        })
        .collect();
    let l = Layout::new(
        ctx,
        "/meetings",
        t.s("meetings.new_body"),
        vec![
            (t.s("nav.meetings"), "/meetings".into()),
            (t.s("meetings.new_body"), String::new()),
        ],
    );
    let mut r = render(&BodyFormPage { l, regions, v, e }, lang)?;
    *r.status_mut() = status;
    Ok(r)
}

pub(super) async fn new_body(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
) -> Result<Response, UiError> {
    let mut v = BTreeMap::new();
    v.insert(
        "region".to_string(),
        ctx.user.region_code.clone().unwrap_or_default(),
    );
    body_form(&st, &ctx, v, Errors::default(), StatusCode::OK).await
}

pub(super) async fn create_body(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let g = |k: &str| f.get(k).cloned().unwrap_or_default();
    let input = BodyInput {
        region: g("region"),
        name: g("name"),
        members: lines(&g("members")),
    };
    save_or_show(
        lang,
        st.svc.create_body(&ctx.actor, &input).await,
        |b| format!("/meetings/bodies/{}", b.id),
        |r| async move {
            let status = r.status;
            body_form(&st, &ctx, f, Errors::of(r), status).await
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "body_detail.html")]
struct BodyPage {
    l: Layout,
    b: Body,
    may_edit: bool,
    meetings: Page<Meeting>,
    /// What was typed (a refused edit), else the body's values.
    v: BTreeMap<String, String>,
    e: Errors,
}

impl BodyPage {
    fn val(&self, k: &str) -> String {
        self.v.get(k).cloned().unwrap_or_default()
    }
    /// Is the member's "keep" box ticked?
    fn kept(&self, org: &i64) -> bool {
        self.v.contains_key(&format!("member_{org}"))
    }
}

async fn body_detail(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    typed: Option<BTreeMap<String, String>>,
    e: Errors,
    status: StatusCode,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    let (b, may_edit) = st.svc.get_body(&ctx.actor, id, en).await?;
    let meetings = st
        .svc
        .list_meetings(
            &ctx.actor,
            &MeetingFilter {
                body_id: Some(id),
                page: 1,
                per_page: 200,
                ..Default::default()
            },
            en,
        )
        .await?;
    let v = match typed {
        Some(v) => v,
        None => {
            let mut v = BTreeMap::new();
            v.insert("name".to_string(), b.name.clone());
            v.insert("_version".to_string(), b.version.to_string());
            for m in &b.members {
                v.insert(format!("member_{}", m.org_id), "1".into());
            }
            v
        }
    };
    let l = Layout::new(
        ctx,
        "/meetings",
        b.name.clone(),
        vec![
            (t.s("nav.meetings"), "/meetings".into()),
            (b.name.clone(), String::new()),
        ],
    );
    let mut r = render(
        &BodyPage {
            l,
            b,
            may_edit,
            meetings,
            v,
            e,
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

pub(super) async fn body_page(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    body_detail(&st, &ctx, id, None, Errors::default(), StatusCode::OK).await
}

pub(super) async fn save_body(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    // The members kept (ticked) and the ones added (one per line).
    let mut members: Vec<String> = f
        .keys()
        .filter_map(|k| k.strip_prefix("member_"))
        .map(str::to_string)
        .collect();
    members.extend(lines(&f.get("add_members").cloned().unwrap_or_default()));
    let input = BodyEdit {
        version: f.get("_version").and_then(|v| int(v)),
        name: Some(f.get("name").cloned().unwrap_or_default()),
        members: Some(members),
    };
    save_or_show(
        lang,
        st.svc.update_body(&ctx.actor, id, &input).await,
        |_| format!("/meetings/bodies/{id}"),
        |r| async move {
            let status = r.status;
            body_detail(&st, &ctx, id, Some(f), Errors::of(r), status).await
        },
    )
    .await
}
