//! The results page (ranking chart, publishing) and every target's breakdown.
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
use gongjiang_storage::assessment::{Results, TargetResult};
use gongjiang_storage::StoreError;
use serde::Deserialize;
use std::collections::BTreeMap;

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
pub(super) struct VersionQuery {
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
        .await?;
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

pub(super) async fn results(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    results_page(&st, &ctx, id, q.version.parse().ok(), Vec::new()).await
}

pub(super) async fn results_publish(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    let lang = ctx.lang;
    let reason = f.get("reason").cloned().unwrap_or_default();
    let en = lang.is_en();
    save_or_show(
        lang,
        st.svc.publish_results(&ctx.actor, id, &reason, en).await,
        |_| format!("/assessment/results/{id}"),
        |r| async move { results_page(&st, &ctx, id, None, r.messages()).await },
    )
    .await
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

pub(super) async fn breakdown(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path((id, target)): Path<(String, String)>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    let lang = ctx.lang;
    let tr = T(lang);
    let mut r = st
        .svc
        .round_results(&ctx.actor, id, q.version.parse().ok(), lang.is_en())
        .await?;
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
