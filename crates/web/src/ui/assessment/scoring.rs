//! The experts' scoring sheet.
use super::outline::parse_num;
use super::{num, refusal, with_status};
use crate::auth::{CsrfForm, Ctx, WebUser};
use crate::error::UiError;
use crate::i18n::T;
use crate::ui::lists::id_of;
use crate::ui::{render, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use gongjiang_storage::assessment::{ConflictInput, ScoreInput, ScoringSheet};
use gongjiang_storage::StoreError;
use std::collections::BTreeMap;

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
    let s = st.svc.scoring_sheet(&ctx.actor, id, lang.is_en()).await?;
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

pub(super) async fn scoring(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    scoring_page(&st, &ctx, id, Vec::new()).await
}

/// Scores of one target (`target`, `score.<leaf>`, `comment`), or a declared conflict
/// (`_op` = conflict, `target`, `reason`).
pub(super) async fn scoring_save(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
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
            general.extend(refusal(e, en)?);
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
                let denied = matches!(e, StoreError::Denied { .. });
                general.extend(refusal(e, en)?);
                if denied {
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
