//! Console pages of the yearly assessment (评价考核): the scheme editor (an outline of
//! rows with levels, points and rules; add, add below, remove; validation messages next
//! to the rows), rounds (set-up, experts, recusals, close, publish), the targets'
//! self-report form, the experts' scoring sheet and the results page with a ranking
//! chart and every target's breakdown.
use super::{render, Layout};
use crate::auth::{CsrfForm, Ctx, WebUser};
use crate::error::{AppError, UiError};
use crate::i18n::{Lang, T};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use gongjiang_domain::assessment::{Band, Node, ScoringRule, TargetKind};
use gongjiang_domain::indicators::CATALOGUE;
use gongjiang_domain::Role;
use gongjiang_storage::assessment::{
    ConflictInput, Results, Round, RoundDetail, RoundInput, Scheme, SchemeInput, SchemeVersion,
    ScoreInput, ScoringSheet, SelfEntry, SelfInput, SelfReport, TargetResult, TreeInput,
};
use gongjiang_storage::StoreError;
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assessment/schemes", get(schemes).post(create_round))
        .route(
            "/assessment/schemes/new",
            get(new_scheme).post(create_scheme),
        )
        .route("/assessment/versions/{id}", get(version).post(save_version))
        .route("/assessment/versions/{id}/publish", post(publish_version))
        .route("/assessment/versions/{id}/draft", post(new_draft))
        .route("/assessment/rounds/{id}", get(round).post(round_post))
        .route("/assessment/self", get(self_list))
        .route(
            "/assessment/self/{round}/{target}",
            get(self_form).post(self_save),
        )
        .route("/assessment/scoring", get(scoring_list))
        .route(
            "/assessment/scoring/{round}",
            get(scoring).post(scoring_save),
        )
        .route("/assessment/results", get(results_list))
        .route(
            "/assessment/results/{round}",
            get(results).post(results_publish),
        )
        .route("/assessment/results/{round}/{target}", get(breakdown))
}

fn ui<E: Into<AppError>>(lang: Lang) -> impl Fn(E) -> UiError {
    move |e| UiError(e.into(), lang)
}

fn messages(e: &StoreError, en: bool) -> Vec<(String, String)> {
    match e {
        StoreError::Invalid(errs) => errs
            .iter()
            .map(|f| (f.field.clone(), f.message(en).to_string()))
            .collect(),
        StoreError::Conflict { zh, en: e, .. } | StoreError::Denied { zh, en: e, .. } => {
            vec![(String::new(), if en { e.clone() } else { zh.clone() })]
        }
        _ => Vec::new(),
    }
}

fn user_error(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::Invalid(_) | StoreError::Conflict { .. } | StoreError::Denied { .. }
    )
}

fn with_status(mut r: Response, failed: bool) -> Response {
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

fn is_city(ctx: &Ctx) -> bool {
    matches!(ctx.role(), Role::Sysadmin | Role::City)
}

fn num(x: f64) -> String {
    let r = (x * 100.0).round() / 100.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r}")
    }
}

/// Status label of a round or a self-report.
pub fn status_label(t: &T, s: &str) -> String {
    t.s(&format!("asm.status.{s}"))
}

pub fn status_badge(s: &str) -> &'static str {
    match s {
        "published" | "accepted" => "badge-green",
        "submitted" => "badge-blue",
        "closed" => "badge-blue",
        "open" => "badge-orange",
        _ => "badge-gray",
    }
}

// ------------------------------------------------------------------ the editor

/// One row of the outline editor.
#[derive(Clone, Default)]
pub struct Row {
    pub level: usize,
    pub code: String,
    pub name: String,
    pub points: String,
    /// "" (an item with sub-items), checklist, bands, ratio, indicator, expert
    pub rule: String,
    /// ratio/indicator target, expert maximum, or bands "90:100, 80:80"
    pub param: String,
    pub indicator: String,
    pub criteria: String,
    pub errors: Vec<String>,
}

fn rows_of(tree: &[Node]) -> Vec<Row> {
    fn walk(nodes: &[Node], level: usize, out: &mut Vec<Row>) {
        for n in nodes {
            let (rule, param, indicator, criteria) = match &n.rule {
                None => (String::new(), String::new(), String::new(), String::new()),
                Some(ScoringRule::Checklist) => (
                    "checklist".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                ),
                Some(ScoringRule::Bands { bands }) => (
                    "bands".into(),
                    bands
                        .iter()
                        .map(|b| format!("{}:{}", num(b.min), num(b.percent)))
                        .collect::<Vec<_>>()
                        .join(", "),
                    String::new(),
                    String::new(),
                ),
                Some(ScoringRule::Ratio { target }) => {
                    ("ratio".into(), num(*target), String::new(), String::new())
                }
                Some(ScoringRule::Indicator { code, target }) => (
                    "indicator".into(),
                    num(*target),
                    code.clone(),
                    String::new(),
                ),
                Some(ScoringRule::Expert { max, criteria }) => {
                    ("expert".into(), num(*max), String::new(), criteria.clone())
                }
            };
            out.push(Row {
                level,
                code: n.code.clone(),
                name: n.name.clone(),
                points: num(n.points),
                rule,
                param,
                indicator,
                criteria,
                errors: Vec::new(),
            });
            walk(&n.children, level + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(tree, 1, &mut out);
    out
}

fn rows_from_form(f: &BTreeMap<String, String>) -> Vec<Row> {
    let n: usize = f
        .get("rows")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
        .min(500);
    let g = |k: &str, i: usize| f.get(&format!("{k}_{i}")).cloned().unwrap_or_default();
    (0..n)
        .map(|i| Row {
            level: g("level", i).parse().unwrap_or(1).clamp(1, 4),
            code: String::new(),
            name: g("name", i),
            points: g("points", i),
            rule: g("rule", i),
            param: g("param", i),
            indicator: g("indicator", i),
            criteria: g("criteria", i),
            errors: Vec::new(),
        })
        .collect()
}

fn parse_num(s: &str) -> Option<f64> {
    let t = gongjiang_domain::error::normalise_code(s).replace('。', ".");
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Builds the tree from the outline; row problems are attached to the rows. Codes are
/// assigned by position, so the service's `tree.<code>` errors land on the right rows.
fn tree_of(rows: &mut [Row], en: bool) -> (Vec<Node>, bool) {
    let mut ok = true;
    // Positional codes.
    let mut counters: Vec<usize> = Vec::new();
    for r in rows.iter_mut() {
        let lvl = r.level.min(counters.len() + 1);
        if lvl < r.level {
            r.errors.push(if en {
                "This row skips a level: indent one level at a time".into()
            } else {
                "层级跳跃：下级指标只能比上一行低一级".into()
            });
            ok = false;
        }
        r.level = lvl;
        counters.truncate(lvl);
        if counters.len() < lvl {
            counters.push(0);
        }
        if let Some(last) = counters.last_mut() {
            *last += 1;
        }
        r.code = counters
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(".");
    }
    fn build(rows: &mut [Row], i: &mut usize, level: usize, ok: &mut bool, en: bool) -> Vec<Node> {
        let mut out = Vec::new();
        while *i < rows.len() && rows[*i].level == level {
            let idx = *i;
            *i += 1;
            let children = build(rows, i, level + 1, ok, en);
            let r = &mut rows[idx];
            let points = match parse_num(&r.points) {
                Some(p) => p,
                None => {
                    r.errors.push(if en {
                        "Points must be a number".into()
                    } else {
                        "分值应为数字".into()
                    });
                    *ok = false;
                    0.0
                }
            };
            let param = parse_num(&r.param);
            let need_param = |r: &mut Row, ok: &mut bool| -> f64 {
                match param {
                    Some(p) => p,
                    None => {
                        r.errors.push(if en {
                            "The rule's parameter must be a number".into()
                        } else {
                            "计分规则的参数（目标值/满分）应为数字".into()
                        });
                        *ok = false;
                        0.0
                    }
                }
            };
            let rule = if !children.is_empty() {
                None
            } else {
                match r.rule.as_str() {
                    "checklist" => Some(ScoringRule::Checklist),
                    "ratio" => Some(ScoringRule::Ratio {
                        target: need_param(r, ok),
                    }),
                    "indicator" => Some(ScoringRule::Indicator {
                        code: r.indicator.clone(),
                        target: need_param(r, ok),
                    }),
                    "expert" => Some(ScoringRule::Expert {
                        max: need_param(r, ok),
                        criteria: r.criteria.clone(),
                    }),
                    "bands" => {
                        let mut bands = Vec::new();
                        for part in r.param.split([',', ',', ';', ';']) {
                            let part = part.trim();
                            if part.is_empty() {
                                continue;
                            }
                            let mut it = part.split([':', ':']);
                            match (it.next().and_then(parse_num), it.next().and_then(parse_num)) {
                                (Some(min), Some(percent)) => bands.push(Band { min, percent }),
                                _ => {
                                    r.errors.push(if en {
                                        format!("Band '{part}' must be written min:percent, e.g. 90:100")
                                    } else {
                                        format!("分档“{part}”应写作 下限:得分比例，例如 90:100")
                                    });
                                    *ok = false;
                                }
                            }
                        }
                        Some(ScoringRule::Bands { bands })
                    }
                    _ => None,
                }
            };
            out.push(Node {
                code: r.code.clone(),
                name: r.name.clone(),
                points,
                rule,
                children,
            });
        }
        out
    }
    let mut i = 0;
    let tree = build(rows, &mut i, 1, &mut ok, en);
    (tree, ok)
}

/// Attaches `tree.<code>…` errors to rows; returns the rest.
fn attach(rows: &mut [Row], errs: Vec<(String, String)>) -> Vec<String> {
    let mut general = Vec::new();
    for (field, msg) in errs {
        let code = field
            .strip_prefix("tree.")
            .map(|c| {
                c.trim_end_matches(".points")
                    .trim_end_matches(".rule")
                    .trim_end_matches(".name")
                    .to_string()
            })
            .unwrap_or_default();
        match rows.iter_mut().find(|r| !code.is_empty() && r.code == code) {
            Some(r) => r.errors.push(msg),
            None => general.push(msg),
        }
    }
    general
}

/// Applies an outline operation: add:i (a sibling after i and its sub-items),
/// child:i, del:i (with its sub-items), top (a first-level item at the end).
fn apply_op(rows: &mut Vec<Row>, op: &str) -> bool {
    let end_of = |rows: &Vec<Row>, i: usize| {
        let lvl = rows[i].level;
        let mut j = i + 1;
        while j < rows.len() && rows[j].level > lvl {
            j += 1;
        }
        j
    };
    let blank = |level: usize| Row {
        level,
        rule: "checklist".into(),
        ..Default::default()
    };
    if op == "top" {
        rows.push(blank(1));
        return true;
    }
    let Some((kind, idx)) = op.split_once(':') else {
        return false;
    };
    let Ok(i) = idx.parse::<usize>() else {
        return false;
    };
    if i >= rows.len() {
        return false;
    }
    match kind {
        "add" => {
            let j = end_of(rows, i);
            let lvl = rows[i].level;
            rows.insert(j, blank(lvl));
        }
        "child" => {
            let lvl = rows[i].level + 1;
            rows[i].rule.clear();
            rows.insert(i + 1, blank(lvl));
        }
        "del" => {
            let j = end_of(rows, i);
            rows.drain(i..j);
        }
        _ => return false,
    }
    true
}

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
    let schemes = st.svc.list_schemes(&ctx.actor).await.map_err(ui(lang))?;
    let rounds = st.svc.list_rounds(&ctx.actor, en).await.map_err(ui(lang))?;
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

async fn schemes(
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
async fn create_round(
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
    match st.svc.create_round(&ctx.actor, &input, lang.is_en()).await {
        Ok(r) => Ok(Redirect::to(&format!("/assessment/rounds/{}", r.id)).into_response()),
        Err(e) if user_error(&e) => {
            let errs = messages(&e, lang.is_en());
            schemes_page(&st, &ctx, f, errs).await
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
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
    let l = Layout::new(
        ctx,
        "/assessment/schemes",
        title.clone(),
        vec![
            (t.s("nav.schemes"), "/assessment/schemes".into()),
            (title, String::new()),
        ],
    );
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

async fn new_scheme(WebUser(ctx, ..): WebUser) -> Result<Response, UiError> {
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

async fn create_scheme(
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
    match st.svc.create_scheme(&ctx.actor, &input).await {
        Ok(v) => {
            Ok(Redirect::to(&format!("/assessment/versions/{}?saved=1", v.id)).into_response())
        }
        Err(e) if user_error(&e) => {
            let general = attach(&mut rows, messages(&e, en));
            editor(&ctx, None, name, description, rows, general, false)
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SavedQuery {
    saved: String,
}

async fn version(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, UiError> {
    let v = st
        .svc
        .scheme_version(&ctx.actor, id)
        .await
        .map_err(ui(ctx.lang))?;
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

async fn save_version(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let v = st
        .svc
        .scheme_version(&ctx.actor, id)
        .await
        .map_err(ui(lang))?;
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
    match st.svc.save_draft(&ctx.actor, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/assessment/versions/{id}?saved=1")).into_response()),
        Err(e) if user_error(&e) => {
            let general = attach(&mut rows, messages(&e, en));
            editor(&ctx, Some(v), name, String::new(), rows, general, false)
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

async fn publish_version(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<i64>,
    CsrfForm(_f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    match st.svc.publish_version(&ctx.actor, id).await {
        Ok(_) => Ok(Redirect::to(&format!("/assessment/versions/{id}")).into_response()),
        Err(e) if user_error(&e) => {
            let v = st
                .svc
                .scheme_version(&ctx.actor, id)
                .await
                .map_err(ui(lang))?;
            let mut rows = rows_of(&v.tree);
            let general = attach(&mut rows, messages(&e, lang.is_en()));
            let name = v.scheme_name.clone();
            editor(&ctx, Some(v), name, String::new(), rows, general, false)
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

async fn new_draft(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<i64>,
    CsrfForm(_f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    match st.svc.new_draft(&ctx.actor, id).await {
        Ok(v) => Ok(Redirect::to(&format!("/assessment/versions/{}", v.id)).into_response()),
        Err(e) if user_error(&e) => {
            let v = st
                .svc
                .scheme_version(&ctx.actor, id)
                .await
                .map_err(ui(lang))?;
            let rows = rows_of(&v.tree);
            let general = messages(&e, lang.is_en())
                .into_iter()
                .map(|m| m.1)
                .collect();
            let name = v.scheme_name.clone();
            editor(&ctx, Some(v), name, String::new(), rows, general, false)
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

// ------------------------------------------------------------------ rounds

#[derive(Template)]
#[template(path = "asm_round.html")]
struct RoundPage {
    l: Layout,
    d: RoundDetail,
    city: bool,
    general: Vec<String>,
}

async fn round_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    general: Vec<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let d = st
        .svc
        .round_detail(&ctx.actor, id, lang.is_en())
        .await
        .map_err(ui(lang))?;
    let l = Layout::new(
        ctx,
        "/assessment/schemes",
        d.round.title.clone(),
        vec![
            (t.s("nav.schemes"), "/assessment/schemes".into()),
            (d.round.title.clone(), String::new()),
        ],
    );
    let failed = !general.is_empty();
    Ok(with_status(
        render(
            &RoundPage {
                l,
                d,
                city: is_city(ctx),
                general,
            },
            lang,
        )?,
        failed,
    ))
}

async fn round(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<i64>,
) -> Result<Response, UiError> {
    round_page(&st, &ctx, id, Vec::new()).await
}

/// `_op` = expert (assign `expert`), conflict (`user_id`, `target`, `reason`), close,
/// reopen.
async fn round_post(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let g = |k: &str| f.get(k).cloned().unwrap_or_default();
    let r = match g("_op").as_str() {
        "expert" => st
            .svc
            .assign_expert(&ctx.actor, id, &g("expert"))
            .await
            .map(|_| ()),
        "conflict" => {
            st.svc
                .declare_conflict(
                    &ctx.actor,
                    id,
                    &ConflictInput {
                        user_id: g("user_id").parse().ok(),
                        target: g("target"),
                        reason: g("reason"),
                    },
                )
                .await
        }
        op @ ("close" | "reopen") => st
            .svc
            .round_action(&ctx.actor, id, op, lang.is_en())
            .await
            .map(|_| ()),
        _ => Ok(()),
    };
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/assessment/rounds/{id}")).into_response()),
        Err(e) if user_error(&e) => {
            let general = messages(&e, lang.is_en())
                .into_iter()
                .map(|m| m.1)
                .collect();
            round_page(&st, &ctx, id, general).await
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

// ------------------------------------------------------------------ lists

/// A simple list of links (self-reports to fill, rounds to score, results to read).
#[derive(Template)]
#[template(path = "asm_list.html")]
struct ListPage {
    l: Layout,
    heading: String,
    hint: String,
    items: Vec<ListItem>,
}

pub struct ListItem {
    pub href: String,
    pub title: String,
    pub detail: String,
    pub status: String,
    pub badge: &'static str,
}

fn list_page(
    ctx: &Ctx,
    path: &str,
    key: &str,
    hint: &str,
    items: Vec<ListItem>,
) -> Result<Response, UiError> {
    let t = T(ctx.lang);
    let l = Layout::new(ctx, path, t.s(key), vec![(t.s(key), String::new())]);
    render(
        &ListPage {
            l,
            heading: t.s(key),
            hint: t.s(hint),
            items,
        },
        ctx.lang,
    )
}

async fn self_list(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let mine = st
        .svc
        .my_self_reports(&ctx.actor, lang.is_en())
        .await
        .map_err(ui(lang))?;
    let items = mine
        .into_iter()
        .map(|(r, tg)| ListItem {
            href: format!("/assessment/self/{}/{}", r.id, tg.key),
            title: r.title.clone(),
            detail: format!("{} · {}", tg.name, r.scheme_name),
            status: status_label(&t, &tg.self_status),
            badge: status_badge(&tg.self_status),
        })
        .collect();
    list_page(
        &ctx,
        "/assessment/self",
        "nav.selfreport",
        "asm.self_hint",
        items,
    )
}

async fn scoring_list(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let rounds = st
        .svc
        .list_rounds(&ctx.actor, lang.is_en())
        .await
        .map_err(ui(lang))?;
    let items = rounds
        .into_iter()
        .map(|r| ListItem {
            href: if ctx.role() == Role::Expert {
                format!("/assessment/scoring/{}", r.id)
            } else {
                format!("/assessment/rounds/{}", r.id)
            },
            detail: format!("{} · {}", r.target_kind_label, r.scheme_name),
            title: r.title,
            status: status_label(&t, &r.status),
            badge: status_badge(&r.status),
        })
        .collect();
    list_page(
        &ctx,
        "/assessment/scoring",
        "nav.scoring",
        "asm.scoring_hint",
        items,
    )
}

async fn results_list(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let rounds = st
        .svc
        .list_rounds(&ctx.actor, lang.is_en())
        .await
        .map_err(ui(lang))?;
    let items = rounds
        .into_iter()
        .filter(|r| r.results > 0 || is_city(&ctx))
        .map(|r| ListItem {
            href: format!("/assessment/results/{}", r.id),
            detail: format!(
                "{} · {} · {}{}",
                r.target_kind_label,
                r.scheme_name,
                t.s("asm.result_versions"),
                r.results
            ),
            title: r.title,
            status: status_label(&t, &r.status),
            badge: status_badge(&r.status),
        })
        .collect();
    list_page(
        &ctx,
        "/assessment/results",
        "nav.results",
        "asm.results_hint",
        items,
    )
}

// ------------------------------------------------------------------ self-report

#[derive(Template)]
#[template(path = "asm_self.html")]
struct SelfPage {
    l: Layout,
    s: SelfReport,
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    general: Vec<String>,
}

impl SelfPage {
    fn val(&self, k: &str) -> String {
        self.values.get(k).cloned().unwrap_or_default()
    }
    fn err(&self, k: &str) -> String {
        self.errors.get(k).cloned().unwrap_or_default()
    }
}

fn self_page(
    ctx: &Ctx,
    s: SelfReport,
    values: BTreeMap<String, String>,
    errs: Vec<(String, String)>,
) -> Result<Response, UiError> {
    let t = T(ctx.lang);
    let mut errors = BTreeMap::new();
    let mut general = Vec::new();
    for (f, m) in errs {
        if f.starts_with("value.") || f.starts_with("evidence.") {
            errors.insert(f, m);
        } else {
            general.push(m);
        }
    }
    let failed = !errors.is_empty() || !general.is_empty();
    let l = Layout::new(
        ctx,
        "/assessment/self",
        format!("{} · {}", s.round.title, s.target.name),
        vec![
            (t.s("nav.selfreport"), "/assessment/self".into()),
            (s.target.name.clone(), String::new()),
        ],
    );
    Ok(with_status(
        render(
            &SelfPage {
                l,
                s,
                values,
                errors,
                general,
            },
            ctx.lang,
        )?,
        failed,
    ))
}

fn saved_values(s: &SelfReport) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for l in &s.leaves {
        if let Some(v) = l.value {
            m.insert(format!("value.{}", l.code), num(v));
        }
        if let Some(e) = &l.evidence {
            m.insert(format!("evidence.{}", l.code), e.clone());
        }
    }
    m
}

async fn self_form(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path((round, target)): Path<(i64, String)>,
) -> Result<Response, UiError> {
    let s = st
        .svc
        .self_report(&ctx.actor, round, &target, ctx.lang.is_en())
        .await
        .map_err(ui(ctx.lang))?;
    let values = saved_values(&s);
    self_page(&ctx, s, values, Vec::new())
}

async fn self_save(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path((round, target)): Path<(i64, String)>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let s = st
        .svc
        .self_report(&ctx.actor, round, &target, en)
        .await
        .map_err(ui(lang))?;
    let mut entries = Vec::new();
    let mut errs = Vec::new();
    for l in &s.leaves {
        let raw = f
            .get(&format!("value.{}", l.code))
            .cloned()
            .unwrap_or_default();
        let value = if raw.trim().is_empty() {
            None
        } else {
            match parse_num(&raw) {
                Some(v) => Some(v),
                None => {
                    errs.push((
                        format!("value.{}", l.code),
                        if en {
                            format!("The value of {} must be a number", l.name)
                        } else {
                            format!("「{}」的填报值应为数字", l.name)
                        },
                    ));
                    None
                }
            }
        };
        entries.push(SelfEntry {
            leaf: l.code.clone(),
            value: if l.needs_value { value } else { None },
            evidence: f.get(&format!("evidence.{}", l.code)).cloned(),
        });
    }
    let values: BTreeMap<String, String> = f
        .iter()
        .filter(|(k, _)| k.starts_with("value.") || k.starts_with("evidence."))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !errs.is_empty() {
        return self_page(&ctx, s, values, errs);
    }
    let input = SelfInput {
        entries,
        submit: f.get("_submit").is_some_and(|v| v == "1"),
    };
    match st
        .svc
        .save_self_report(&ctx.actor, round, &target, &input, en)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/assessment/self/{round}/{target}")).into_response()),
        Err(e) if user_error(&e) => self_page(&ctx, s, values, messages(&e, en)),
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

// ------------------------------------------------------------------ scoring

#[derive(Template)]
#[template(path = "asm_scoring.html")]
struct ScoringPage {
    l: Layout,
    s: ScoringSheet,
    general: Vec<String>,
}

impl ScoringPage {
    fn score(&self, target: &str, leaf: &str) -> String {
        self.s
            .targets
            .iter()
            .find(|t| t.key == target)
            .and_then(|t| t.scores.get(leaf))
            .map(|v| num(*v))
            .unwrap_or_default()
    }
    fn evidence(&self, target: &str, leaf: &str) -> String {
        self.s
            .targets
            .iter()
            .find(|t| t.key == target)
            .and_then(|t| t.evidence.get(leaf))
            .cloned()
            .unwrap_or_default()
    }
}

async fn scoring_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    general: Vec<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let s = st
        .svc
        .scoring_sheet(&ctx.actor, id, lang.is_en())
        .await
        .map_err(ui(lang))?;
    let l = Layout::new(
        ctx,
        "/assessment/scoring",
        s.round.title.clone(),
        vec![
            (t.s("nav.scoring"), "/assessment/scoring".into()),
            (s.round.title.clone(), String::new()),
        ],
    );
    let failed = !general.is_empty();
    Ok(with_status(
        render(&ScoringPage { l, s, general }, lang)?,
        failed,
    ))
}

async fn scoring(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<i64>,
) -> Result<Response, UiError> {
    scoring_page(&st, &ctx, id, Vec::new()).await
}

/// Scores of one target (`target`, `score.<leaf>`, `comment`), or a declared conflict
/// (`_op` = conflict, `target`, `reason`).
async fn scoring_save(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let target = f.get("target").cloned().unwrap_or_default();
    let mut general = Vec::new();
    if f.get("_op").is_some_and(|o| o == "conflict") {
        let r = st
            .svc
            .declare_conflict(
                &ctx.actor,
                id,
                &ConflictInput {
                    user_id: None,
                    target,
                    reason: f.get("reason").cloned().unwrap_or_default(),
                },
            )
            .await;
        if let Err(e) = r {
            if !user_error(&e) {
                return Err(UiError(e.into(), lang));
            }
            general.extend(messages(&e, en).into_iter().map(|m| m.1));
        }
    } else {
        for (k, v) in &f {
            let Some(leaf) = k.strip_prefix("score.") else {
                continue;
            };
            if v.trim().is_empty() {
                continue;
            }
            let Some(score) = parse_num(v) else {
                general.push(if en {
                    format!("Leaf {leaf}: '{v}' is not a number")
                } else {
                    format!("指标{leaf}：“{v}”不是数字")
                });
                continue;
            };
            let r = st
                .svc
                .put_score(
                    &ctx.actor,
                    id,
                    &ScoreInput {
                        target: target.clone(),
                        leaf: leaf.to_string(),
                        score,
                        comment: f.get("comment").cloned(),
                    },
                )
                .await;
            if let Err(e) = r {
                if !user_error(&e) {
                    return Err(UiError(e.into(), lang));
                }
                general.extend(messages(&e, en).into_iter().map(|m| m.1));
                if matches!(e, StoreError::Denied { .. }) {
                    break;
                }
            }
        }
    }
    if general.is_empty() {
        Ok(Redirect::to(&format!("/assessment/scoring/{id}")).into_response())
    } else {
        scoring_page(&st, &ctx, id, general).await
    }
}

// ------------------------------------------------------------------ results

#[derive(Template)]
#[template(path = "asm_results.html")]
struct ResultsPage {
    l: Layout,
    r: Results,
    chart: String,
    city: bool,
    version_q: String,
    general: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct VersionQuery {
    version: String,
}

async fn results_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    version: Option<i64>,
    general: Vec<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let r = st
        .svc
        .round_results(&ctx.actor, id, version, lang.is_en())
        .await
        .map_err(ui(lang))?;
    let vq = r
        .result_no
        .map(|n| format!("?version={n}"))
        .unwrap_or_default();
    let chart = serde_json::json!({
        "kind": "bar",
        "names": r.targets.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
        "series": [{"name": t.s("asm.total"), "values": r.targets.iter().map(|t| t.total).collect::<Vec<_>>()}],
        "codes": r.targets.iter().map(|t| t.key.clone()).collect::<Vec<_>>(),
        "drill": format!("/assessment/results/{id}/"),
    })
    .to_string();
    let l = Layout::new(
        ctx,
        "/assessment/results",
        r.round.title.clone(),
        vec![
            (t.s("nav.results"), "/assessment/results".into()),
            (r.round.title.clone(), String::new()),
        ],
    )
    .with_script("/assets/echarts.min.js");
    let failed = !general.is_empty();
    Ok(with_status(
        render(
            &ResultsPage {
                l,
                r,
                chart,
                city: is_city(ctx),
                version_q: vq,
                general,
            },
            lang,
        )?,
        failed,
    ))
}

async fn results(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<i64>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, UiError> {
    results_page(&st, &ctx, id, q.version.parse().ok(), Vec::new()).await
}

async fn results_publish(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let reason = f.get("reason").cloned().unwrap_or_default();
    match st
        .svc
        .publish_results(&ctx.actor, id, &reason, lang.is_en())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/assessment/results/{id}")).into_response()),
        Err(e) if user_error(&e) => {
            let general = messages(&e, lang.is_en())
                .into_iter()
                .map(|m| m.1)
                .collect();
            results_page(&st, &ctx, id, None, general).await
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

#[derive(Template)]
#[template(path = "asm_breakdown.html")]
struct BreakdownPage {
    l: Layout,
    r: Results,
    t: TargetResult,
    en: bool,
    version_q: String,
}

async fn breakdown(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path((id, target)): Path<(i64, String)>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let tr = T(lang);
    let mut r = st
        .svc
        .round_results(&ctx.actor, id, q.version.parse().ok(), lang.is_en())
        .await
        .map_err(ui(lang))?;
    let pos = r
        .targets
        .iter()
        .position(|t| t.key == target && !t.nodes.is_empty())
        .ok_or(UiError(AppError::Store(StoreError::NotFound), lang))?;
    let t = r.targets.remove(pos);
    let vq = r
        .result_no
        .map(|n| format!("?version={n}"))
        .unwrap_or_default();
    let l = Layout::new(
        &ctx,
        "/assessment/results",
        format!("{} · {}", r.round.title, t.name),
        vec![
            (tr.s("nav.results"), "/assessment/results".into()),
            (
                r.round.title.clone(),
                format!("/assessment/results/{id}{vq}"),
            ),
            (t.name.clone(), String::new()),
        ],
    );
    render(
        &BreakdownPage {
            l,
            r,
            t,
            en: lang.is_en(),
            version_q: vq,
        },
        lang,
    )
}

/// Formats points for the templates.
pub fn pts(x: &f64) -> String {
    num(*x)
}

/// Formats an optional number.
pub fn opt(x: &Option<f64>) -> String {
    x.map(num).unwrap_or_else(|| "—".into())
}
