//! Console pages of the policy library: search (Chinese full text, category and level
//! filters, highlighted snippets), a document page, and adding documents with a file.
use super::{render, save_or_show, Errors, Layout};
use crate::auth::{CsrfForm, Ctx, WebUser};
use crate::error::{AppError, UiError};
use crate::i18n::T;
use crate::upload::{MultipartForm, UiMultipart};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use gongjiang_storage::policies::{label, Policy, PolicyFilter, PolicyInput, CATEGORIES, LEVELS};
use gongjiang_storage::service::Service;
use gongjiang_storage::{Page, StoreError};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/policies",
            get(list)
                .post(create)
                .layer(axum::extract::DefaultBodyLimit::max(32 * 1024 * 1024)),
        )
        .route("/policies/new", get(new))
        .route("/policies/{id}", get(show))
        .route("/policies/{id}/edit", get(edit).post(update))
        .route("/policies/{id}/delete", post(delete))
}

/// True when the user may add documents (the access policy decides; the use cases
/// decide again).
fn may_publish(ctx: &Ctx) -> bool {
    Service::may_publish_policies(&ctx.actor)
}

/// Escapes text and wraps each query word in `<mark>`.
pub fn highlight(text: &str, q: &str) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let mut out = esc(text);
    for w in q.split_whitespace() {
        let w = esc(w);
        if !w.is_empty() {
            out = out.replace(&w, &format!("<mark>{w}</mark>"));
        }
    }
    out
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ListQuery {
    q: String,
    category: String,
    level: String,
    page: String,
}

#[derive(Template)]
#[template(path = "policies_list.html")]
struct ListPage {
    l: Layout,
    page: Page<Policy>,
    q: ListQuery,
    categories: Vec<(&'static str, &'static str)>,
    levels: Vec<(&'static str, &'static str)>,
    can_edit: bool,
    prev: String,
    next: String,
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn list(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    let page_no = q.page.parse::<i64>().unwrap_or(1).max(1);
    let f = PolicyFilter {
        q: Some(q.q.clone()).filter(|s| !s.trim().is_empty()),
        category: Some(q.category.clone()).filter(|s| !s.is_empty()),
        level: Some(q.level.clone()).filter(|s| !s.is_empty()),
        page: page_no,
        per_page: 20,
    };
    let page = st.svc.search_policies(&ctx.actor, &f).await?;
    let link = |p: i64| {
        format!(
            "/policies?q={}&category={}&level={}&page={p}",
            enc(&q.q),
            q.category,
            q.level
        )
    };
    let l = Layout::new(
        &ctx,
        "/policies",
        t.s("nav.policies"),
        vec![(t.s("nav.policies"), String::new())],
    );
    render(
        &ListPage {
            l,
            prev: link(page_no.saturating_sub(1)),
            next: link(page_no.saturating_add(1)),
            page,
            q,
            categories: CATEGORIES
                .iter()
                .map(|(c, zh, e)| (*c, if en { *e } else { *zh }))
                .collect(),
            levels: LEVELS
                .iter()
                .map(|(c, zh, e)| (*c, if en { *e } else { *zh }))
                .collect(),
            can_edit: may_publish(&ctx),
        },
        lang,
    )
}

pub fn category_label(code: &str, en: bool) -> &'static str {
    label(CATEGORIES, code, en)
}

pub fn level_label(code: &str, en: bool) -> &'static str {
    label(LEVELS, code, en)
}

#[derive(Template)]
#[template(path = "policy_detail.html")]
struct DetailPage {
    l: Layout,
    p: Policy,
    can_edit: bool,
}

async fn show(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let id = crate::ui::lists::id_of(&id, lang)?;
    let p = st.svc.get_policy(&ctx.actor, id).await?;
    let l = Layout::new(
        &ctx,
        "/policies",
        p.title.clone(),
        vec![
            (t.s("nav.policies"), "/policies".into()),
            (p.title.clone(), String::new()),
        ],
    );
    let can_edit = Service::may_change_policy(&ctx.actor, &p);
    render(&DetailPage { l, p, can_edit }, lang)
}

/// The fields the policy form shows (a refusal on any other is shown over the form).
const FIELDS: &[&str] = crate::api::policies::FORM_FIELDS;

#[derive(Template)]
#[template(path = "policy_form.html")]
struct FormPage {
    l: Layout,
    f: FormValues,
    e: Errors,
    /// Shown above the form when the text was read from the file but the form has
    /// other errors (the browser forgets the chosen file).
    notice: String,
    categories: Vec<(&'static str, &'static str)>,
    levels: Vec<(&'static str, &'static str)>,
    /// For an edit: the document's id and the version read.
    edit: Option<(i64, i64)>,
}

#[derive(Default, Clone)]
struct FormValues {
    title: String,
    doc_no: String,
    issuer: String,
    category: String,
    level: String,
    issued_on: String,
    body: String,
}

fn form_page(
    ctx: &Ctx,
    f: FormValues,
    e: Errors,
    notice: String,
    edit: Option<(i64, i64)>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    if !may_publish(ctx) {
        return Err(UiError(AppError::Store(StoreError::Forbidden), lang));
    }
    let title = t.s(if edit.is_some() {
        "policies.edit"
    } else {
        "policies.new"
    });
    let mut crumbs = vec![(t.s("nav.policies"), "/policies".to_string())];
    if let Some((id, _)) = edit {
        crumbs.push((f.title.clone(), format!("/policies/{id}")));
    }
    crumbs.push((title.clone(), String::new()));
    let l = Layout::new(ctx, "/policies", title, crumbs);
    // Only the levels this account publishes at (and, on an edit, the current one).
    let allowed = gongjiang_storage::access::policy_levels(ctx.role());
    let status = if !e.any() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut r = render(
        &FormPage {
            l,
            e,
            notice,
            categories: CATEGORIES
                .iter()
                .map(|(c, zh, e)| (*c, if en { *e } else { *zh }))
                .collect(),
            levels: LEVELS
                .iter()
                .filter(|(c, _, _)| allowed.contains(c) || *c == f.level)
                .map(|(c, zh, e)| (*c, if en { *e } else { *zh }))
                .collect(),
            f,
            edit,
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

async fn new(WebUser(ctx, ..): WebUser) -> Result<Response, UiError> {
    form_page(
        &ctx,
        FormValues::default(),
        Errors::default(),
        String::new(),
        None,
    )
}

/// The edit form of a document the user's office owns (others' answer 404).
async fn edit(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = crate::ui::lists::id_of(&id, lang)?;
    let p = st.svc.get_policy(&ctx.actor, id).await?;
    if !Service::may_change_policy(&ctx.actor, &p) {
        return Err(UiError(AppError::Store(StoreError::NotFound), lang));
    }
    let f = FormValues {
        title: p.title.clone(),
        doc_no: p.doc_no.clone().unwrap_or_default(),
        issuer: p.issuer.clone().unwrap_or_default(),
        category: p.category.clone(),
        level: p.level.clone(),
        issued_on: p.issued_on.clone().unwrap_or_default(),
        body: p.body.clone(),
    };
    form_page(
        &ctx,
        f,
        Errors::default(),
        String::new(),
        Some((p.id, p.version)),
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EditForm {
    title: String,
    doc_no: String,
    issuer: String,
    category: String,
    level: String,
    issued_on: String,
    body: String,
    version: i64,
}

async fn update(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(b): CsrfForm<EditForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = crate::ui::lists::id_of(&id, lang)?;
    let s = |v: &str| Some(v.trim().to_string());
    let input = PolicyInput {
        title: s(&b.title),
        doc_no: s(&b.doc_no),
        issuer: s(&b.issuer),
        category: s(&b.category),
        level: s(&b.level),
        issued_on: s(&b.issued_on),
        body: s(&b.body),
        version: Some(b.version),
    };
    save_or_show(
        lang,
        st.svc.update_policy(&ctx.actor, id, &input).await,
        |p| format!("/policies/{}", p.id),
        |r| async move {
            let f = FormValues {
                title: b.title,
                doc_no: b.doc_no,
                issuer: b.issuer,
                category: b.category,
                level: b.level,
                issued_on: b.issued_on,
                body: b.body,
            };
            form_page(
                &ctx,
                f,
                Errors::of_fields(r, FIELDS),
                String::new(),
                Some((id, b.version)),
            )
        },
    )
    .await
}

async fn create(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    UiMultipart(m): UiMultipart,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    if !may_publish(&ctx) {
        return Err(UiError(AppError::Store(StoreError::Forbidden), lang));
    }
    let form = MultipartForm::read(m).await?;
    form.check_csrf(&ctx.csrf)?;
    let v = |k: &str| form.text(k).unwrap_or("").to_string();
    let mut f = FormValues {
        title: v("title"),
        doc_no: v("doc_no"),
        issuer: v("issuer"),
        category: v("category"),
        level: v("level"),
        issued_on: v("issued_on"),
        body: v("body"),
    };
    let mut file = form.files_of("file").into_iter().next();
    let mut notice = String::new();
    // An empty text is read from the file (PDF, Word .docx, .txt); a file without
    // readable text (a scan) is sent back with a message at the text field.
    if f.body.trim().is_empty() {
        if let Some((name, bytes)) = file.take() {
            match crate::api::policies::text_for_body(name, bytes).await {
                Ok((name, bytes, text)) => {
                    notice = if lang.is_en() {
                        format!("The text was read from '{name}'. Correct the fields marked below, choose the original file again and save.")
                    } else {
                        format!("已从“{name}”读取正文。请修改下列错误，重新选择原文文件后保存。")
                    };
                    f.body = text;
                    file = Some((name, bytes));
                }
                Err(e) => {
                    let msg = if lang.is_en() {
                        e.detail_en
                    } else {
                        e.detail_zh
                    };
                    return form_page(&ctx, f, Errors::field(&e.field, msg), String::new(), None);
                }
            }
        }
    }
    let s = |v: &str| Some(v.to_string()).filter(|v| !v.trim().is_empty());
    let input = PolicyInput {
        title: s(&f.title),
        doc_no: s(&f.doc_no),
        issuer: s(&f.issuer),
        category: s(&f.category),
        level: s(&f.level),
        issued_on: s(&f.issued_on),
        body: s(&f.body),
        version: None,
    };
    save_or_show(
        lang,
        st.svc.create_policy(&ctx.actor, &input, file).await,
        |p| format!("/policies/{}", p.id),
        |r| async move { form_page(&ctx, f, Errors::of_fields(r, FIELDS), notice, None) },
    )
    .await
}

#[derive(Deserialize, Default)]
struct Empty {}

async fn delete(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = crate::ui::lists::id_of(&id, lang)?;
    st.svc.delete_policy(&ctx.actor, id).await?;
    Ok(Redirect::to("/policies").into_response())
}
