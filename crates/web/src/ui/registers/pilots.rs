//! `/pilots`: the pilot register's list, form, edit and delete.
use super::{id_of, nz, region_options, years, ListQuery};
use crate::api::registers::PilotQuery;
use crate::auth::{CsrfForm, Ctx, OrgEditor, OrgReader, WebUser};
use crate::error::UiError;
use crate::i18n::T;
use crate::ui::lists::{options, org_choices, ListFrame, ListOf};
use crate::ui::{render, save_form, Errors, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use gongjiang_domain::{PilotLevel, PilotType};
use gongjiang_storage::access::Permission;
use gongjiang_storage::pilots::Pilot;
use gongjiang_storage::registers::PilotInput;
use gongjiang_storage::Page;
use serde::Deserialize;

/// The live figures over the list.
const HEADLINES: &[&str] = &["pilot_enterprises", "pilot_parks", "pilot_workers_covered"];

const LIST: ListOf = ListOf {
    path: "/pilots",
    group: "nav.g.pilots",
    title: "nav.pilots",
    headlines: HEADLINES,
};

// ----- pilots -----

#[derive(Template)]
#[template(path = "pilots_list.html")]
struct PilotsPage {
    l: Layout,
    x: ListFrame,
    page: Page<Pilot>,
    q: ListQuery,
    regions: Vec<(String, String)>,
    levels: Vec<(&'static str, &'static str)>,
    types: Vec<(&'static str, &'static str)>,
    years: Vec<i64>,
    can_edit: bool,
    flash: Option<String>,
}

pub(super) async fn pilots_list(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<ListQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let pq = PilotQuery {
        region: nz(&q.region),
        level: nz(&q.level),
        ptype: nz(&q.kind),
        year: q.year(lang)?,
        q: nz(&q.q),
        page: q.page.parse().ok(),
        per_page: Some(20),
        ..Default::default()
    };
    let f = pq.filter()?;
    let page = st.svc.list_pilots(&ctx.actor, &f).await?;
    let (l, x) = LIST.frame(&st, &ctx, &q, page.page).await;
    let en = lang.is_en();
    let p = PilotsPage {
        flash: (!q.deleted.is_empty()).then(|| t.s("common.deleted")),
        l,
        x,
        page,
        regions: region_options(&st, &ctx).await?,
        levels: options(PilotLevel::ALL, PilotLevel::code, PilotLevel::label, en),
        types: options(PilotType::ALL, PilotType::code, PilotType::label, en),
        years: years(),
        can_edit: ctx.may(Permission::EditRegisters),
        q,
    };
    render(&p, lang)
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct PilotForm {
    org: String,
    level: String,
    ptype: String,
    year: String,
    feature: String,
    benchmark: String,
    version: String,
}

impl PilotForm {
    fn input(&self) -> PilotInput {
        PilotInput {
            org: Some(self.org.clone()),
            level: Some(self.level.clone()),
            ptype: nz(&self.ptype),
            year: Some(self.year.clone()),
            feature: Some(self.feature.clone()),
            benchmark: Some(matches!(self.benchmark.as_str(), "1" | "on" | "true")),
            version: self.version.parse().ok(),
        }
    }
}

#[derive(Template)]
#[template(path = "pilot_form.html")]
struct PilotFormPage {
    l: Layout,
    f: PilotForm,
    e: Errors,
    id: Option<i64>,
    orgs: Vec<(String, String)>,
    levels: Vec<(&'static str, &'static str)>,
    types: Vec<(&'static str, &'static str)>,
}

const PILOT_FIELDS: &[&str] = &["org", "level", "ptype", "year", "feature"];

async fn pilot_form(
    st: &AppState,
    ctx: &Ctx,
    f: PilotForm,
    e: Errors,
    id: Option<i64>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let title = t.s(if id.is_some() {
        "pilots.edit"
    } else {
        "pilots.new"
    });
    let l = Layout::under(ctx, "/pilots", "nav.pilots", title);
    let page = PilotFormPage {
        l,
        f,
        e,
        id,
        orgs: org_choices(st, ctx, &["enterprise", "park"]).await?,
        levels: options(
            PilotLevel::ALL,
            PilotLevel::code,
            PilotLevel::label,
            lang.is_en(),
        ),
        types: options(
            PilotType::ALL,
            PilotType::code,
            PilotType::label,
            lang.is_en(),
        ),
    };
    render(&page, lang)
}

pub(super) async fn pilot_new(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgEditor>,
    Query(q): Query<ListQuery>,
) -> Result<Response, UiError> {
    let f = PilotForm {
        org: q.q.clone(),
        level: "city".into(),
        year: crate::api::tasks::current_year().to_string(),
        ..Default::default()
    };
    pilot_form(&st, &ctx, f, Errors::default(), None).await
}

pub(super) async fn pilot_create(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgEditor>,
    CsrfForm(f): CsrfForm<PilotForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    save_form(
        lang,
        st.svc.create_pilot(&ctx.actor, &f.input()).await,
        PILOT_FIELDS,
        |p| format!("/orgs/{}?tab=pilots&saved=1", p.org_id),
        |errors| pilot_form(&st, &ctx, f, errors, None),
    )
    .await
}

pub(super) async fn pilot_edit(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgEditor>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    let p = st.svc.get_pilot(&ctx.actor, id).await?;
    let f = PilotForm {
        org: p.uscc.clone().unwrap_or_else(|| p.org_id.to_string()),
        level: p.level,
        ptype: p.ptype,
        year: p.year.to_string(),
        feature: p.feature.unwrap_or_default(),
        benchmark: if p.benchmark {
            "1".into()
        } else {
            String::new()
        },
        version: p.version.to_string(),
    };
    pilot_form(&st, &ctx, f, Errors::default(), Some(id)).await
}

pub(super) async fn pilot_update(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgEditor>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<PilotForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    save_form(
        lang,
        st.svc.update_pilot(&ctx.actor, id, &f.input()).await,
        PILOT_FIELDS,
        |p| format!("/orgs/{}?tab=pilots&saved=1", p.org_id),
        |errors| pilot_form(&st, &ctx, f, errors, Some(id)),
    )
    .await
}

#[derive(Deserialize, Default)]
pub(super) struct Empty {}

pub(super) async fn pilot_delete(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgEditor>,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    st.svc.delete_pilot(&ctx.actor, id).await?;
    Ok(Redirect::to("/pilots?deleted=1").into_response())
}
