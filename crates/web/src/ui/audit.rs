//! The audit log in the console (`/admin/audit`): filters in words (every action and
//! record kind named, never a code), records linked to their pages, and the chain check.
use super::pages::with_lang;
use super::{render, Errors, Layout};
use crate::api::AuditQuery;
use crate::auth::{AuditReader, WebUser};
use crate::error::UiError;
use crate::i18n::T;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use gongjiang_storage::audit::Entry;
use gongjiang_storage::Page;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/audit", get(audit_page))
        .route("/admin/audit/verify", get(audit_verify))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct AuditForm {
    username: String,
    action: String,
    entity_kind: String,
    from: String,
    to: String,
    page: String,
}

impl AuditForm {
    fn link(&self, page: i64) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("username", &self.username),
            ("action", &self.action),
            ("entity_kind", &self.entity_kind),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        s.append_pair("page", &page.to_string());
        format!("/admin/audit?{}", s.finish())
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    q: AuditForm,
    page: Page<Entry>,
    actions: Vec<(&'static str, String)>,
    kinds: Vec<(&'static str, String)>,
    e: Errors,
    prev: String,
    next: String,
}

pub fn action_label(a: &str, t: &T) -> String {
    gongjiang_storage::audit::label(gongjiang_storage::audit::ACTION_LABELS, a, t.en())
        .map(str::to_string)
        .unwrap_or_else(|| a.to_string())
}

pub fn entity_label(k: &str, t: &T) -> String {
    gongjiang_storage::audit::label(gongjiang_storage::audit::KIND_LABELS, k, t.en())
        .map(str::to_string)
        .unwrap_or_else(|| k.to_string())
}

/// Where the console shows a record named in the log, if it has a page of its own.
pub fn entity_link(kind: &str, id: &str) -> Option<String> {
    let page = match kind {
        "org" => "orgs",
        "policy" => "policies",
        "case" => "cases",
        "task" => "tasks",
        "worker" => "workers",
        "meeting" => "meetings",
        "pair" => "pairs",
        "problem" => "problems",
        "contact_point" => "contacts",
        _ => return None,
    };
    id.parse::<i64>().ok().map(|n| format!("/{page}/{n}"))
}

async fn audit_page(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<AuditReader>,
    uri: axum::http::Uri,
    Query(q): Query<AuditForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let aq = AuditQuery {
        username: Some(q.username.clone()),
        action: Some(q.action.clone()),
        entity_kind: Some(q.entity_kind.clone()),
        entity_id: None,
        from: Some(q.from.clone()),
        to: Some(q.to.clone()),
        page: q.page.parse().ok(),
        per_page: Some(50),
    };
    let (f, e) = match aq.filter() {
        Ok(f) => (f, Errors::default()),
        Err(err) => (
            gongjiang_storage::audit::Filter {
                page: 1,
                per_page: 50,
                ..Default::default()
            },
            Errors::from(&err.field_errors(), lang, &["from", "to"]),
        ),
    };
    let page = st.svc.audit_log(&ctx.actor, &f).await?;
    let actions = gongjiang_storage::audit::ACTION_LABELS
        .iter()
        .map(|(a, _, _)| (*a, action_label(a, &t)))
        .collect();
    let kinds = gongjiang_storage::audit::KIND_LABELS
        .iter()
        .map(|(k, _, _)| (*k, entity_label(k, &t)))
        .collect();
    let l = Layout::new(
        &ctx,
        "/admin/audit",
        t.s("audit.title"),
        vec![
            (t.s("nav.g.system"), String::new()),
            (t.s("audit.title"), String::new()),
        ],
    );
    let prev = q.link(page.page - 1);
    let next = q.link(page.page.saturating_add(1));
    Ok(with_lang(
        &uri,
        lang,
        render(
            &AuditPage {
                l,
                q,
                page,
                actions,
                kinds,
                e,
                prev,
                next,
            },
            lang,
        )?,
    ))
}

async fn audit_verify(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<AuditReader>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let v = st.svc.verify_audit().await?;
    let html = match v {
        gongjiang_storage::audit::Verdict::Intact { entries } => {
            format!(
                "<div class=\"alert alert-success\" role=\"status\">{} · {} {}</div>",
                t.s("audit.intact"),
                t.num(&entries),
                t.s("audit.entries")
            )
        }
        gongjiang_storage::audit::Verdict::Broken { seq, reason } => {
            format!(
                "<div class=\"alert alert-error\" role=\"alert\">{} · #{seq}: {}</div>",
                t.s("audit.broken"),
                askama_escape(&reason)
            )
        }
    };
    Ok(axum::response::Html(html).into_response())
}

fn askama_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
