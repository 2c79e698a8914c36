//! The targets' self-report form.
use super::outline::parse_num;
use super::{num, with_status};
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
use gongjiang_storage::assessment::{SelfEntry, SelfInput, SelfReport};
use std::collections::BTreeMap;

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

pub(super) async fn self_form(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path((round, target)): Path<(String, String)>,
) -> Result<Response, UiError> {
    let round = id_of(&round, ctx.lang)?;
    let s = st
        .svc
        .self_report(&ctx.actor, round, &target, ctx.lang.is_en())
        .await?;
    let values = saved_values(&s);
    self_page(&ctx, s, values, Vec::new())
}

pub(super) async fn self_save(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path((round, target)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let round = id_of(&round, ctx.lang)?;
    let lang = ctx.lang;
    let en = lang.is_en();
    let s = st.svc.self_report(&ctx.actor, round, &target, en).await?;
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
    let saved = st
        .svc
        .save_self_report(&ctx.actor, round, &target, &input, en)
        .await;
    save_or_show(
        lang,
        saved,
        |_| format!("/assessment/self/{round}/{target}"),
        |r| async move { self_page(&ctx, s, values, r.items) },
    )
    .await
}
