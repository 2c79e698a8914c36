//! The console: server-rendered pages (askama, escaping on) with htmx partials.
pub mod assessment;
pub mod audit;
pub mod cases;
pub mod charts;
pub mod contacts;
pub mod contests;
pub mod craftsmen;
pub mod forms;
pub mod imports;
pub mod innovations;
pub mod lists;
pub mod liuyou;
pub mod nav;
pub mod orgs;
mod pages;
pub mod policies;
pub mod registers;
pub mod reports;
pub mod search;
pub mod studios;
pub mod tasks;
pub mod training;
pub mod users;
pub mod workers;

/// Every console route.
pub fn router() -> axum::Router<crate::AppState> {
    pages::router()
        .merge(registers::router())
        .merge(training::router())
        .merge(contests::router())
        .merge(craftsmen::router())
        .merge(studios::router())
        .merge(innovations::router())
        .merge(reports::router())
        .merge(imports::router())
        .merge(workers::router())
        .merge(cases::router())
        .merge(assessment::router())
        .merge(contacts::router())
        .merge(tasks::router())
        .merge(liuyou::router())
        .merge(policies::router())
        .merge(search::router())
        .merge(audit::router())
        .merge(users::router())
        .merge(orgs::router())
}

use crate::auth::Ctx;
use crate::error::UiError;
use crate::i18n::{Lang, T};
use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use gongjiang_domain::FieldError;
use gongjiang_storage::users::User;
use std::collections::{BTreeMap, HashMap};

/// What every console page shares: who is signed in, the navigation, breadcrumbs.
pub struct Layout {
    pub t: T,
    pub title: String,
    pub user: User,
    pub role_label: String,
    pub csrf: String,
    pub nav: Vec<nav::GroupView>,
    pub crumbs: Vec<(String, String)>,
    pub other_lang: String,
    pub scripts: Vec<&'static str>,
    /// The top bar's search box: shown to every role that may search something, and
    /// filled in on the results page.
    pub can_search: bool,
    pub search_q: String,
}

impl Layout {
    pub fn new(ctx: &Ctx, path: &str, title: String, crumbs: Vec<(String, String)>) -> Layout {
        let t = T(ctx.lang);
        let role = ctx.role();
        let other = if ctx.lang.is_en() { "zh" } else { "en" };
        Layout {
            t,
            title,
            role_label: role.label(ctx.lang.is_en()).to_string(),
            user: ctx.user.clone(),
            csrf: ctx.csrf.clone(),
            nav: nav::view(t, &ctx.actor, path),
            crumbs,
            other_lang: format!("{path}?lang={other}"),
            scripts: Vec::new(),
            can_search: gongjiang_storage::access::may(
                &ctx.actor,
                gongjiang_storage::access::Permission::ReadPolicies,
            ),
            search_q: String::new(),
        }
    }

    /// The layout of a page under a list: the crumbs lead back to the list at `path`
    /// (named by the navigation key `list`), then the page's own title.
    pub fn under(ctx: &Ctx, path: &str, list: &str, title: String) -> Layout {
        let crumbs = vec![
            (crate::i18n::T(ctx.lang).s(list), path.to_string()),
            (title.clone(), String::new()),
        ];
        Layout::new(ctx, path, title, crumbs)
    }
    pub fn with_script(mut self, s: &'static str) -> Layout {
        self.scripts.push(s);
        self
    }
}

/// Field errors for a form: `{{ e.class("uscc") }}`, `{{ e.msg("uscc") }}`.
#[derive(Default)]
pub struct Errors {
    map: HashMap<String, String>,
    pub general: Vec<String>,
}

impl Errors {
    pub fn from(errs: &[FieldError], lang: Lang, known: &[&str]) -> Errors {
        let mut e = Errors::default();
        for f in errs {
            let msg = f.message(lang.is_en()).to_string();
            if known.contains(&f.field.as_str()) {
                e.map.entry(f.field.clone()).or_insert(msg);
            } else {
                e.general.push(msg);
            }
        }
        e
    }
    /// A refusal's messages: the first of each field beside it, the messages of no field
    /// over the form. For a page that shows every field the store may name (the task,
    /// meeting and body pages map the store's names to theirs first, `StoreError::on`,
    /// `Errors::rename`); where a form cannot say that, [`Errors::of_fields`] puts a
    /// message on any other field over the form, so none is lost.
    pub fn of(r: Refusal) -> Errors {
        let mut e = Errors::default();
        for (f, m) in r.items {
            if f.is_empty() {
                e.general.push(m);
            } else {
                e.map.entry(f).or_insert(m);
            }
        }
        e
    }
    /// A refusal's messages for a form that shows the fields `known`: each of those
    /// beside its field, every other message over the form (none is lost).
    pub fn of_fields(r: Refusal, known: &[&str]) -> Errors {
        let mut e = Errors::default();
        for (f, m) in r.items {
            if known.contains(&f.as_str()) {
                e.map.entry(f).or_insert(m);
            } else {
                e.general.push(m);
            }
        }
        e
    }
    /// A message beside field `f`, from a check the page makes before the store does.
    pub fn field(f: &str, msg: String) -> Errors {
        let mut e = Errors::default();
        e.map.insert(f.to_string(), msg);
        e
    }
    /// The message of field `from` shown beside `to` (a form that names a field
    /// otherwise than the store does).
    pub fn rename(&mut self, from: &str, to: &str) {
        if let Some(m) = self.map.remove(from) {
            self.map.insert(to.to_string(), m);
        }
    }
    pub fn any(&self) -> bool {
        !self.map.is_empty() || !self.general.is_empty()
    }
    pub fn has(&self, f: impl AsRef<str>) -> bool {
        self.map.contains_key(f.as_ref())
    }
    pub fn class(&self, f: impl AsRef<str>) -> &'static str {
        if self.has(f) {
            "has-error"
        } else {
            ""
        }
    }
    pub fn msg(&self, f: impl AsRef<str>) -> String {
        self.map.get(f.as_ref()).cloned().unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub t: T,
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

/// The one way a console form is saved: on success, redirect to where `to` says; on
/// field errors, show the form again as typed with each error next to its field (422),
/// through `again`; any other error is the error page. Nothing typed is lost.
///
/// ```ignore
/// save_form(lang, st.svc.create_class(&ctx.actor, &f.input()).await, FIELDS,
///     |c| format!("/training/{}", c.id),
///     |e| class_form(&st, &ctx, f, e, None)).await
/// ```
pub async fn save_form<V, E, Fut>(
    lang: Lang,
    result: Result<V, E>,
    fields: &[&str],
    to: impl FnOnce(&V) -> String,
    again: impl FnOnce(Errors) -> Fut,
) -> Result<Response, UiError>
where
    E: Into<crate::error::AppError>,
    Fut: std::future::Future<Output = Result<Response, UiError>>,
{
    match result {
        Ok(v) => Ok(axum::response::Redirect::to(&to(&v)).into_response()),
        Err(e) => {
            let e: crate::error::AppError = e.into();
            if e.field_errors().is_empty() {
                return Err(UiError(e, lang));
            }
            let errors = Errors::from(&e.field_errors(), lang, fields);
            let mut r = again(errors).await?;
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
    }
}

/// A refusal a user can act on, as a page shows it: each message with its field (`""`
/// for a conflict or a denial, which belong to no field), and the status the page is
/// answered with (422 for field errors, 409 for a conflict, 403 for a denial, as the API
/// answers them).
pub struct Refusal {
    pub items: Vec<(String, String)>,
    pub status: axum::http::StatusCode,
}

impl Refusal {
    /// `None` for an error no user can act on (missing, a fault): the error page.
    pub fn of(e: &gongjiang_storage::StoreError, en: bool) -> Option<Refusal> {
        use axum::http::StatusCode;
        use gongjiang_storage::StoreError;
        let (items, status) = match e {
            StoreError::Invalid(errs) => (
                errs.iter()
                    .map(|f| (f.field.clone(), f.message(en).to_string()))
                    .collect(),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            StoreError::Conflict { zh, en: e, .. } => (
                vec![(String::new(), if en { e } else { zh }.clone())],
                StatusCode::CONFLICT,
            ),
            StoreError::Denied { zh, en: e, .. } => (
                vec![(String::new(), if en { e } else { zh }.clone())],
                StatusCode::FORBIDDEN,
            ),
            _ => return None,
        };
        Some(Refusal { items, status })
    }

    /// The refusal in `e`, or the error page for an error no user can act on.
    pub fn or_error(e: gongjiang_storage::StoreError, lang: Lang) -> Result<Refusal, UiError> {
        Refusal::of(&e, lang.is_en()).ok_or_else(|| UiError(e.into(), lang))
    }

    /// The page `again` draws for this refusal, answered with the refusal's status.
    pub async fn show<Fut>(self, again: impl FnOnce(Refusal) -> Fut) -> Result<Response, UiError>
    where
        Fut: std::future::Future<Output = Result<Response, UiError>>,
    {
        let status = self.status;
        let mut r = again(self).await?;
        *r.status_mut() = status;
        Ok(r)
    }

    /// The first message of each field, and the messages of no field: for a form that
    /// shows each error beside its field and the rest over it.
    pub fn split(self) -> (BTreeMap<String, String>, Vec<String>) {
        let mut fields = BTreeMap::new();
        let mut general = Vec::new();
        for (f, m) in self.items {
            if f.is_empty() {
                general.push(m);
            } else {
                fields.entry(f).or_insert(m);
            }
        }
        (fields, general)
    }

    /// Every message, for a page that shows them all over the form or the record.
    pub fn messages(self) -> Vec<String> {
        self.items.into_iter().map(|(_, m)| m).collect()
    }
}

/// A save whose refusals a user can act on — field errors, a conflict, a denial — are
/// shown again on the page by `again`, which is given the [`Refusal`] and whose answer
/// gets the refusal's status; anything else is the error page; success redirects to
/// `to`. For pages that show a refusal over what was typed, or beside a record, rather
/// than field by field through [`Errors`] ([`save_form`]).
///
/// ```ignore
/// save_or_show(lang, st.svc.publish_results(&ctx.actor, id, &reason, en).await,
///     |_| format!("/assessment/results/{id}"),
///     |r| results_page(&st, &ctx, id, None, r.messages())).await
/// ```
pub async fn save_or_show<V, Fut>(
    lang: Lang,
    result: Result<V, gongjiang_storage::StoreError>,
    to: impl FnOnce(&V) -> String,
    again: impl FnOnce(Refusal) -> Fut,
) -> Result<Response, UiError>
where
    Fut: std::future::Future<Output = Result<Response, UiError>>,
{
    let e = match result {
        Ok(v) => return Ok(axum::response::Redirect::to(&to(&v)).into_response()),
        Err(e) => e,
    };
    Refusal::or_error(e, lang)?.show(again).await
}

pub fn render<Tpl: Template>(tpl: &Tpl, lang: Lang) -> Result<Response, UiError> {
    match tpl.render() {
        Ok(s) => Ok(Html(s).into_response()),
        Err(e) => Err(UiError(
            crate::error::AppError::Store(gongjiang_storage::StoreError::Other(format!(
                "template: {e}"
            ))),
            lang,
        )),
    }
}

pub async fn not_found(lang: Lang, uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::error::ApiError(
            crate::error::AppError::Store(gongjiang_storage::StoreError::NotFound),
            lang,
        )
        .into_response();
    }
    UiError(
        crate::error::AppError::Store(gongjiang_storage::StoreError::NotFound),
        lang,
    )
    .into_response()
}

/// A file size as people read it: `590 B`, `1.2 KB`, `340 KB`, `3.4 MB` (binary units,
/// one decimal below 100, the unit that keeps the number under 1,024).
/// Takes the size by value or by reference (templates pass references).
pub fn file_size(bytes: impl std::borrow::Borrow<i64>) -> String {
    let bytes = *bytes.borrow();
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1024 {
        return format!("{} B", bytes.max(0));
    }
    let mut v = bytes as f64 / 1024.0;
    let mut unit = 0;
    loop {
        let shown = if v < 99.95 {
            (v * 10.0).round() / 10.0
        } else {
            v.round()
        };
        if shown >= 1024.0 && unit + 1 < UNITS.len() {
            v /= 1024.0;
            unit += 1;
            continue;
        }
        let u = UNITS[unit];
        return if shown < 100.0 {
            format!("{shown:.1} {u}")
        } else {
            format!("{shown:.0} {u}")
        };
    }
}
