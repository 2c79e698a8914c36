//! A contact point's problems (the form, a page per problem with its actions), visits
//! and assigned officials.
use super::form::{field, field_of, fill, opt, opts, with_status, Field, NewForm};
use super::nav_crumbs;
use crate::auth::{CsrfForm, Ctx, OrgReader, WebUser};
use crate::error::UiError;
use crate::i18n::T;
use crate::ui::lists::id_of;
use crate::ui::{render, Layout, Refusal};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use gongjiang_domain::contacts::{ProblemCategory, ProblemSource, VisitForm};
use gongjiang_storage::contacts::{
    ContactInput, Problem, ProblemActInput, ProblemInput, VisitInput,
};
use gongjiang_storage::StoreError;
use std::collections::BTreeMap;

// ------------------------------------------------------------- problem form

fn problem_fields(t: T, ctx: &Ctx, en: bool) -> Vec<Field> {
    let mut v = Vec::new();
    if !gongjiang_storage::access::bound_to_own_org(&ctx.actor) {
        v.push(field("org", t.s("contacts.org"), "text", true).help(t.s("contacts.org_help")));
    }
    let sources: Vec<(String, String)> = ProblemSource::ALL
        .iter()
        .filter(|s| {
            **s != ProblemSource::Official
                || ctx.may(gongjiang_storage::access::Permission::RaiseProblem { official: true })
        })
        .map(|s| (s.code().to_string(), s.label(en).to_string()))
        .collect();
    v.push(field("source", t.s("contacts.source"), "select", true).choices(sources));
    v.push(
        field("category", t.s("contacts.category"), "select", true).choices(opts(
            ProblemCategory::ALL,
            ProblemCategory::code,
            ProblemCategory::label,
            en,
        )),
    );
    v.push(field(
        "description",
        t.s("contacts.description"),
        "textarea",
        true,
    ));
    v.push(field("raised_on", t.s("contacts.raised_on"), "date", true));
    v.push(field(
        "responsible_unit",
        t.s("contacts.responsible_unit"),
        "text",
        false,
    ));
    v
}

/// `/contacts/problems/new`.
pub(super) struct NewProblem;

impl NewForm for NewProblem {
    const HEADING: &'static str = "contacts.raise";
    const ACTION: &'static str = "/contacts/problems/new";
    fn fields(ctx: &Ctx) -> Vec<Field> {
        problem_fields(T(ctx.lang), ctx, ctx.lang.is_en())
    }
    async fn save(
        st: &AppState,
        ctx: &Ctx,
        data: &BTreeMap<String, String>,
    ) -> Result<String, StoreError> {
        let i = ProblemInput {
            org: opt(data, "org"),
            visit_id: opt(data, "visit_id").and_then(|v| v.parse().ok()),
            source: field_of(data, "source"),
            category: field_of(data, "category"),
            description: field_of(data, "description"),
            raised_on: field_of(data, "raised_on"),
            responsible_unit: opt(data, "responsible_unit"),
        };
        let p = st
            .svc
            .raise_problem(&ctx.actor, &i, ctx.lang.is_en())
            .await?;
        Ok(format!("/contacts/problems/{}", p.id))
    }
}

// ----------------------------------------------------------- problem page

#[derive(Template)]
#[template(path = "contact_problem.html")]
struct ProblemPage {
    l: Layout,
    p: Problem,
    actions: Vec<(&'static str, &'static str)>,
    fields: Vec<Field>,
    general: Vec<String>,
}

fn act_fields(t: T) -> Vec<Field> {
    vec![
        field(
            "responsible_unit",
            t.s("contacts.responsible_unit"),
            "text",
            false,
        ),
        field("resolution", t.s("contacts.resolution"), "textarea", false)
            .help(t.s("contacts.resolution_help")),
        field("resolved_on", t.s("contacts.resolved_on"), "date", false),
        field("reason", t.s("contacts.close_reason"), "textarea", false)
            .help(t.s("contacts.close_help")),
    ]
}

async fn show_problem(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    data: &BTreeMap<String, String>,
    e: Option<&Refusal>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    let (p, actions) = st.svc.get_problem(&ctx.actor, id, en).await?;
    let mut fields = act_fields(t);
    if !data.contains_key("responsible_unit") {
        if let Some(u) = &p.responsible_unit {
            fields[0].value = u.clone();
        }
    }
    let general = fill(&mut fields, data, e);
    let title = format!("{} · {}", p.org_name, p.category_label);
    let l = Layout::new(
        ctx,
        "/contacts",
        title.clone(),
        nav_crumbs(t, "nav.contacts", "/contacts", Some(title)),
    );
    let page = render(
        &ProblemPage {
            l,
            p,
            actions: actions.iter().map(|a| (a.code(), a.label(en))).collect(),
            fields,
            general,
        },
        lang,
    )?;
    Ok(with_status(page, e))
}

pub(super) async fn problem_show(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    show_problem(&st, &ctx, id, &BTreeMap::new(), None).await
}

pub(super) async fn problem_act(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(data): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    let i = ProblemActInput {
        action: field_of(&data, "_action"),
        resolution: opt(&data, "resolution"),
        resolved_on: opt(&data, "resolved_on"),
        reason: opt(&data, "reason"),
        responsible_unit: opt(&data, "responsible_unit"),
        version: opt(&data, "_version").and_then(|v| v.parse().ok()),
    };
    match st
        .svc
        .act_on_problem(&ctx.actor, id, &i, ctx.lang.is_en())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/contacts/problems/{id}")).into_response()),
        Err(e) => {
            let r = Refusal::or_error(e, ctx.lang)?;
            show_problem(&st, &ctx, id, &data, Some(&r)).await
        }
    }
}

// ------------------------------------------------------------- visit form

pub(super) fn visit_fields(t: T, en: bool) -> Vec<Field> {
    vec![
        field("org", t.s("contacts.org"), "text", true).help(t.s("contacts.org_help")),
        field("visited_on", t.s("contacts.visited_on"), "date", true),
        field("form", t.s("contacts.form"), "select", true).choices(opts(
            VisitForm::ALL,
            VisitForm::code,
            VisitForm::label,
            en,
        )),
        field("summary", t.s("contacts.summary"), "textarea", true),
        field("official", t.s("contacts.official_username"), "text", false)
            .help(t.s("contacts.official_default")),
    ]
}

/// `/contacts/visits/new`.
pub(super) struct NewVisit;

impl NewForm for NewVisit {
    const HEADING: &'static str = "contacts.log_visit";
    const ACTION: &'static str = "/contacts/visits/new";
    fn fields(ctx: &Ctx) -> Vec<Field> {
        visit_fields(T(ctx.lang), ctx.lang.is_en())
    }
    async fn save(
        st: &AppState,
        ctx: &Ctx,
        data: &BTreeMap<String, String>,
    ) -> Result<String, StoreError> {
        let i = VisitInput {
            org: field_of(data, "org"),
            visited_on: field_of(data, "visited_on"),
            form: field_of(data, "form"),
            summary: field_of(data, "summary"),
            official: opt(data, "official"),
        };
        st.svc.log_visit(&ctx.actor, &i, ctx.lang.is_en()).await?;
        Ok("/contacts".into())
    }
}

// ------------------------------------------------------------ assign form

fn assign_fields(t: T) -> Vec<Field> {
    vec![
        field("org", t.s("contacts.org"), "text", true).help(t.s("contacts.org_help")),
        field("official", t.s("contacts.official_username"), "text", true)
            .help(t.s("contacts.official_help")),
        field("start_on", t.s("contacts.start_on"), "date", true),
        field("end_on", t.s("contacts.end_on"), "date", false),
        field("note", t.s("contacts.note"), "text", false),
    ]
}

/// `/contacts/assign`.
pub(super) struct Assign;

impl NewForm for Assign {
    const HEADING: &'static str = "contacts.assign";
    const ACTION: &'static str = "/contacts/assign";
    fn fields(ctx: &Ctx) -> Vec<Field> {
        assign_fields(T(ctx.lang))
    }
    async fn save(
        st: &AppState,
        ctx: &Ctx,
        data: &BTreeMap<String, String>,
    ) -> Result<String, StoreError> {
        let i = ContactInput {
            org: field_of(data, "org"),
            official: field_of(data, "official"),
            start_on: field_of(data, "start_on"),
            end_on: opt(data, "end_on"),
            note: opt(data, "note"),
        };
        st.svc.assign_contact(&ctx.actor, &i).await?;
        Ok("/contacts".into())
    }
}
