//! The list of contests (with the live headline figures) and the plan form.
use super::{id_of, levels, options};
use crate::auth::{CsrfForm, Ctx, OrgReader, WebUser};
use crate::i18n::T;
use crate::ui::lists::nz;
use crate::ui::lists::{region_options, years, ListFrame, ListOf, ListQuery};
use crate::ui::{render, save_form, Errors, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use gongjiang_domain::contests::{ContestLevel, ContestStatus};
use gongjiang_domain::SkillLevel;
use gongjiang_storage::access::Permission;
use gongjiang_storage::contests::{Contest, ContestInput, Filter};
use gongjiang_storage::Page;
use serde::Deserialize;

/// The headline figures of the contests in the actor's area, from the indicator engine.
const HEADLINES: &[&str] = &[
    "contests_held",
    "contest_entrants",
    "contest_awards",
    "contest_promotions",
];

const LIST: ListOf = ListOf {
    path: "/contests",
    group: "nav.g.contribution",
    title: "nav.contests",
    headlines: HEADLINES,
};

/// The level this actor plans contests at, if any.
fn own_level(ctx: &Ctx) -> Option<&'static str> {
    ContestLevel::ALL
        .iter()
        .map(|l| l.code())
        .find(|l| ctx.may(Permission::PlanContest { level: l }))
}

#[derive(Template)]
#[template(path = "contests_list.html")]
struct ListPage {
    l: Layout,
    x: ListFrame,
    page: Page<Contest>,
    q: ListQuery,
    regions: Vec<(String, String)>,
    levels: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    years: Vec<i64>,
    can_plan: bool,
}

pub(super) async fn list(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, crate::error::UiError> {
    let lang = ctx.lang;
    let f = Filter {
        region: nz(&q.region),
        level: nz(&q.level),
        status: nz(&q.kind),
        year: q.year(lang)?,
        q: nz(&q.q),
        page: q.page.parse().unwrap_or(1),
        per_page: 20,
    };
    let page = st.svc.list_contests(&ctx.actor, &f).await?;
    let regions = if ctx.may(Permission::ReadRegisters) {
        region_options(&st, &ctx).await?
    } else {
        Vec::new()
    };
    let (l, x) = LIST.frame(&st, &ctx, &q, page.page).await;
    render(
        &ListPage {
            l,
            x,
            page,
            regions,
            levels: levels(lang.is_en()),
            statuses: options(
                ContestStatus::ALL,
                ContestStatus::code,
                ContestStatus::label,
                lang.is_en(),
            ),
            years: years(),
            can_plan: own_level(&ctx).is_some(),
            q,
        },
        lang,
    )
}

/// The plan form as typed (nothing is lost on a validation error).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct PlanForm {
    code: String,
    name: String,
    level: String,
    year: String,
    occupation: String,
    min_level: String,
    max_level: String,
    organiser: String,
    starts_on: String,
    ends_on: String,
    first_prizes: String,
    second_prizes: String,
    third_prizes: String,
    merit_prizes: String,
    honour_top: String,
    medal_top: String,
    promote_top: String,
    version: String,
}

/// A count as typed: empty is "not given"; anything but a number is -1, which the
/// domain refuses with the field named.
fn count(s: &str) -> Option<i64> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.replace(',', "").parse::<i64>().unwrap_or(-1))
}

impl PlanForm {
    fn of(c: &Contest) -> PlanForm {
        PlanForm {
            code: c.code.clone(),
            name: c.name.clone(),
            level: c.level.clone(),
            year: c.year.to_string(),
            occupation: c.occupation.clone(),
            min_level: c.min_level.clone().unwrap_or_default(),
            max_level: c.max_level.clone().unwrap_or_default(),
            organiser: c
                .organiser_org_id
                .map(|o| o.to_string())
                .unwrap_or_default(),
            starts_on: c.starts_on.clone().unwrap_or_default(),
            ends_on: c.ends_on.clone().unwrap_or_default(),
            first_prizes: c.first_prizes.to_string(),
            second_prizes: c.second_prizes.to_string(),
            third_prizes: c.third_prizes.to_string(),
            merit_prizes: c.merit_prizes.to_string(),
            honour_top: c.honour_top.to_string(),
            medal_top: c.medal_top.to_string(),
            promote_top: c.promote_top.to_string(),
            version: c.version.to_string(),
        }
    }

    fn input(&self) -> ContestInput {
        ContestInput {
            code: self.code.clone(),
            name: self.name.clone(),
            level: self.level.clone(),
            year: count(&self.year),
            occupation: self.occupation.clone(),
            min_level: self.min_level.clone(),
            max_level: self.max_level.clone(),
            organiser: Some(self.organiser.clone()).filter(|o| !o.trim().is_empty()),
            starts_on: self.starts_on.clone(),
            ends_on: self.ends_on.clone(),
            first_prizes: count(&self.first_prizes),
            second_prizes: count(&self.second_prizes),
            third_prizes: count(&self.third_prizes),
            merit_prizes: count(&self.merit_prizes),
            honour_top: count(&self.honour_top),
            medal_top: count(&self.medal_top),
            promote_top: count(&self.promote_top),
            version: self.version.parse().ok(),
        }
    }
}

const FIELDS: &[&str] = &[
    "code",
    "name",
    "level",
    "year",
    "occupation",
    "min_level",
    "max_level",
    "organiser",
    "starts_on",
    "ends_on",
    "first_prizes",
    "second_prizes",
    "third_prizes",
    "merit_prizes",
    "honour_top",
    "medal_top",
    "promote_top",
];

#[derive(Template)]
#[template(path = "contest_form.html")]
struct FormPage {
    l: Layout,
    f: PlanForm,
    e: Errors,
    id: Option<i64>,
    fixed_organiser: bool,
    levels: Vec<(&'static str, &'static str)>,
    skills: Vec<(&'static str, &'static str)>,
    enterprises: Vec<(String, String)>,
}

async fn form(
    st: &AppState,
    ctx: &Ctx,
    mut f: PlanForm,
    e: Errors,
    id: Option<i64>,
) -> Result<Response, crate::error::UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let title = t.s(if id.is_some() {
        "contests.edit"
    } else {
        "contests.new"
    });
    let l = Layout::under(ctx, "/contests", "nav.contests", title);
    let fixed_organiser = gongjiang_storage::access::bound_to_own_org(&ctx.actor);
    if fixed_organiser {
        f.organiser = ctx.fixed_org(&f.organiser);
    }
    let enterprises = if fixed_organiser {
        Vec::new()
    } else {
        crate::ui::lists::org_choices(st, ctx, &["enterprise"]).await?
    };
    render(
        &FormPage {
            l,
            f,
            e,
            id,
            fixed_organiser,
            levels: levels(lang.is_en()),
            skills: options(
                SkillLevel::ALL,
                SkillLevel::code,
                SkillLevel::label,
                lang.is_en(),
            ),
            enterprises,
        },
        lang,
    )
}

pub(super) async fn new(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
) -> Result<Response, crate::error::UiError> {
    let f = PlanForm {
        level: own_level(&ctx).unwrap_or("city").into(),
        year: crate::api::tasks::current_year().to_string(),
        first_prizes: "1".into(),
        second_prizes: "2".into(),
        third_prizes: "3".into(),
        merit_prizes: "0".into(),
        honour_top: "3".into(),
        medal_top: "1".into(),
        promote_top: "3".into(),
        ..Default::default()
    };
    form(&st, &ctx, f, Errors::default(), None).await
}

pub(super) async fn create(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    CsrfForm(f): CsrfForm<PlanForm>,
) -> Result<Response, crate::error::UiError> {
    let r = st.svc.create_contest(&ctx.actor, &f.input()).await;
    save_form(
        ctx.lang,
        r,
        FIELDS,
        |c| format!("/contests/{}?saved=1", c.id),
        |e| form(&st, &ctx, f.clone(), e, None),
    )
    .await
}

pub(super) async fn edit(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, crate::error::UiError> {
    let id = id_of(&id, ctx.lang)?;
    let c = st.svc.get_contest(&ctx.actor, id).await?;
    form(&st, &ctx, PlanForm::of(&c), Errors::default(), Some(id)).await
}

pub(super) async fn update(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<PlanForm>,
) -> Result<Response, crate::error::UiError> {
    let id = id_of(&id, ctx.lang)?;
    let r = st.svc.update_contest(&ctx.actor, id, &f.input()).await;
    save_form(
        ctx.lang,
        r,
        FIELDS,
        |c| format!("/contests/{}?saved=1", c.id),
        |e| form(&st, &ctx, f.clone(), e, Some(id)),
    )
    .await
}

#[derive(Deserialize, Default)]
pub(super) struct Empty {}

/// Submits the plan for approval on the engine.
pub(super) async fn submit(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, crate::error::UiError> {
    let id = id_of(&id, ctx.lang)?;
    st.svc.submit_contest(&ctx.actor, id).await?;
    Ok(Redirect::to(&format!("/contests/{id}?saved=1")).into_response())
}
