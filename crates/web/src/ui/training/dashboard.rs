//! `/training/dashboard`: the 技能形成 dashboard — the ladder over the years, the new
//! high-skilled by source (training, contests, certificates) and the platform's
//! promotions by level. Every number is an indicator of the one engine.
use crate::auth::{OrgReader, WebUser};
use crate::error::UiError;
use crate::i18n::T;
use crate::ui::charts::{bars, Bar};
use crate::ui::lists::headline_cards;
use crate::ui::registers::DashCard;
use crate::ui::{render, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use gongjiang_domain::indicators::find;
use std::collections::HashMap;

/// How many years the series show, ending at the default year.
const YEARS: i32 = 6;

const LADDER: &[&str] = &[
    "ladder_apprentice",
    "ladder_junior",
    "ladder_intermediate",
    "ladder_senior",
    "ladder_technician",
    "ladder_senior_technician",
    "ladder_principal",
    "ladder_chief",
];

const SOURCES: &[&str] = &[
    "high_skilled_from_training",
    "high_skilled_from_contests",
    "high_skilled_from_certificates",
];

const PROMOTIONS: &[&str] = &[
    "promotions_to_intermediate",
    "promotions_to_senior",
    "promotions_to_technician",
    "promotions_to_senior_technician",
    "promotions_to_principal",
    "promotions_to_chief",
];

const HEADLINES: &[&str] = &[
    "high_skilled_total",
    "high_skilled_new",
    "promotions_by_level",
    "class_completed",
    "contest_promotions",
];

#[derive(Template)]
#[template(path = "training_dashboard.html")]
struct DashboardPage {
    l: Layout,
    cards: Vec<DashCard>,
    as_of: String,
    ladder: String,
    sources: String,
    promotions: String,
}

/// The label of an indicator after its "·" (the level or the source), or its name.
fn short(code: &str, en: bool) -> String {
    let name = find(code).map_or(code, |i| i.name(en));
    name.rsplit(['·', ':'])
        .next()
        .unwrap_or(name)
        .trim()
        .to_string()
}

pub(super) async fn show(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let en = lang.is_en();
    let last = crate::period::default_year(&st, &ctx.actor).await;
    let node = crate::ui::registers::dashboard::home_node(&ctx);
    let mut by_year: Vec<(i64, HashMap<String, f64>)> = Vec::new();
    for y in (last - YEARS + 1)..=last {
        let r = st
            .svc
            .indicators(&ctx.actor, &node, &y.to_string(), false)
            .await?;
        let values = r
            .values
            .iter()
            .map(|v| (v.code.to_string(), v.value.unwrap_or(0.0)))
            .collect();
        by_year.push((i64::from(y), values));
    }
    let series = |codes: &[&str]| -> String {
        let names: Vec<String> = codes.iter().map(|c| short(c, en)).collect();
        let items = by_year
            .iter()
            .map(|(y, v)| Bar {
                name: y.to_string(),
                code: None,
                values: codes
                    .iter()
                    .map(|c| v.get(*c).copied().unwrap_or(0.0))
                    .collect(),
            })
            .collect();
        let mut chart = bars(&t, &names, items);
        chart["stack"] = true.into();
        chart["horizontal"] = false.into();
        chart.to_string()
    };
    let latest = by_year.last().map(|(_, v)| v.clone()).unwrap_or_default();
    let promotions = bars(
        &t,
        &[find("promotions_by_level")
            .map_or("", |i| i.name(en))
            .to_string()],
        PROMOTIONS
            .iter()
            .map(|c| Bar {
                name: short(c, en),
                code: None,
                values: vec![latest.get(*c).copied().unwrap_or(0.0)],
            })
            .collect(),
    )
    .to_string();
    let (cards, as_of) = headline_cards(&st, &ctx, HEADLINES).await;
    let l = Layout::new(
        &ctx,
        "/training",
        t.s("training.dashboard"),
        vec![
            (t.s("nav.training"), "/training".into()),
            (t.s("training.dashboard"), String::new()),
        ],
    )
    .with_script("/assets/echarts.min.js");
    render(
        &DashboardPage {
            l,
            cards,
            as_of,
            ladder: series(LADDER),
            sources: series(SOURCES),
            promotions,
        },
        lang,
    )
}
