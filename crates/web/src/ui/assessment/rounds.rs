//! A round's page (set-up, experts, recusals, close, publish) and the round lists of
//! the self-report, scoring and results pages.
use super::{is_city, status_badge, status_label, with_status};
use crate::auth::{CsrfForm, Ctx, WebUser};
use crate::error::UiError;
use crate::i18n::T;
use crate::ui::lists::id_of;
use crate::ui::save_or_show;
use crate::ui::{render, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use gongjiang_storage::assessment::{ConflictInput, RoundDetail};
use std::collections::BTreeMap;

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
    let d = st.svc.round_detail(&ctx.actor, id, lang.is_en()).await?;
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

pub(super) async fn round(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    round_page(&st, &ctx, id, Vec::new()).await
}

/// `_op` = expert (assign `expert`), conflict (`user_id`, `target`, `reason`), close,
/// reopen.
pub(super) async fn round_post(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
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
    save_or_show(
        lang,
        r,
        |_| format!("/assessment/rounds/{id}"),
        |r| async move { round_page(&st, &ctx, id, r.messages()).await },
    )
    .await
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

pub(super) async fn self_list(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let mine = st.svc.my_self_reports(&ctx.actor, lang.is_en()).await?;
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

pub(super) async fn scoring_list(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let rounds = st.svc.list_rounds(&ctx.actor, lang.is_en()).await?;
    let items = rounds
        .into_iter()
        .map(|r| ListItem {
            href: if ctx.may(gongjiang_storage::access::Permission::ScoreAsExpert) {
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

pub(super) async fn results_list(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let rounds = st.svc.list_rounds(&ctx.actor, lang.is_en()).await?;
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
