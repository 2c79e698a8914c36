//! The form machinery the contact and pairing pages share: fields, filling them
//! from a record, and the one form page for new and edited records.
use super::nav_crumbs;
use crate::auth::Ctx;
use crate::error::UiError;
use crate::i18n::T;
use crate::ui::{render, Layout};
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
    e: Option<&StoreError>,
    en: bool,
) -> Vec<String> {
    for f in fields.iter_mut() {
        if let Some(v) = data.get(f.key) {
            f.value = v.clone();
        }
    }
    let mut general = Vec::new();
    match e {
        Some(StoreError::Invalid(errs)) => {
            for fe in errs {
                let msg = fe.message(en).to_string();
                match fields.iter_mut().find(|f| f.key == fe.field) {
                    Some(f) if f.error.is_empty() => f.error = msg,
                    _ => general.push(msg),
                }
            }
        }
        Some(StoreError::Conflict { zh, en: e, .. })
        | Some(StoreError::Denied { zh, en: e, .. }) => {
            general.push(if en { e.clone() } else { zh.clone() })
        }
        _ => {}
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
    e: Option<&StoreError>,
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
    e: Option<&StoreError>,
) -> Result<Response, UiError> {
    let t = T(ctx.lang);
    let general = fill(&mut fields, data, e, ctx.lang.is_en());
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
    Ok(match e {
        Some(StoreError::Invalid(_)) => {
            (axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
        }
        Some(StoreError::Conflict { .. }) => {
            (axum::http::StatusCode::CONFLICT, page).into_response()
        }
        Some(StoreError::Denied { .. }) => {
            (axum::http::StatusCode::FORBIDDEN, page).into_response()
        }
        _ => page,
    })
}

pub(super) fn field_of(data: &BTreeMap<String, String>, k: &str) -> String {
    data.get(k).cloned().unwrap_or_default()
}

pub(super) fn opt(data: &BTreeMap<String, String>, k: &str) -> Option<String> {
    data.get(k)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// A store error the form can show; others become the error page.
pub(super) fn form_error(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::Invalid(_) | StoreError::Conflict { .. } | StoreError::Denied { .. }
    )
}
