//! The form machinery the contact and pairing pages share: fields, filling them
//! from a record, and the one form page for new and edited records.
use super::nav_crumbs;
use crate::auth::Ctx;
use crate::error::UiError;
use crate::i18n::T;
use crate::ui::{render, Layout, Refusal};
use crate::AppState;
use askama::Template;
use axum::response::{IntoResponse, Response};
use gongjiang_storage::StoreError;
use std::collections::BTreeMap;

/// A form field as the generic form template shows it.
pub struct Field {
    pub key: &'static str,
    pub label: String,
    /// text, date, number, select, textarea
    pub kind: &'static str,
    pub required: bool,
    pub choices: Vec<(String, String)>,
    pub value: String,
    pub help: String,
    pub error: String,
}

pub(super) fn field(key: &'static str, label: String, kind: &'static str, required: bool) -> Field {
    Field {
        key,
        label,
        kind,
        required,
        choices: Vec::new(),
        value: String::new(),
        help: String::new(),
        error: String::new(),
    }
}

impl Field {
    pub(super) fn choices(mut self, c: Vec<(String, String)>) -> Field {
        self.choices = c;
        self
    }
    pub(super) fn help(mut self, h: String) -> Field {
        self.help = h;
        self
    }
}

/// Fills values from what was typed and puts each error next to its field; errors of
/// other fields (or none) become general messages.
pub(super) fn fill(
    fields: &mut [Field],
    data: &BTreeMap<String, String>,
    e: Option<&Refusal>,
) -> Vec<String> {
    for f in fields.iter_mut() {
        if let Some(v) = data.get(f.key) {
            f.value = v.clone();
        }
    }
    let mut general = Vec::new();
    for (key, msg) in e.map(|r| r.items.clone()).unwrap_or_default() {
        match fields.iter_mut().find(|f| !key.is_empty() && f.key == key) {
            Some(f) if f.error.is_empty() => f.error = msg,
            _ => general.push(msg),
        }
    }
    general
}

#[derive(Template)]
#[template(path = "contact_form.html")]
struct FormPage {
    l: Layout,
    heading: String,
    action: String,
    fields: Vec<Field>,
    general: Vec<String>,
    back: String,
    /// The version of the record being changed (an edit form).
    version: Option<String>,
    /// The submit button's label.
    submit: String,
    /// A note above the form (what the record is).
    intro: String,
}

pub(super) fn opts<E: Copy>(
    all: &[E],
    code: fn(E) -> &'static str,
    label: fn(E, bool) -> &'static str,
    en: bool,
) -> Vec<(String, String)> {
    all.iter()
        .map(|e| (code(*e).to_string(), label(*e, en).to_string()))
        .collect()
}

pub(super) fn form_page(
    ctx: &Ctx,
    heading: &str,
    action: &str,
    fields: Vec<Field>,
    data: &BTreeMap<String, String>,
    e: Option<&Refusal>,
) -> Result<Response, UiError> {
    form_page_for(ctx, heading, action, &Edit::default(), fields, data, e)
}

/// What an edit form adds to a new-record form: where "cancel" leads, the record's
/// version, the submit label and a line saying which record it is.
#[derive(Default)]
pub(super) struct Edit {
    pub(super) back: Option<String>,
    pub(super) submit: Option<&'static str>,
    pub(super) intro: String,
}

pub(super) fn form_page_for(
    ctx: &Ctx,
    heading: &str,
    action: &str,
    edit: &Edit,
    mut fields: Vec<Field>,
    data: &BTreeMap<String, String>,
    e: Option<&Refusal>,
) -> Result<Response, UiError> {
    let t = T(ctx.lang);
    let general = fill(&mut fields, data, e);
    let (key, list) = if action.starts_with("/pairs") {
        ("nav.pairs", "/pairs")
    } else {
        ("nav.contacts", "/contacts")
    };
    let back = edit.back.clone().unwrap_or_else(|| list.to_string());
    let back = back.as_str();
    let l = Layout::new(
        ctx,
        list,
        t.s(heading),
        nav_crumbs(t, key, list, Some(t.s(heading))),
    );
    let page = render(
        &FormPage {
            l,
            heading: t.s(heading),
            action: action.to_string(),
            fields,
            general,
            back: back.to_string(),
            version: data.get("_version").cloned(),
            submit: t.s(edit.submit.unwrap_or("common.save")),
            intro: edit.intro.clone(),
        },
        ctx.lang,
    )?;
    Ok(with_status(page, e))
}

pub(super) fn field_of(data: &BTreeMap<String, String>, k: &str) -> String {
    data.get(k).cloned().unwrap_or_default()
}

pub(super) fn opt(data: &BTreeMap<String, String>, k: &str) -> Option<String> {
    data.get(k)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// What a record's form shows: the page's edit line, its fields and the values of a
/// form not yet typed in (the record as it is, with its `_version`).
pub(super) struct Shown {
    pub(super) edit: Edit,
    pub(super) fields: Vec<Field>,
    pub(super) fresh: BTreeMap<String, String>,
}

/// The key of a record in a form's path: one id (`/pairs/{id}/end`) or two
/// (`/pairs/{id}/activities/{aid}/edit`).
pub(super) trait Key: Copy + Send + Sync + 'static {
    fn from_ids(ids: &[i64]) -> Option<Self>;
}

impl Key for i64 {
    fn from_ids(ids: &[i64]) -> Option<i64> {
        match ids {
            [id] => Some(*id),
            _ => None,
        }
    }
}

impl Key for (i64, i64) {
    fn from_ids(ids: &[i64]) -> Option<(i64, i64)> {
        match ids {
            [a, b] => Some((*a, *b)),
            _ => None,
        }
    }
}

/// A form that changes one record on the generic form page: how it shows the record
/// and how it saves what was typed. `record_form` and `record_save` are its two
/// handlers, so a correction form is this impl and one route line.
pub(super) trait RecordForm: Send + Sync + 'static {
    type Key: Key;
    /// The heading's message key.
    const HEADING: &'static str;
    /// The path the form posts to.
    fn action(key: Self::Key) -> String;
    /// The record as the form shows it; `again` is set when the form comes back with
    /// errors (a record the caller may no longer change still shows what was typed).
    fn show(
        st: &AppState,
        ctx: &Ctx,
        key: Self::Key,
        again: bool,
    ) -> impl std::future::Future<Output = Result<Shown, UiError>> + Send;
    /// Saves what was typed; where to go next.
    fn save(
        st: &AppState,
        ctx: &Ctx,
        key: Self::Key,
        data: &BTreeMap<String, String>,
    ) -> impl std::future::Future<Output = Result<String, StoreError>> + Send;
}

fn key_of<K: Key>(raw: &[String], lang: crate::i18n::Lang) -> Result<K, UiError> {
    let ids: Option<Vec<i64>> = raw.iter().map(|s| s.parse::<i64>().ok()).collect();
    ids.as_deref()
        .and_then(K::from_ids)
        .ok_or_else(|| crate::ui::lists::missing(lang))
}

async fn record_page<F: RecordForm>(
    st: &AppState,
    ctx: &Ctx,
    key: F::Key,
    typed: Option<&BTreeMap<String, String>>,
    e: Option<&Refusal>,
) -> Result<Response, UiError> {
    let s = F::show(st, ctx, key, e.is_some()).await?;
    form_page_for(
        ctx,
        F::HEADING,
        &F::action(key),
        &s.edit,
        s.fields,
        typed.unwrap_or(&s.fresh),
        e,
    )
}

/// GET: the form filled with the record.
pub(super) async fn record_form<F: RecordForm>(
    axum::extract::State(st): axum::extract::State<AppState>,
    crate::auth::WebUser(ctx, ..): crate::auth::WebUser<crate::auth::OrgReader>,
    axum::extract::Path(raw): axum::extract::Path<Vec<String>>,
) -> Result<Response, UiError> {
    let key = key_of::<F::Key>(&raw, ctx.lang)?;
    record_page::<F>(&st, &ctx, key, None, None).await
}

/// POST: saves and goes on, or shows the form again as typed with its errors.
pub(super) async fn record_save<F: RecordForm>(
    axum::extract::State(st): axum::extract::State<AppState>,
    crate::auth::WebUser(ctx, ..): crate::auth::WebUser<crate::auth::OrgReader>,
    axum::extract::Path(raw): axum::extract::Path<Vec<String>>,
    crate::auth::CsrfForm(data): crate::auth::CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let key = key_of::<F::Key>(&raw, ctx.lang)?;
    match F::save(&st, &ctx, key, &data).await {
        Ok(to) => Ok(axum::response::Redirect::to(&to).into_response()),
        Err(e) => {
            let r = Refusal::or_error(e, ctx.lang)?;
            record_page::<F>(&st, &ctx, key, Some(&data), Some(&r)).await
        }
    }
}

/// A form that makes a new record on the generic form page: its fields and how it
/// saves. `new_form` and `new_save` are its two handlers, so a create form is this impl
/// and one route line.
pub(super) trait NewForm: Send + Sync + 'static {
    /// The heading's message key.
    const HEADING: &'static str;
    /// The path the form is shown at and posts to.
    const ACTION: &'static str;
    fn fields(ctx: &Ctx) -> Vec<Field>;
    /// Saves what was typed; where to go next.
    fn save(
        st: &AppState,
        ctx: &Ctx,
        data: &BTreeMap<String, String>,
    ) -> impl std::future::Future<Output = Result<String, StoreError>> + Send;
}

/// GET: the empty form (or filled from the query: links may preset a field).
pub(super) async fn new_form<F: NewForm>(
    crate::auth::WebUser(ctx, ..): crate::auth::WebUser<crate::auth::OrgReader>,
    axum::extract::Query(data): axum::extract::Query<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    form_page(&ctx, F::HEADING, F::ACTION, F::fields(&ctx), &data, None)
}

/// POST: saves and goes on, or shows the form again as typed with its errors.
pub(super) async fn new_save<F: NewForm>(
    axum::extract::State(st): axum::extract::State<AppState>,
    crate::auth::WebUser(ctx, ..): crate::auth::WebUser<crate::auth::OrgReader>,
    crate::auth::CsrfForm(data): crate::auth::CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    match F::save(&st, &ctx, &data).await {
        Ok(to) => Ok(axum::response::Redirect::to(&to).into_response()),
        Err(e) => {
            let r = Refusal::or_error(e, ctx.lang)?;
            let fields = F::fields(&ctx);
            form_page(&ctx, F::HEADING, F::ACTION, fields, &data, Some(&r))
        }
    }
}

/// The version a form sends back (`_version`), when it is a number.
pub(super) fn version_of(data: &BTreeMap<String, String>) -> Option<i64> {
    opt(data, "_version").and_then(|v| v.parse().ok())
}

/// The page of a form that came back: 422 for field errors, 409 for a conflict, 403
/// for a refusal; the page as it is otherwise.
pub(super) fn with_status(page: Response, e: Option<&Refusal>) -> Response {
    match e {
        Some(r) => (r.status, page).into_response(),
        None => page,
    }
}

/// A whole number typed into a form, or the field error naming it.
pub(super) fn whole(
    data: &BTreeMap<String, String>,
    key: &str,
    zh: &str,
    en: &str,
) -> Result<i64, StoreError> {
    field_of(data, key).trim().parse::<i64>().map_err(|_| {
        StoreError::invalid(gongjiang_domain::FieldError::new(
            key,
            gongjiang_domain::Rule::BadFormat,
            zh,
            en,
        ))
    })
}
