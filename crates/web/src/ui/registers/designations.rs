//! `/designations`: the designation register's list, form, edit and delete.
use super::pilots::Empty;
use super::{id_of, nz, region_options, years, ListQuery};
use crate::api::registers::DesignationQuery;
use crate::auth::{CsrfForm, Ctx, OrgEditor, OrgReader, WebUser};
use crate::error::UiError;
use crate::i18n::T;
use crate::ui::lists::{options, org_choices, ListFrame, ListOf};
use crate::ui::{render, save_form, Errors, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use gongjiang_domain::{DesignationLevel, DesignationType};
use gongjiang_storage::access::Permission;
use gongjiang_storage::designations::Designation;
use gongjiang_storage::registers::DesignationInput;
use gongjiang_storage::Page;
use serde::Deserialize;

/// The live figures over the list.
const HEADLINES: &[&str] = &[
    "integration_enterprises",
    "industry_professors",
    "apprenticeship_pilots",
];

const LIST: ListOf = ListOf {
    path: "/designations",
    group: "nav.g.skills",
    title: "nav.designations",
    headlines: HEADLINES,
};

// ----- designations -----

#[derive(Template)]
#[template(path = "designations_list.html")]
struct DesignationsPage {
    l: Layout,
    x: ListFrame,
    page: Page<Designation>,
    q: ListQuery,
    regions: Vec<(String, String)>,
    levels: Vec<(&'static str, &'static str)>,
    types: Vec<(&'static str, &'static str)>,
    years: Vec<i64>,
    can_edit: bool,
    flash: Option<String>,
}

pub(super) async fn designations_list(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<ListQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let dq = DesignationQuery {
        region: nz(&q.region),
        level: nz(&q.level),
        dtype: nz(&q.kind),
        year: q.year(lang)?,
        q: nz(&q.q),
        page: q.page.parse().ok(),
        per_page: Some(20),
        ..Default::default()
    };
    let f = dq.filter()?;
    let page = st.svc.list_designations(&ctx.actor, &f).await?;
    let (l, x) = LIST.frame(&st, &ctx, &q, page.page).await;
    let en = lang.is_en();
    let p = DesignationsPage {
        flash: (!q.deleted.is_empty()).then(|| t.s("common.deleted")),
        l,
        x,
        page,
        regions: region_options(&st, &ctx).await?,
        levels: options(
            DesignationLevel::ALL,
            DesignationLevel::code,
            DesignationLevel::label,
            en,
        ),
        types: options(
            DesignationType::ALL,
            DesignationType::code,
            DesignationType::label,
            en,
        ),
        years: years(),
        can_edit: ctx.may(Permission::EditRegisters),
        q,
    };
    render(&p, lang)
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct DesignationForm {
    dtype: String,
    worker: String,
    level: String,
    year: String,
    org: String,
    holder_name: String,
    document_no: String,
    version: String,
}

impl DesignationForm {
    fn input(&self) -> DesignationInput {
        DesignationInput {
            worker: nz(&self.worker),
            dtype: Some(self.dtype.clone()),
            level: Some(self.level.clone()),
            year: Some(self.year.clone()),
            org: Some(self.org.clone()),
            holder_name: Some(self.holder_name.clone()),
            document_no: Some(self.document_no.clone()),
            version: self.version.parse().ok(),
        }
    }
}

#[derive(Template)]
#[template(path = "designation_form.html")]
struct DesignationFormPage {
    l: Layout,
    f: DesignationForm,
    e: Errors,
    id: Option<i64>,
    orgs: Vec<(String, String)>,
    levels: Vec<(&'static str, &'static str)>,
    types: Vec<(&'static str, &'static str, bool)>,
}

const DESIGNATION_FIELDS: &[&str] = &[
    "dtype",
    "level",
    "year",
    "org",
    "holder_name",
    "document_no",
    "worker",
];

async fn designation_form(
    st: &AppState,
    ctx: &Ctx,
    f: DesignationForm,
    e: Errors,
    id: Option<i64>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let title = t.s(if id.is_some() {
        "designations.edit"
    } else {
        "designations.new"
    });
    let l = Layout::under(ctx, "/designations", "nav.designations", title);
    let page = DesignationFormPage {
        l,
        f,
        e,
        id,
        orgs: org_choices(
            st,
            ctx,
            &["enterprise", "park", "college", "union", "member_unit"],
        )
        .await?,
        levels: options(
            DesignationLevel::ALL,
            DesignationLevel::code,
            DesignationLevel::label,
            lang.is_en(),
        ),
        types: DesignationType::ALL
            .iter()
            .map(|x| {
                (
                    x.code(),
                    x.label(lang.is_en()),
                    x.holder() == gongjiang_domain::programme::Holder::Worker,
                )
            })
            .collect(),
    };
    render(&page, lang)
}

pub(super) async fn designation_new(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgEditor>,
    Query(q): Query<ListQuery>,
) -> Result<Response, UiError> {
    let f = DesignationForm {
        org: q.q.clone(),
        dtype: "innovation_studio".into(),
        level: "city".into(),
        year: crate::api::tasks::current_year().to_string(),
        ..Default::default()
    };
    designation_form(&st, &ctx, f, Errors::default(), None).await
}

pub(super) async fn designation_create(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgEditor>,
    CsrfForm(f): CsrfForm<DesignationForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    save_form(
        lang,
        st.svc.create_designation(&ctx.actor, &f.input()).await,
        DESIGNATION_FIELDS,
        |d| format!("/orgs/{}?tab=designations&saved=1", d.holder_org_id),
        |errors| designation_form(&st, &ctx, f, errors, None),
    )
    .await
}

pub(super) async fn designation_edit(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgEditor>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    let d = st.svc.get_designation(&ctx.actor, id).await?;
    let f = DesignationForm {
        // The full number is not shown here; leaving it empty keeps the holder.
        worker: String::new(),
        dtype: d.dtype,
        level: d.level,
        year: d.year.to_string(),
        org: d
            .uscc
            .clone()
            .unwrap_or_else(|| d.holder_org_id.to_string()),
        holder_name: d.holder_name.unwrap_or_default(),
        document_no: d.document_no.unwrap_or_default(),
        version: d.version.to_string(),
    };
    designation_form(&st, &ctx, f, Errors::default(), Some(id)).await
}

pub(super) async fn designation_update(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgEditor>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<DesignationForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    save_form(
        lang,
        st.svc.update_designation(&ctx.actor, id, &f.input()).await,
        DESIGNATION_FIELDS,
        |d| format!("/orgs/{}?tab=designations&saved=1", d.holder_org_id),
        |errors| designation_form(&st, &ctx, f, errors, Some(id)),
    )
    .await
}

pub(super) async fn designation_delete(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgEditor>,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    st.svc.delete_designation(&ctx.actor, id).await?;
    Ok(Redirect::to("/designations?deleted=1").into_response())
}
