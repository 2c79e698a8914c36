//! `/assessment`: the schemes page (new scheme, new round) and the scheme editor with
//! its versions (save, publish, new draft).
use super::outline::{apply_op, attach, parse_num, rows_from_form, rows_of, tree_of, Row};
use super::{is_city, num, with_status};
use crate::auth::{CsrfForm, Ctx, WebUser};
use crate::error::{AppError, UiError};
use crate::i18n::T;
use crate::ui::lists::id_of;
use crate::ui::save_or_show;
use crate::ui::{render, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use gongjiang_domain::assessment::TargetKind;
use gongjiang_domain::indicators::CATALOGUE;
use gongjiang_storage::assessment::{
    Round, RoundInput, Scheme, SchemeInput, SchemeVersion, TreeInput,
};
use gongjiang_storage::StoreError;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Template)]
#[template(path = "asm_schemes.html")]
struct SchemesPage {
    l: Layout,
    schemes: Vec<Scheme>,
    rounds: Vec<Round>,
    city: bool,
    published: Vec<(i64, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    form: BTreeMap<String, String>,
    errors: Vec<(String, String)>,
}

impl SchemesPage {
    fn v(&self, k: &str) -> String {
        self.form.get(k).cloned().unwrap_or_default()
    }
    fn err(&self, k: &str) -> String {
        self.errors
            .iter()
            .filter(|(f, _)| f == k)
            .map(|(_, m)| m.clone())
            .collect::<Vec<_>>()
            .join(";")
    }
    fn general(&self) -> Vec<String> {
        self.errors
            .iter()
            .filter(|(f, _)| {
                !["year", "title", "version_id", "target_kind", "targets"].contains(&f.as_str())
            })
            .map(|(_, m)| m.clone())
            .collect()
    }
}

async fn schemes_page(
    st: &AppState,
    ctx: &Ctx,
    form: BTreeMap<String, String>,
    errors: Vec<(String, String)>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    let schemes = st.svc.list_schemes(&ctx.actor).await?;
    let rounds = st.svc.list_rounds(&ctx.actor, en).await?;
    let published = schemes
        .iter()
        .flat_map(|s| {
            s.versions
                .iter()
                .filter(|v| v.status == "published")
                .map(move |v| {
                    (
                        v.id,
                        format!("{} · {}{}", s.name, t.s("asm.version_no"), v.version_no),
                    )
                })
        })
        .collect();
    let l = Layout::new(
        ctx,
        "/assessment/schemes",
        t.s("nav.schemes"),
        vec![(t.s("nav.schemes"), String::new())],
    );
    let failed = !errors.is_empty();
    Ok(with_status(
        render(
            &SchemesPage {
                l,
                schemes,
                rounds,
                city: is_city(ctx),
                published,
                kinds: TargetKind::ALL
                    .iter()
                    .map(|k| (k.code(), k.label(en)))
                    .collect(),
                form,
                errors,
            },
            lang,
        )?,
        failed,
    ))
}

pub(super) async fn schemes(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
) -> Result<Response, UiError> {
    let mut form = BTreeMap::new();
    // A round assesses the latest year with approved data by default.
    let year = crate::period::default_year(&st, &ctx.actor).await;
    form.insert("year".into(), year.to_string());
    form.insert("target_kind".into(), "district".into());
    schemes_page(&st, &ctx, form, Vec::new()).await
}

/// The new-round form on the schemes page.
pub(super) async fn create_round(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let g = |k: &str| f.get(k).cloned().unwrap_or_default();
    let input = RoundInput {
        year: g("year").trim().parse().unwrap_or(0),
        title: g("title"),
        version_id: g("version_id").parse().unwrap_or(0),
        target_kind: g("target_kind"),
        targets: g("targets")
            .split([',', ',', ' ', '\n', '、'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
    };
    let en = lang.is_en();
    save_or_show(
        lang,
        st.svc.create_round(&ctx.actor, &input, en).await,
        |r| format!("/assessment/rounds/{}", r.id),
        |r| async move { schemes_page(&st, &ctx, f, r.items).await },
    )
    .await
}

#[derive(Template)]
#[template(path = "asm_editor.html")]
struct EditorPage {
    l: Layout,
    /// None for a new scheme.
    v: Option<SchemeVersion>,
    name: String,
    description: String,
    rows: Vec<Row>,
    editable: bool,
    city: bool,
    general: Vec<String>,
    saved: bool,
    rules: Vec<(&'static str, String)>,
    indicators: Vec<(&'static str, &'static str)>,
    total: String,
}

fn editor(
    ctx: &Ctx,
    v: Option<SchemeVersion>,
    name: String,
    description: String,
    rows: Vec<Row>,
    general: Vec<String>,
    saved: bool,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    let title = match &v {
        Some(v) => format!(
            "{} · {}{}",
            v.scheme_name,
            t.s("asm.version_no"),
            v.version_no
        ),
        None => t.s("asm.new_scheme"),
    };
    let editable = is_city(ctx) && v.as_ref().is_none_or(|v| v.status == "draft");
    let failed = !general.is_empty() || rows.iter().any(|r| !r.errors.is_empty());
    let total: f64 = rows
        .iter()
        .filter(|r| r.level == 1)
        .filter_map(|r| parse_num(&r.points))
        .sum();
    let l = Layout::under(ctx, "/assessment/schemes", "nav.schemes", title);
    Ok(with_status(
        render(
            &EditorPage {
                l,
                city: is_city(ctx),
                v,
                name,
                description,
                rows,
                editable,
                general,
                saved,
                rules: ["", "checklist", "bands", "ratio", "indicator", "expert"]
                    .iter()
                    .map(|r| {
                        (
                            *r,
                            t.s(&format!(
                                "asm.rule.{}",
                                if r.is_empty() { "parent" } else { r }
                            )),
                        )
                    })
                    .collect(),
                indicators: CATALOGUE.iter().map(|i| (i.code, i.name(en))).collect(),
                total: num(total),
            },
            lang,
        )?,
        failed,
    ))
}

pub(super) async fn new_scheme(WebUser(ctx, ..): WebUser) -> Result<Response, UiError> {
    if !is_city(&ctx) {
        return Err(UiError(AppError::Store(StoreError::Forbidden), ctx.lang));
    }
    let rows = vec![Row {
        level: 1,
        name: String::new(),
        points: "100".into(),
        rule: "checklist".into(),
        ..Default::default()
    }];
    editor(
        &ctx,
        None,
        String::new(),
        String::new(),
        rows,
        Vec::new(),
        false,
    )
}

pub(super) async fn create_scheme(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let mut rows = rows_from_form(&f);
    let name = f.get("name").cloned().unwrap_or_default();
    let description = f.get("description").cloned().unwrap_or_default();
    let op = f.get("_op").cloned().unwrap_or_default();
    if op != "save" {
        apply_op(&mut rows, &op);
        let _ = tree_of(&mut rows, en);
        for r in &mut rows {
            r.errors.clear();
        }
        return editor(&ctx, None, name, description, rows, Vec::new(), false);
    }
    let (tree, ok) = tree_of(&mut rows, en);
    if !ok {
        return editor(&ctx, None, name, description, rows, Vec::new(), false);
    }
    let input = SchemeInput {
        name: name.clone(),
        description: Some(description.clone()),
        tree,
    };
    save_or_show(
        lang,
        st.svc.create_scheme(&ctx.actor, &input).await,
        |v| format!("/assessment/versions/{}?saved=1", v.id),
        |r| async move {
            let general = attach(&mut rows, r.items);
            editor(&ctx, None, name, description, rows, general, false)
        },
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct SavedQuery {
    saved: String,
}

pub(super) async fn version(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    let v = st.svc.scheme_version(&ctx.actor, id).await?;
    let rows = rows_of(&v.tree);
    let name = v.scheme_name.clone();
    editor(
        &ctx,
        Some(v),
        name,
        String::new(),
        rows,
        Vec::new(),
        q.saved == "1",
    )
}

pub(super) async fn save_version(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    let lang = ctx.lang;
    let en = lang.is_en();
    let v = st.svc.scheme_version(&ctx.actor, id).await?;
    let mut rows = rows_from_form(&f);
    let op = f.get("_op").cloned().unwrap_or_default();
    let name = v.scheme_name.clone();
    if op != "save" {
        apply_op(&mut rows, &op);
        let _ = tree_of(&mut rows, en);
        for r in &mut rows {
            r.errors.clear();
        }
        return editor(&ctx, Some(v), name, String::new(), rows, Vec::new(), false);
    }
    let (tree, ok) = tree_of(&mut rows, en);
    if !ok {
        return editor(&ctx, Some(v), name, String::new(), rows, Vec::new(), false);
    }
    let input = TreeInput {
        tree,
        version: f.get("_version").and_then(|s| s.parse().ok()),
    };
    save_or_show(
        lang,
        st.svc.save_draft(&ctx.actor, id, &input).await,
        |_| format!("/assessment/versions/{id}?saved=1"),
        |r| async move {
            let general = attach(&mut rows, r.items);
            editor(&ctx, Some(v), name, String::new(), rows, general, false)
        },
    )
    .await
}

pub(super) async fn publish_version(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(_f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    let lang = ctx.lang;
    save_or_show(
        lang,
        st.svc.publish_version(&ctx.actor, id).await,
        |_| format!("/assessment/versions/{id}"),
        |r| async move {
            let v = st.svc.scheme_version(&ctx.actor, id).await?;
            let mut rows = rows_of(&v.tree);
            let general = attach(&mut rows, r.items);
            let name = v.scheme_name.clone();
            editor(&ctx, Some(v), name, String::new(), rows, general, false)
        },
    )
    .await
}

pub(super) async fn new_draft(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(_f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    let lang = ctx.lang;
    save_or_show(
        lang,
        st.svc.new_draft(&ctx.actor, id).await,
        |v| format!("/assessment/versions/{}", v.id),
        |r| async move {
            let v = st.svc.scheme_version(&ctx.actor, id).await?;
            let rows = rows_of(&v.tree);
            let name = v.scheme_name.clone();
            let general = r.messages();
            editor(&ctx, Some(v), name, String::new(), rows, general, false)
        },
    )
    .await
}
