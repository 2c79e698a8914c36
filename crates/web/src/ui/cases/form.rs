//! The application form: its fields, which processes may be started where, and
//! creating a case.
use super::detail::detail;
use crate::auth::{CsrfForm, Ctx, OrgReader, WebUser};
use crate::error::{AppError, UiError};
use crate::i18n::T;
use crate::ui::lists::missing;
use crate::ui::{render, Layout, Refusal};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongjiang_domain::workflow::{FieldKind, Process, Subject, PROCESSES};
use gongjiang_storage::workflow::{ActInput, CaseInput};
use gongjiang_storage::StoreError;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A form field as the templates show it.
pub struct FieldView {
    pub key: &'static str,
    pub label: &'static str,
    pub required: bool,
    pub long: bool,
    pub choices: Vec<(&'static str, &'static str)>,
    pub help: &'static str,
    pub value: String,
    /// The value as shown (choice labels instead of codes).
    pub shown: String,
    pub error: String,
}

pub(super) fn fields(
    def: &Process,
    data: &BTreeMap<String, String>,
    errors: &BTreeMap<String, String>,
    en: bool,
) -> Vec<FieldView> {
    def.fields
        .iter()
        .map(|f| {
            let value = data.get(f.key).cloned().unwrap_or_default();
            let choices: Vec<(&str, &str)> = match f.kind {
                FieldKind::Choice(c) => c
                    .iter()
                    .map(|(code, zh, e)| (*code, if en { *e } else { *zh }))
                    .collect(),
                _ => Vec::new(),
            };
            let shown = choices
                .iter()
                .find(|(c, _)| *c == value)
                .map(|(_, l)| l.to_string())
                .unwrap_or_else(|| value.clone());
            FieldView {
                key: f.key,
                label: if en { f.label_en } else { f.label_zh },
                required: f.required,
                long: matches!(f.kind, FieldKind::LongText(_)),
                choices,
                help: if en { "" } else { f.help_zh },
                shown,
                value,
                error: errors.get(f.key).cloned().unwrap_or_default(),
            }
        })
        .collect()
}

/// Drops from the `level` choices the pilot levels the applicant already holds.
fn without_held_levels(
    mut fields: Vec<FieldView>,
    pilots: &[gongjiang_storage::pilots::Pilot],
) -> Vec<FieldView> {
    use gongjiang_domain::PilotLevel;
    let held: Vec<PilotLevel> = pilots
        .iter()
        .filter_map(|p| PilotLevel::from_any(&p.level))
        .collect();
    for f in fields.iter_mut().filter(|f| f.key == "level") {
        f.choices
            .retain(|(code, _)| PilotLevel::from_any(code).is_none_or(|l| !held.contains(&l)));
    }
    fields
}

fn may_apply(ctx: &Ctx) -> bool {
    ctx.may(gongjiang_storage::access::Permission::StartCase)
}

/// The processes a role starts on this page, most common first: pilot applications, the
/// yearly check and final acceptance, then the benchmark selection. Processes that drive
/// a module's record (the 六有, self-reports, task completion) start on that module's
/// page instead ([`start_page`]).
pub(super) fn startable(ctx: &Ctx) -> Vec<&'static Process> {
    if !may_apply(ctx) {
        return Vec::new();
    }
    let mut out: Vec<&'static Process> = PROCESSES.iter().filter(|p| p.subject.is_none()).collect();
    let rank = |p: &Process| match p.code {
        "pilot_application" => 0,
        "pilot_yearly_check" => 1,
        "pilot_acceptance" => 2,
        _ => 3,
    };
    out.sort_by_key(|p| rank(p));
    out
}

/// Where a process that drives a module's record starts: (page, label key of the page).
pub fn start_page(subject: Option<Subject>) -> Option<(&'static str, &'static str)> {
    subject.map(|s| (s.page, s.page_label))
}

/// For the processes that start elsewhere: (process names, page, page label), one entry
/// per page (the three 销号 processes share the task page).
pub(super) fn started_elsewhere(
    actor: &gongjiang_storage::scope::Actor,
    en: bool,
    t: T,
) -> Vec<(String, &'static str, String)> {
    let mut out: Vec<(String, &'static str, String)> = Vec::new();
    if !gongjiang_storage::access::may(actor, gongjiang_storage::access::Permission::ReadRegisters)
    {
        return out;
    }
    for p in PROCESSES {
        let Some((href, key)) = start_page(p.subject) else {
            continue;
        };
        let name = match p.subject.and_then(|s| s.listed_as) {
            Some(key) => t.s(key),
            None => p.name(en).to_string(),
        };
        if !out.iter().any(|(n, h, _)| *h == href && *n == name) {
            out.push((name, href, t.s(key)));
        }
    }
    out
}

#[derive(Template)]
#[template(path = "case_form.html")]
struct FormPage {
    l: Layout,
    process: &'static Process,
    /// The applicant's current pilots (a unit applying to be a pilot sees them, and
    /// is not offered the levels it holds).
    pilots: Vec<gongjiang_storage::pilots::Pilot>,
    fields: Vec<FieldView>,
    org: String,
    org_error: String,
    general: Vec<String>,
    org_fixed: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct NewQuery {
    process: String,
    org: String,
}

/// A unit's current pilots, for a process that makes pilots (empty otherwise).
async fn own_pilots(
    st: &AppState,
    ctx: &Ctx,
    def: &Process,
) -> Vec<gongjiang_storage::pilots::Pilot> {
    use gongjiang_storage::access::{may, Permission};
    let Some(org) = ctx
        .user
        .org_id
        .filter(|_| may(&ctx.actor, Permission::ActForOwnOrg))
    else {
        return Vec::new();
    };
    if def.code != "pilot_application" {
        return Vec::new();
    }
    let f = gongjiang_storage::pilots::Filter {
        org_id: Some(org),
        page: 1,
        per_page: 20,
        ..Default::default()
    };
    st.svc
        .list_pilots(&ctx.actor, &f)
        .await
        .map(|p| p.items)
        .unwrap_or_default()
}

pub(super) async fn new(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<NewQuery>,
) -> Result<Response, UiError> {
    let def = Process::find(&q.process)
        .or_else(|| Process::find("pilot_application"))
        .ok_or_else(|| missing(ctx.lang))?;
    // Processes that drive a module's record (the 六有, self-reports, 销号) start from
    // that module's page.
    if let Some((href, _)) = start_page(def.subject) {
        return Ok(Redirect::to(href).into_response());
    }
    let pilots = own_pilots(&st, &ctx, def).await;
    form_page(
        &ctx,
        def,
        BTreeMap::new(),
        q.org,
        BTreeMap::new(),
        Vec::new(),
        pilots,
    )
}

fn form_page(
    ctx: &Ctx,
    def: &'static Process,
    data: BTreeMap<String, String>,
    org: String,
    errors: BTreeMap<String, String>,
    general: Vec<String>,
    pilots: Vec<gongjiang_storage::pilots::Pilot>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    if !may_apply(ctx) {
        return Err(UiError(AppError::Store(StoreError::Forbidden), lang));
    }
    let l = Layout::new(
        ctx,
        "/cases",
        format!("{} · {}", def.name(en), t.s("cases.new")),
        vec![
            (t.s("nav.cases"), "/cases".into()),
            (def.name(en).to_string(), String::new()),
        ],
    );
    let status = if errors.is_empty() && general.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut r = render(
        &FormPage {
            l,
            process: def,
            fields: without_held_levels(fields(def, &data, &errors, en), &pilots),
            pilots,
            org,
            org_error: errors.get("org").cloned().unwrap_or_default(),
            general,
            org_fixed: gongjiang_storage::access::bound_to_own_org(&ctx.actor),
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

/// Form posts: `_process`, `_org`, `_submit` (1 = submit at once) and the fields.
pub(super) async fn create(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    CsrfForm(mut f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let process = f.remove("_process").unwrap_or_default();
    let org = f.remove("_org").unwrap_or_default();
    let submit = f.remove("_submit").is_some_and(|v| v == "1");
    f.remove("_csrf");
    let def = Process::find(&process).ok_or_else(|| missing(lang))?;
    let input = CaseInput {
        process: process.clone(),
        org: Some(org.clone()),
        data: f.clone(),
    };
    let c = match st.svc.create_case(&ctx.actor, &input).await {
        Ok(c) => c,
        Err(e) => {
            let pilots = own_pilots(&st, &ctx, def).await;
            return Refusal::or_error(e, lang)?
                .show(|r| async move {
                    let (map, general) = r.split();
                    form_page(&ctx, def, f, org, map, general, pilots)
                })
                .await;
        }
    };
    if submit {
        let a = ActInput {
            action: "submit".into(),
            version: Some(c.version),
            ..Default::default()
        };
        if let Err(e) = st.svc.act(&ctx.actor, c.id, &a).await {
            // Saved as a draft; show what is missing on the case page.
            let id = c.id;
            return Refusal::or_error(e, lang)?
                .show(|r| async move {
                    let (map, general) = r.split();
                    detail(&st, &ctx, id, map, general).await
                })
                .await;
        }
    }
    Ok(Redirect::to(&format!("/cases/{}", c.id)).into_response())
}
