//! The list of classes (with the live headline figures of 技能形成) and the class form.
use super::{id_of, options};
use crate::auth::{CsrfForm, Ctx, OrgReader, WebUser};
use crate::i18n::T;
use crate::ui::lists::{region_options, years, ListQuery};
use crate::ui::registers::DashCard;
use crate::ui::{render, save_form, Errors, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use gongjiang_domain::training::ClassType;
use gongjiang_domain::SkillLevel;
use gongjiang_storage::access::Permission;
use gongjiang_storage::training::{Class, ClassInput, Filter};
use gongjiang_storage::Page;
use serde::Deserialize;

/// The headline figures of 技能形成 for the actor's area, from the indicator engine.
const HEADLINES: &[&str] = &[
    "colleges_industry",
    "colleges_craftsman",
    "colleges_worker",
    "apprentice_classes",
    "class_trainees",
    "class_completed",
];

#[derive(Template)]
#[template(path = "training_list.html")]
struct ListPage {
    l: Layout,
    cards: Vec<DashCard>,
    as_of: String,
    page: Page<Class>,
    q: ListQuery,
    regions: Vec<(String, String)>,
    types: Vec<(&'static str, &'static str)>,
    years: Vec<i64>,
    can_edit: bool,
    prev: String,
    next: String,
    flash: Option<String>,
}

pub(super) async fn list(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<ListQuery>,
) -> Result<Response, crate::error::UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let f = Filter {
        region: Some(q.region.clone()).filter(|r| !r.is_empty()),
        ctype: Some(q.kind.clone()).filter(|k| !k.is_empty()),
        year: q.year(lang)?,
        q: Some(q.q.clone()).filter(|k| !k.is_empty()),
        page: q.page.parse().unwrap_or(1),
        per_page: 20,
        ..Default::default()
    };
    let page = st.svc.list_classes(&ctx.actor, &f).await?;
    let (cards, as_of) = crate::ui::lists::headline_cards(&st, &ctx, HEADLINES).await;
    let l = Layout::new(
        &ctx,
        "/training",
        t.s("nav.training"),
        vec![
            (t.s("nav.g.skills"), String::new()),
            (t.s("nav.training"), String::new()),
        ],
    );
    let flash = if !q.deleted.is_empty() {
        Some(t.s("common.deleted"))
    } else {
        None
    };
    let page_no = page.page;
    render(
        &ListPage {
            prev: q.link("/training", page_no.saturating_sub(1)),
            next: q.link("/training", page_no.saturating_add(1)),
            l,
            cards,
            as_of,
            page,
            regions: region_options(&st, &ctx).await?,
            types: options(
                ClassType::ALL,
                ClassType::code,
                ClassType::label,
                lang.is_en(),
            ),
            years: years(),
            can_edit: ctx.may(Permission::KeepClasses),
            q,
            flash,
        },
        lang,
    )
}

/// The class form as typed (nothing is lost on a validation error).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct ClassForm {
    code: String,
    name: String,
    ctype: String,
    provider: String,
    enterprise: String,
    occupation: String,
    target_level: String,
    year: String,
    starts_on: String,
    ends_on: String,
    trainees: String,
    completed: String,
    version: String,
}

impl ClassForm {
    fn of(c: &Class) -> ClassForm {
        ClassForm {
            code: c.code.clone(),
            name: c.name.clone(),
            ctype: c.ctype.clone(),
            provider: c
                .provider_uscc
                .clone()
                .unwrap_or_else(|| c.provider_org_id.to_string()),
            enterprise: c
                .enterprise_uscc
                .clone()
                .or(c.enterprise_org_id.map(|i| i.to_string()))
                .unwrap_or_default(),
            occupation: c.occupation.clone().unwrap_or_default(),
            target_level: c.target_level.clone().unwrap_or_default(),
            year: c.year.to_string(),
            starts_on: c.starts_on.clone().unwrap_or_default(),
            ends_on: c.ends_on.clone().unwrap_or_default(),
            trainees: c.trainees.to_string(),
            completed: c.completed.to_string(),
            version: c.version.to_string(),
        }
    }

    fn input(&self) -> ClassInput {
        let num = |s: &str| {
            let s = s.trim();
            if s.is_empty() {
                None
            } else {
                // Not a number: -1 is refused by the domain with the field named.
                Some(s.replace(',', "").parse::<i64>().unwrap_or(-1))
            }
        };
        ClassInput {
            code: self.code.clone(),
            name: self.name.clone(),
            ctype: self.ctype.clone(),
            provider: self.provider.clone(),
            enterprise: Some(self.enterprise.clone()),
            occupation: self.occupation.clone(),
            target_level: self.target_level.clone(),
            year: self.year.trim().parse().ok().or_else(|| num(&self.year)),
            starts_on: self.starts_on.clone(),
            ends_on: self.ends_on.clone(),
            trainees: num(&self.trainees),
            completed: num(&self.completed),
            version: self.version.parse().ok(),
        }
    }
}

const FIELDS: &[&str] = &[
    "code",
    "name",
    "type",
    "provider",
    "enterprise",
    "occupation",
    "target_level",
    "year",
    "starts_on",
    "ends_on",
    "trainees",
    "completed",
];

#[derive(Template)]
#[template(path = "class_form.html")]
struct FormPage {
    l: Layout,
    f: ClassForm,
    e: Errors,
    id: Option<i64>,
    /// With a roster the figures are its counts.
    has_roster: bool,
    fixed_enterprise: bool,
    types: Vec<(&'static str, &'static str)>,
    levels: Vec<(&'static str, &'static str)>,
    providers: Vec<(String, String)>,
    enterprises: Vec<(String, String)>,
}

async fn form(
    st: &AppState,
    ctx: &Ctx,
    mut f: ClassForm,
    e: Errors,
    id: Option<i64>,
    has_roster: bool,
) -> Result<Response, crate::error::UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let title = t.s(if id.is_some() {
        "training.edit"
    } else {
        "training.new"
    });
    let l = Layout::under(ctx, "/training", "nav.training", title);
    let fixed_enterprise = gongjiang_storage::access::bound_to_own_org(&ctx.actor);
    if fixed_enterprise {
        f.enterprise = ctx.fixed_org(&f.enterprise);
    }
    let providers = crate::ui::lists::org_choices(st, ctx, &["college"]).await?;
    let enterprises = if fixed_enterprise {
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
            has_roster,
            fixed_enterprise,
            types: options(
                ClassType::ALL,
                ClassType::code,
                ClassType::label,
                lang.is_en(),
            ),
            levels: options(
                SkillLevel::ALL,
                SkillLevel::code,
                SkillLevel::label,
                lang.is_en(),
            ),
            providers,
            enterprises,
        },
        lang,
    )
}

pub(super) async fn new(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
) -> Result<Response, crate::error::UiError> {
    let f = ClassForm {
        ctype: ClassType::NewApprentice.code().into(),
        year: crate::api::tasks::current_year().to_string(),
        ..Default::default()
    };
    form(&st, &ctx, f, Errors::default(), None, false).await
}

pub(super) async fn create(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    CsrfForm(f): CsrfForm<ClassForm>,
) -> Result<Response, crate::error::UiError> {
    let r = st.svc.create_class(&ctx.actor, &f.input()).await;
    save_form(
        ctx.lang,
        r,
        FIELDS,
        |c| format!("/training/{}?saved=1", c.id),
        |e| form(&st, &ctx, f.clone(), e, None, false),
    )
    .await
}

pub(super) async fn edit(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, crate::error::UiError> {
    let id = id_of(&id, ctx.lang)?;
    let c = st.svc.get_class(&ctx.actor, id).await?;
    form(
        &st,
        &ctx,
        ClassForm::of(&c),
        Errors::default(),
        Some(id),
        c.roster > 0,
    )
    .await
}

pub(super) async fn update(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<ClassForm>,
) -> Result<Response, crate::error::UiError> {
    let id = id_of(&id, ctx.lang)?;
    let r = st.svc.update_class(&ctx.actor, id, &f.input()).await;
    let has_roster = st
        .svc
        .get_class(&ctx.actor, id)
        .await
        .is_ok_and(|c| c.roster > 0);
    save_form(
        ctx.lang,
        r,
        FIELDS,
        |c| format!("/training/{}?saved=1", c.id),
        |e| form(&st, &ctx, f.clone(), e, Some(id), has_roster),
    )
    .await
}

#[derive(Deserialize, Default)]
pub(super) struct Empty {}

pub(super) async fn delete(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, crate::error::UiError> {
    let id = id_of(&id, ctx.lang)?;
    st.svc.delete_class(&ctx.actor, id).await?;
    Ok(Redirect::to("/training?deleted=1").into_response())
}
