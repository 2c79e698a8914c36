//! Corrections: editing and ending contact points, visits, pairs and activities.
use super::form::{field, field_of, form_error, form_page_for, opt, Edit, Field};
use super::pairs::{activity_fields, pair_fields, show_pair};
use super::problems::visit_fields;
use super::{not_found, ui};
use crate::auth::{CsrfForm, Ctx, OrgReader, WebUser};
use crate::error::{AppError, UiError};
use crate::i18n::{Lang, T};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use gongjiang_storage::contacts::{ContactEdit, ContactEndInput, ContactPoint, VisitEdit};
use gongjiang_storage::pairs::{Activity, ActivityEdit, Pair, PairEdit, PairEndInput};
use gongjiang_storage::StoreError;
use std::collections::BTreeMap;

// ------------------------------------------- corrections: points, visits, pairs

fn parse(id: &str, lang: Lang) -> Result<i64, UiError> {
    id.parse::<i64>().map_err(|_| not_found(lang))
}

fn forbidden(lang: Lang) -> UiError {
    UiError(AppError::Store(StoreError::Forbidden), lang)
}

fn values(pairs: &[(&str, String)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn contact_edit_fields(t: T) -> Vec<Field> {
    vec![
        field("official", t.s("contacts.official_username"), "text", true)
            .help(t.s("contacts.reassign_help")),
        field("start_on", t.s("contacts.start_on"), "date", true),
        field("end_on", t.s("contacts.end_on"), "date", false)
            .help(t.s("contacts.planned_end_help")),
        field("note", t.s("contacts.note"), "text", false),
    ]
}

fn contact_intro(c: &ContactPoint) -> String {
    format!("{} · {}", c.org_name, c.official_name)
}

pub(super) async fn contact_edit_form(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = parse(&id, lang)?;
    let (c, may) = st
        .svc
        .get_contact_point(&ctx.actor, id)
        .await
        .map_err(ui(lang))?;
    if !may {
        return Err(forbidden(lang));
    }
    let data = values(&[
        ("official", c.official_username.clone()),
        ("start_on", c.start_on.clone()),
        ("end_on", c.end_on.clone().unwrap_or_default()),
        ("note", c.note.clone().unwrap_or_default()),
        ("_version", c.version.to_string()),
    ]);
    let edit = Edit {
        intro: contact_intro(&c),
        ..Edit::default()
    };
    form_page_for(
        &ctx,
        "contacts.edit_point",
        &format!("/contacts/points/{id}/edit"),
        &edit,
        contact_edit_fields(T(lang)),
        &data,
        None,
    )
}

pub(super) async fn contact_edit_save(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(data): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = parse(&id, lang)?;
    let i = ContactEdit {
        version: opt(&data, "_version").and_then(|v| v.parse().ok()),
        official: Some(field_of(&data, "official")),
        start_on: Some(field_of(&data, "start_on")),
        end_on: Some(field_of(&data, "end_on")),
        note: Some(field_of(&data, "note")),
    };
    match st.svc.update_contact(&ctx.actor, id, &i).await {
        Ok(_) => Ok(Redirect::to("/contacts#points").into_response()),
        Err(e) if form_error(&e) => {
            let (c, _) = st
                .svc
                .get_contact_point(&ctx.actor, id)
                .await
                .map_err(ui(lang))?;
            let edit = Edit {
                intro: contact_intro(&c),
                ..Edit::default()
            };
            form_page_for(
                &ctx,
                "contacts.edit_point",
                &format!("/contacts/points/{id}/edit"),
                &edit,
                contact_edit_fields(T(lang)),
                &data,
                Some(&e),
            )
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

fn contact_end_fields(t: T) -> Vec<Field> {
    vec![
        field("end_on", t.s("contacts.end_on"), "date", true).help(t.s("contacts.end_help")),
        field("reason", t.s("contacts.end_reason"), "textarea", false),
    ]
}

async fn contact_end_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    data: Option<&BTreeMap<String, String>>,
    e: Option<&StoreError>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let (c, may) = st
        .svc
        .get_contact_point(&ctx.actor, id)
        .await
        .map_err(ui(lang))?;
    if !may && e.is_none() {
        return Err(forbidden(lang));
    }
    let fresh = values(&[
        ("end_on", gongjiang_storage::contacts::today().to_string()),
        ("_version", c.version.to_string()),
    ]);
    let edit = Edit {
        submit: Some("contacts.end"),
        intro: contact_intro(&c),
        ..Edit::default()
    };
    form_page_for(
        ctx,
        "contacts.end",
        &format!("/contacts/points/{id}/end"),
        &edit,
        contact_end_fields(T(lang)),
        data.unwrap_or(&fresh),
        e,
    )
}

pub(super) async fn contact_end_form(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = parse(&id, ctx.lang)?;
    contact_end_page(&st, &ctx, id, None, None).await
}

pub(super) async fn contact_end_save(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(data): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let id = parse(&id, ctx.lang)?;
    let i = ContactEndInput {
        end_on: field_of(&data, "end_on"),
        reason: opt(&data, "reason"),
        version: opt(&data, "_version").and_then(|v| v.parse().ok()),
    };
    match st.svc.end_contact(&ctx.actor, id, &i).await {
        Ok(_) => Ok(Redirect::to("/contacts#points").into_response()),
        Err(e) if form_error(&e) => contact_end_page(&st, &ctx, id, Some(&data), Some(&e)).await,
        Err(e) => Err(UiError(e.into(), ctx.lang)),
    }
}

fn visit_edit_fields(t: T, en: bool) -> Vec<Field> {
    visit_fields(t, en)
        .into_iter()
        .filter(|f| matches!(f.key, "visited_on" | "form" | "summary"))
        .collect()
}

async fn visit_edit_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    data: Option<&BTreeMap<String, String>>,
    e: Option<&StoreError>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let (v, may) = st
        .svc
        .get_visit(&ctx.actor, id, en)
        .await
        .map_err(ui(lang))?;
    if !may {
        return Err(forbidden(lang));
    }
    let fresh = values(&[
        ("visited_on", v.visited_on.clone()),
        ("form", v.form.clone()),
        ("summary", v.summary.clone()),
        ("_version", v.version.to_string()),
    ]);
    let edit = Edit {
        intro: format!("{} · {}", v.org_name, v.official_name),
        ..Edit::default()
    };
    form_page_for(
        ctx,
        "contacts.edit_visit",
        &format!("/contacts/visits/{id}/edit"),
        &edit,
        visit_edit_fields(T(lang), en),
        data.unwrap_or(&fresh),
        e,
    )
}

pub(super) async fn visit_edit_form(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = parse(&id, ctx.lang)?;
    visit_edit_page(&st, &ctx, id, None, None).await
}

pub(super) async fn visit_edit_save(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(data): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let id = parse(&id, ctx.lang)?;
    let i = VisitEdit {
        version: opt(&data, "_version").and_then(|v| v.parse().ok()),
        visited_on: Some(field_of(&data, "visited_on")),
        form: Some(field_of(&data, "form")),
        summary: Some(field_of(&data, "summary")),
    };
    match st
        .svc
        .update_visit(&ctx.actor, id, &i, ctx.lang.is_en())
        .await
    {
        Ok(_) => Ok(Redirect::to("/contacts").into_response()),
        Err(e) if form_error(&e) => visit_edit_page(&st, &ctx, id, Some(&data), Some(&e)).await,
        Err(e) => Err(UiError(e.into(), ctx.lang)),
    }
}

fn pair_intro(p: &Pair) -> String {
    format!("{} ↔ {}", p.org_a_name, p.org_b_name)
}

async fn pair_edit_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    data: Option<&BTreeMap<String, String>>,
    e: Option<&StoreError>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let (p, _, _, may) = st
        .svc
        .get_pair(&ctx.actor, id, en)
        .await
        .map_err(ui(lang))?;
    if !may && e.is_none() {
        return Err(forbidden(lang));
    }
    let fresh = values(&[
        ("kind", p.kind.clone()),
        ("org_a", p.org_a.to_string()),
        ("org_b", p.org_b.to_string()),
        ("chain", p.chain.clone().unwrap_or_default()),
        ("start_year", p.start_year.to_string()),
        ("goals", p.goals.clone().unwrap_or_default()),
        ("_version", p.version.to_string()),
    ]);
    let edit = Edit {
        back: Some(format!("/pairs/{id}")),
        intro: pair_intro(&p),
        ..Edit::default()
    };
    form_page_for(
        ctx,
        "pairs.edit",
        &format!("/pairs/{id}/edit"),
        &edit,
        pair_fields(T(lang), en),
        data.unwrap_or(&fresh),
        e,
    )
}

pub(super) async fn pair_edit_form(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = parse(&id, ctx.lang)?;
    pair_edit_page(&st, &ctx, id, None, None).await
}

/// A whole number typed into a form, or the field error naming it.
fn whole(
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

pub(super) async fn pair_edit_save(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(data): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let id = parse(&id, ctx.lang)?;
    let en = ctx.lang.is_en();
    let year = match whole(
        &data,
        "start_year",
        "起始年份须为四位数字年份",
        "start year must be a four-digit year",
    ) {
        Ok(y) => y,
        Err(e) => return pair_edit_page(&st, &ctx, id, Some(&data), Some(&e)).await,
    };
    let i = PairEdit {
        version: opt(&data, "_version").and_then(|v| v.parse().ok()),
        kind: Some(field_of(&data, "kind")),
        org_a: Some(field_of(&data, "org_a")),
        org_b: Some(field_of(&data, "org_b")),
        chain: Some(field_of(&data, "chain")),
        start_year: Some(year),
        goals: Some(field_of(&data, "goals")),
    };
    match st.svc.update_pair(&ctx.actor, id, &i, en).await {
        Ok(_) => Ok(Redirect::to(&format!("/pairs/{id}")).into_response()),
        Err(e) if form_error(&e) => pair_edit_page(&st, &ctx, id, Some(&data), Some(&e)).await,
        Err(e) => Err(UiError(e.into(), ctx.lang)),
    }
}

fn pair_end_fields(t: T) -> Vec<Field> {
    vec![
        field("ended_on", t.s("pairs.ended_on"), "date", true).help(t.s("pairs.end_help")),
        field("reason", t.s("pairs.end_reason"), "textarea", true),
    ]
}

async fn pair_end_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    data: Option<&BTreeMap<String, String>>,
    e: Option<&StoreError>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let (p, _, _, may) = st
        .svc
        .get_pair(&ctx.actor, id, lang.is_en())
        .await
        .map_err(ui(lang))?;
    if !may && e.is_none() {
        return Err(forbidden(lang));
    }
    let fresh = values(&[
        ("ended_on", gongjiang_storage::contacts::today().to_string()),
        ("_version", p.version.to_string()),
    ]);
    let edit = Edit {
        back: Some(format!("/pairs/{id}")),
        submit: Some("pairs.end"),
        intro: pair_intro(&p),
    };
    form_page_for(
        ctx,
        "pairs.end",
        &format!("/pairs/{id}/end"),
        &edit,
        pair_end_fields(T(lang)),
        data.unwrap_or(&fresh),
        e,
    )
}

pub(super) async fn pair_end_form(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = parse(&id, ctx.lang)?;
    pair_end_page(&st, &ctx, id, None, None).await
}

pub(super) async fn pair_end_save(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(data): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let id = parse(&id, ctx.lang)?;
    let i = PairEndInput {
        ended_on: field_of(&data, "ended_on"),
        reason: field_of(&data, "reason"),
        version: opt(&data, "_version").and_then(|v| v.parse().ok()),
    };
    match st.svc.end_pair(&ctx.actor, id, &i, ctx.lang.is_en()).await {
        Ok(_) => Ok(Redirect::to(&format!("/pairs/{id}")).into_response()),
        Err(e) if form_error(&e) => pair_end_page(&st, &ctx, id, Some(&data), Some(&e)).await,
        Err(e) => Err(UiError(e.into(), ctx.lang)),
    }
}

/// The activity `aid` of pair `id` (404 when it belongs to another pair) and whether
/// the caller may correct it.
async fn activity_of(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    aid: i64,
) -> Result<(Pair, Activity, bool), UiError> {
    let (p, a, may) = st
        .svc
        .get_activity(&ctx.actor, aid)
        .await
        .map_err(ui(ctx.lang))?;
    if p.id != id {
        return Err(not_found(ctx.lang));
    }
    Ok((p, a, may))
}

async fn activity_edit_page(
    st: &AppState,
    ctx: &Ctx,
    (id, aid): (i64, i64),
    data: Option<&BTreeMap<String, String>>,
    e: Option<&StoreError>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let (p, a, may) = activity_of(st, ctx, id, aid).await?;
    if !may {
        return Err(forbidden(lang));
    }
    let fresh = values(&[
        ("held_on", a.held_on.clone()),
        ("title", a.title.clone()),
        ("participants", a.participants.to_string()),
        ("summary", a.summary.clone().unwrap_or_default()),
        ("_version", a.version.to_string()),
    ]);
    let edit = Edit {
        back: Some(format!("/pairs/{id}")),
        intro: pair_intro(&p),
        ..Edit::default()
    };
    form_page_for(
        ctx,
        "pairs.edit_activity",
        &format!("/pairs/{id}/activities/{aid}/edit"),
        &edit,
        activity_fields(T(lang)),
        data.unwrap_or(&fresh),
        e,
    )
}

pub(super) async fn activity_edit_form(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path((id, aid)): Path<(String, String)>,
) -> Result<Response, UiError> {
    let ids = (parse(&id, ctx.lang)?, parse(&aid, ctx.lang)?);
    activity_edit_page(&st, &ctx, ids, None, None).await
}

pub(super) async fn activity_edit_save(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path((id, aid)): Path<(String, String)>,
    CsrfForm(data): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let ids = (parse(&id, ctx.lang)?, parse(&aid, ctx.lang)?);
    activity_of(&st, &ctx, ids.0, ids.1).await?;
    let n = match whole(
        &data,
        "participants",
        "参与人数须为整数",
        "participants must be a whole number",
    ) {
        Ok(n) => n,
        Err(e) => return activity_edit_page(&st, &ctx, ids, Some(&data), Some(&e)).await,
    };
    let i = ActivityEdit {
        version: opt(&data, "_version").and_then(|v| v.parse().ok()),
        held_on: Some(field_of(&data, "held_on")),
        title: Some(field_of(&data, "title")),
        summary: Some(field_of(&data, "summary")),
        participants: Some(n),
    };
    match st.svc.update_activity(&ctx.actor, ids.1, &i).await {
        Ok(_) => Ok(Redirect::to(&format!("/pairs/{}", ids.0)).into_response()),
        Err(e) if form_error(&e) => activity_edit_page(&st, &ctx, ids, Some(&data), Some(&e)).await,
        Err(e) => Err(UiError(e.into(), ctx.lang)),
    }
}

pub(super) async fn activity_delete(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path((id, aid)): Path<(String, String)>,
    CsrfForm(data): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let (id, aid) = (parse(&id, ctx.lang)?, parse(&aid, ctx.lang)?);
    activity_of(&st, &ctx, id, aid).await?;
    let version = opt(&data, "_version").and_then(|v| v.parse().ok());
    match st.svc.delete_activity(&ctx.actor, aid, version).await {
        Ok(()) => Ok(Redirect::to(&format!("/pairs/{id}")).into_response()),
        Err(e) if form_error(&e) => show_pair(&st, &ctx, id, &BTreeMap::new(), Some(&e)).await,
        Err(e) => Err(UiError(e.into(), ctx.lang)),
    }
}
