//! Corrections: editing and ending contact points, visits, pairs and activities. Each
//! form is a `RecordForm`: how it shows its record and how it saves; the handlers are
//! the shared `record_form` / `record_save`.
use super::form::{field, field_of, opt, version_of, whole, Edit, RecordForm, Shown};
use super::pairs::{activity_fields, pair_fields, show_pair};
use super::problems::visit_fields;
use crate::auth::{CsrfForm, Ctx, OrgReader, WebUser};
use crate::error::{AppError, UiError};
use crate::i18n::{Lang, T};
use crate::ui::lists::{id_of, missing};
use crate::ui::Refusal;
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use gongjiang_storage::contacts::{ContactEdit, ContactEndInput, ContactPoint, VisitEdit};
use gongjiang_storage::pairs::{Activity, ActivityEdit, Pair, PairEdit, PairEndInput};
use gongjiang_storage::StoreError;
use std::collections::BTreeMap;

/// 403 unless the caller may change the record (a form coming back with errors is
/// shown as typed all the same).
fn may_change(may: bool, again: bool, lang: Lang) -> Result<(), UiError> {
    if may || again {
        Ok(())
    } else {
        Err(UiError(AppError::Store(StoreError::Forbidden), lang))
    }
}

fn values(pairs: &[(&str, String)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// What a form sent.
type Typed = BTreeMap<String, String>;

/// The contact point `id`, when the caller may change it.
async fn contact_of(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    again: bool,
) -> Result<ContactPoint, UiError> {
    let (c, may) = st.svc.get_contact_point(&ctx.actor, id).await?;
    may_change(may, again, ctx.lang)?;
    Ok(c)
}

/// The pair `id`, when the caller may change it.
async fn pair_of(st: &AppState, ctx: &Ctx, id: i64, again: bool) -> Result<Pair, UiError> {
    let (p, _, _, may) = st.svc.get_pair(&ctx.actor, id, ctx.lang.is_en()).await?;
    may_change(may, again, ctx.lang)?;
    Ok(p)
}

fn contact_intro(c: &ContactPoint) -> String {
    format!("{} · {}", c.org_name, c.official_name)
}

fn pair_intro(p: &Pair) -> String {
    format!("{} ↔ {}", p.org_a_name, p.org_b_name)
}

/// `/contacts/points/{id}/edit`: reassigning a contact point or changing its dates.
pub(super) struct ContactEditForm;

impl RecordForm for ContactEditForm {
    type Key = i64;
    const HEADING: &'static str = "contacts.edit_point";
    fn action(id: i64) -> String {
        format!("/contacts/points/{id}/edit")
    }
    async fn show(st: &AppState, ctx: &Ctx, id: i64, again: bool) -> Result<Shown, UiError> {
        let t = T(ctx.lang);
        let c = contact_of(st, ctx, id, again).await?;
        Ok(Shown {
            fresh: values(&[
                ("official", c.official_username.clone()),
                ("start_on", c.start_on.clone()),
                ("end_on", c.end_on.clone().unwrap_or_default()),
                ("note", c.note.clone().unwrap_or_default()),
                ("_version", c.version.to_string()),
            ]),
            edit: Edit {
                intro: contact_intro(&c),
                ..Edit::default()
            },
            fields: vec![
                field("official", t.s("contacts.official_username"), "text", true)
                    .help(t.s("contacts.reassign_help")),
                field("start_on", t.s("contacts.start_on"), "date", true),
                field("end_on", t.s("contacts.end_on"), "date", false)
                    .help(t.s("contacts.planned_end_help")),
                field("note", t.s("contacts.note"), "text", false),
            ],
        })
    }
    async fn save(st: &AppState, ctx: &Ctx, id: i64, data: &Typed) -> Result<String, StoreError> {
        let i = ContactEdit {
            version: version_of(data),
            official: Some(field_of(data, "official")),
            start_on: Some(field_of(data, "start_on")),
            end_on: Some(field_of(data, "end_on")),
            note: Some(field_of(data, "note")),
        };
        st.svc.update_contact(&ctx.actor, id, &i).await?;
        Ok("/contacts#points".into())
    }
}

/// `/contacts/points/{id}/end`: ending a contact point.
pub(super) struct ContactEndForm;

impl RecordForm for ContactEndForm {
    type Key = i64;
    const HEADING: &'static str = "contacts.end";
    fn action(id: i64) -> String {
        format!("/contacts/points/{id}/end")
    }
    async fn show(st: &AppState, ctx: &Ctx, id: i64, again: bool) -> Result<Shown, UiError> {
        let t = T(ctx.lang);
        let c = contact_of(st, ctx, id, again).await?;
        Ok(Shown {
            fresh: values(&[
                ("end_on", gongjiang_storage::contacts::today().to_string()),
                ("_version", c.version.to_string()),
            ]),
            edit: Edit {
                submit: Some("contacts.end"),
                intro: contact_intro(&c),
                ..Edit::default()
            },
            fields: vec![
                field("end_on", t.s("contacts.end_on"), "date", true)
                    .help(t.s("contacts.end_help")),
                field("reason", t.s("contacts.end_reason"), "textarea", false),
            ],
        })
    }
    async fn save(st: &AppState, ctx: &Ctx, id: i64, data: &Typed) -> Result<String, StoreError> {
        let i = ContactEndInput {
            end_on: field_of(data, "end_on"),
            reason: opt(data, "reason"),
            version: version_of(data),
        };
        st.svc.end_contact(&ctx.actor, id, &i).await?;
        Ok("/contacts#points".into())
    }
}

/// `/contacts/visits/{id}/edit`: correcting a visit's date, form and summary.
pub(super) struct VisitEditForm;

impl RecordForm for VisitEditForm {
    type Key = i64;
    const HEADING: &'static str = "contacts.edit_visit";
    fn action(id: i64) -> String {
        format!("/contacts/visits/{id}/edit")
    }
    async fn show(st: &AppState, ctx: &Ctx, id: i64, _again: bool) -> Result<Shown, UiError> {
        let en = ctx.lang.is_en();
        let (v, may) = st.svc.get_visit(&ctx.actor, id, en).await?;
        may_change(may, false, ctx.lang)?;
        Ok(Shown {
            fresh: values(&[
                ("visited_on", v.visited_on.clone()),
                ("form", v.form.clone()),
                ("summary", v.summary.clone()),
                ("_version", v.version.to_string()),
            ]),
            edit: Edit {
                intro: format!("{} · {}", v.org_name, v.official_name),
                ..Edit::default()
            },
            fields: visit_fields(T(ctx.lang), en)
                .into_iter()
                .filter(|f| matches!(f.key, "visited_on" | "form" | "summary"))
                .collect(),
        })
    }
    async fn save(st: &AppState, ctx: &Ctx, id: i64, data: &Typed) -> Result<String, StoreError> {
        let i = VisitEdit {
            version: version_of(data),
            visited_on: Some(field_of(data, "visited_on")),
            form: Some(field_of(data, "form")),
            summary: Some(field_of(data, "summary")),
        };
        st.svc
            .update_visit(&ctx.actor, id, &i, ctx.lang.is_en())
            .await?;
        Ok("/contacts".into())
    }
}

/// `/pairs/{id}/edit`: changing a pair.
pub(super) struct PairEditForm;

impl RecordForm for PairEditForm {
    type Key = i64;
    const HEADING: &'static str = "pairs.edit";
    fn action(id: i64) -> String {
        format!("/pairs/{id}/edit")
    }
    async fn show(st: &AppState, ctx: &Ctx, id: i64, again: bool) -> Result<Shown, UiError> {
        let en = ctx.lang.is_en();
        let p = pair_of(st, ctx, id, again).await?;
        Ok(Shown {
            fresh: values(&[
                ("kind", p.kind.clone()),
                ("org_a", p.org_a.to_string()),
                ("org_b", p.org_b.to_string()),
                ("chain", p.chain.clone().unwrap_or_default()),
                ("start_year", p.start_year.to_string()),
                ("goals", p.goals.clone().unwrap_or_default()),
                ("_version", p.version.to_string()),
            ]),
            edit: Edit {
                back: Some(format!("/pairs/{id}")),
                intro: pair_intro(&p),
                ..Edit::default()
            },
            fields: pair_fields(T(ctx.lang), en),
        })
    }
    async fn save(st: &AppState, ctx: &Ctx, id: i64, data: &Typed) -> Result<String, StoreError> {
        let year = whole(
            data,
            "start_year",
            "起始年份须为四位数字年份",
            "start year must be a four-digit year",
        )?;
        let i = PairEdit {
            version: version_of(data),
            kind: Some(field_of(data, "kind")),
            org_a: Some(field_of(data, "org_a")),
            org_b: Some(field_of(data, "org_b")),
            chain: Some(field_of(data, "chain")),
            start_year: Some(year),
            goals: Some(field_of(data, "goals")),
        };
        st.svc
            .update_pair(&ctx.actor, id, &i, ctx.lang.is_en())
            .await?;
        Ok(format!("/pairs/{id}"))
    }
}

/// `/pairs/{id}/end`: ending a pair, with the reason.
pub(super) struct PairEndForm;

impl RecordForm for PairEndForm {
    type Key = i64;
    const HEADING: &'static str = "pairs.end";
    fn action(id: i64) -> String {
        format!("/pairs/{id}/end")
    }
    async fn show(st: &AppState, ctx: &Ctx, id: i64, again: bool) -> Result<Shown, UiError> {
        let t = T(ctx.lang);
        let p = pair_of(st, ctx, id, again).await?;
        Ok(Shown {
            fresh: values(&[
                ("ended_on", gongjiang_storage::contacts::today().to_string()),
                ("_version", p.version.to_string()),
            ]),
            edit: Edit {
                back: Some(format!("/pairs/{id}")),
                submit: Some("pairs.end"),
                intro: pair_intro(&p),
            },
            fields: vec![
                field("ended_on", t.s("pairs.ended_on"), "date", true).help(t.s("pairs.end_help")),
                field("reason", t.s("pairs.end_reason"), "textarea", true),
            ],
        })
    }
    async fn save(st: &AppState, ctx: &Ctx, id: i64, data: &Typed) -> Result<String, StoreError> {
        let i = PairEndInput {
            ended_on: field_of(data, "ended_on"),
            reason: field_of(data, "reason"),
            version: version_of(data),
        };
        st.svc
            .end_pair(&ctx.actor, id, &i, ctx.lang.is_en())
            .await?;
        Ok(format!("/pairs/{id}"))
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
    let (p, a, may) = st.svc.get_activity(&ctx.actor, aid).await?;
    if p.id != id {
        return Err(missing(ctx.lang));
    }
    Ok((p, a, may))
}

/// `/pairs/{id}/activities/{aid}/edit`: correcting an activity of a pair.
pub(super) struct ActivityEditForm;

impl RecordForm for ActivityEditForm {
    type Key = (i64, i64);
    const HEADING: &'static str = "pairs.edit_activity";
    fn action((id, aid): (i64, i64)) -> String {
        format!("/pairs/{id}/activities/{aid}/edit")
    }
    async fn show(
        st: &AppState,
        ctx: &Ctx,
        (id, aid): (i64, i64),
        _again: bool,
    ) -> Result<Shown, UiError> {
        let (p, a, may) = activity_of(st, ctx, id, aid).await?;
        may_change(may, false, ctx.lang)?;
        Ok(Shown {
            fresh: values(&[
                ("held_on", a.held_on.clone()),
                ("title", a.title.clone()),
                ("participants", a.participants.to_string()),
                ("summary", a.summary.clone().unwrap_or_default()),
                ("_version", a.version.to_string()),
            ]),
            edit: Edit {
                back: Some(format!("/pairs/{id}")),
                intro: pair_intro(&p),
                ..Edit::default()
            },
            fields: activity_fields(T(ctx.lang)),
        })
    }
    async fn save(
        st: &AppState,
        ctx: &Ctx,
        key: (i64, i64),
        data: &Typed,
    ) -> Result<String, StoreError> {
        let (id, aid) = key;
        // The activity must be the pair's (else 404, before anything typed is read).
        let (p, _) = st
            .svc
            .get_activity(&ctx.actor, aid)
            .await
            .map(|(p, a, _)| (p, a))?;
        if p.id != id {
            return Err(StoreError::NotFound);
        }
        let n = whole(
            data,
            "participants",
            "参与人数须为整数",
            "participants must be a whole number",
        )?;
        let i = ActivityEdit {
            version: version_of(data),
            held_on: Some(field_of(data, "held_on")),
            title: Some(field_of(data, "title")),
            summary: Some(field_of(data, "summary")),
            participants: Some(n),
        };
        st.svc.update_activity(&ctx.actor, aid, &i).await?;
        Ok(format!("/pairs/{id}"))
    }
}

pub(super) async fn activity_delete(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path((id, aid)): Path<(String, String)>,
    CsrfForm(data): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let (id, aid) = (id_of(&id, ctx.lang)?, id_of(&aid, ctx.lang)?);
    activity_of(&st, &ctx, id, aid).await?;
    let version = version_of(&data);
    match st.svc.delete_activity(&ctx.actor, aid, version).await {
        Ok(()) => Ok(Redirect::to(&format!("/pairs/{id}")).into_response()),
        Err(e) => {
            let r = Refusal::or_error(e, ctx.lang)?;
            show_pair(&st, &ctx, id, &BTreeMap::new(), Some(&r)).await
        }
    }
}
