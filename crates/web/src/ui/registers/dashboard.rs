//! The dashboard: figures, charts and pilot areas for a region node and a period, and
//! its export.
use super::nz;
use crate::api::registers::present;
use crate::auth::{Ctx, OrgReader, WebUser};
use crate::error::UiError;
use crate::i18n::T;
use crate::ui::{render, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use gongjiang_domain::indicators::CATALOGUE;
use gongjiang_storage::access::Permission;
use serde::Deserialize;

// ----- dashboard -----

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct DashQuery {
    org: String,
    period: String,
}

pub struct DashCard {
    pub code: &'static str,
    pub label: String,
    pub value: String,
    pub unit: String,
    pub pending: Option<u32>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    l: Layout,
    subject: String,
    org: String,
    period: String,
    years: Vec<i32>,
    /// "数据截至2025年度": the latest year with approved data, the default period.
    as_of: String,
    cards: Vec<DashCard>,
    bars_json: String,
    trend_json: String,
    skills_json: String,
    treemap_json: String,
    up: Option<String>,
    export_href: String,
    /// The annual task list of the period's year in this area (issue #4): counts by
    /// status as a chart and the overdue or 督办 tasks.
    tasks: Option<(gongjiang_storage::tasks::Board, String)>,
}

/// An indicator's value, 0 when absent or not computable.
fn pick(vals: &[gongjiang_storage::indicators::Value], code: &str) -> f64 {
    vals.iter()
        .find(|v| v.code == code)
        .and_then(|v| v.value)
        .unwrap_or(0.0)
}

/// One rectangle of the pilot treemap: a region or organisation with its pilot
/// enterprises and parks (`pilot_enterprises`, `pilot_parks` from the indicator engine)
/// and the areas below it that have any.
struct PilotArea {
    name: String,
    code: String,
    enterprises: i64,
    parks: i64,
    children: Vec<PilotArea>,
}

impl PilotArea {
    fn of(
        s: &gongjiang_storage::registers::Subject,
        v: &[gongjiang_storage::indicators::Value],
    ) -> Self {
        PilotArea {
            name: s.name.clone(),
            code: s.code.clone(),
            enterprises: pick(v, "pilot_enterprises") as i64,
            parks: pick(v, "pilot_parks") as i64,
            children: Vec::new(),
        }
    }

    fn total(&self) -> i64 {
        self.enterprises + self.parks
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "name": self.name,
            "code": self.code,
            "value": self.total(),
            "enterprises": self.enterprises,
            "parks": self.parks,
            "children": self.children.iter().map(PilotArea::json).collect::<Vec<_>>(),
        })
    }
}

/// The pilot treemap's areas below the subject of `r`: its children (districts for the
/// city), each with its own children (towns), those without pilots left out.
async fn pilot_areas(
    st: &AppState,
    ctx: &Ctx,
    r: &gongjiang_storage::registers::IndicatorReport,
) -> Result<Vec<PilotArea>, UiError> {
    let below = st.svc.indicator_grandchildren(&ctx.actor, r).await?;
    Ok(r.children
        .iter()
        .zip(below)
        .map(|((s, v), kids)| {
            let mut a = PilotArea::of(s, v);
            a.children = kids
                .iter()
                .map(|(s, v)| PilotArea::of(s, v))
                .filter(|k| k.total() > 0)
                .collect();
            a
        })
        .filter(|a| a.total() > 0)
        .collect())
}

/// A chart's JSON for its data- attribute, or "" when it has nothing to draw.
fn drawn(chart: &serde_json::Value) -> String {
    if crate::ui::charts::has_data(chart) {
        chart.to_string()
    } else {
        String::new()
    }
}

pub(crate) fn fmt_value(v: Option<f64>) -> String {
    match v {
        None => "—".into(),
        Some(x) if x.fract() == 0.0 => crate::i18n::group(x as i64),
        // One decimal, the whole part grouped the Chinese way (1,373.5).
        Some(x) => {
            let tenths = (x.abs() * 10.0).round() as i64;
            let sign = if x < 0.0 && tenths > 0 { "-" } else { "" };
            match tenths % 10 {
                0 => format!("{sign}{}", crate::i18n::group(tenths / 10)),
                d => format!("{sign}{}.{d}", crate::i18n::group(tenths / 10)),
            }
        }
    }
}

/// The default subject: the caller's own region or organisation.
pub(crate) fn home_node(ctx: &Ctx) -> String {
    ctx.user
        .org_id
        .filter(|_| !ctx.may(Permission::Coordinate))
        .map(|o| o.to_string())
        .or(ctx.user.region_code.clone())
        .unwrap_or_else(|| "320400".into())
}

pub(super) async fn dashboard(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<DashQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let en = lang.is_en();
    let org = nz(&q.org).unwrap_or_else(|| home_node(&ctx));
    let latest = crate::period::default_year(&st, &ctx.actor).await;
    let period = nz(&q.period).unwrap_or_else(|| latest.to_string());
    let r = st.svc.indicators(&ctx.actor, &org, &period, true).await?;
    let cards = r
        .values
        .iter()
        .filter_map(|v| {
            let ind = gongjiang_domain::indicators::find(v.code)?;
            Some(DashCard {
                code: v.code,
                label: ind.name(en).to_string(),
                value: fmt_value(v.value),
                unit: ind.unit(en).to_string(),
                pending: v.pending_issue,
            })
        })
        .collect();
    let kids: Vec<_> = r
        .children
        .iter()
        .filter(|(_, v)| {
            pick(v, "pilot_enterprises") + pick(v, "pilot_parks") + pick(v, "innovation_studios")
                > 0.0
        })
        .collect();
    // A street's enterprises are many and long-named: horizontal bars, largest first, the
    // rest summed as 其他 (crate::ui::charts).
    let series_names: Vec<String> = ["pilot_enterprises", "innovation_studios"]
        .iter()
        .map(|c| {
            gongjiang_domain::indicators::find(c)
                .map(|i| i.name(en))
                .unwrap_or("")
                .to_string()
        })
        .collect();
    let mut bars = crate::ui::charts::bars(
        &t,
        &series_names,
        kids.iter()
            .map(|(s, v)| crate::ui::charts::Bar {
                name: s.name.clone(),
                code: Some(s.code.clone()),
                values: vec![pick(v, "pilot_enterprises"), pick(v, "innovation_studios")],
            })
            .collect(),
    );
    bars["drill"] = format!("/dashboard?period={}&org=", r.period).into();
    let trend = st.svc.pilot_trend(&ctx.actor, &org).await?;
    let trend_json = serde_json::json!({
        "kind": "line",
        "names": trend.iter().map(|(y, _, _)| y.to_string()).collect::<Vec<_>>(),
        "series": [
            {"name": t.s("dash.trend_enterprises"), "values": trend.iter().map(|(_, e, _)| *e).collect::<Vec<_>>()},
            {"name": t.s("dash.trend_parks"), "values": trend.iter().map(|(_, _, p)| *p).collect::<Vec<_>>()},
        ]
    });
    let skills = st.svc.skill_distribution(&ctx.actor, &org).await?;
    let skills_json = serde_json::json!({
        "kind": "pie",
        "names": skills.iter().map(|(c, _)| gongjiang_domain::SkillLevel::from_any(c).map(|s| s.label(en).to_string()).unwrap_or_default()).collect::<Vec<_>>(),
        "series": [{"name": t.s("dash.skills"), "values": skills.iter().map(|(_, n)| *n).collect::<Vec<_>>()}],
    });
    // Pilots by area, two levels deep, sized by the number of pilots.
    let areas = pilot_areas(&st, &ctx, &r).await?;
    let name_of = |code: &str| {
        gongjiang_domain::indicators::find(code)
            .map(|i| i.name(en))
            .unwrap_or("")
    };
    let treemap_json = serde_json::json!({
        "kind": "treemap",
        "drill": format!("/dashboard?period={}&org=", r.period),
        "labels": [name_of("pilot_enterprises"), name_of("pilot_parks")],
        "tree": areas.iter().map(PilotArea::json).collect::<Vec<_>>(),
    });
    // One level up, unless this is the top of the caller's scope.
    let up = match st.svc.region(&ctx.actor, &r.subject.code).await {
        Ok(reg) => match reg.parent_code {
            Some(p) if st.svc.region(&ctx.actor, &p).await.is_ok() => Some(p),
            _ => None,
        },
        // An organisation: its parent organisation or its region, if the caller sees it
        // (a unit's dashboard has nothing above it to open).
        Err(_) => match st.svc.find_org(&ctx.actor, &r.subject.code).await {
            Ok(o) => match o.parent_id {
                Some(p) => st
                    .svc
                    .get_org(&ctx.actor, p)
                    .await
                    .ok()
                    .map(|_| p.to_string()),
                None => st
                    .svc
                    .region(&ctx.actor, &o.region_code)
                    .await
                    .ok()
                    .map(|_| o.region_code),
            },
            Err(_) => None,
        },
    };
    let l = Layout::new(
        &ctx,
        "/dashboard",
        t.s("nav.dashboard"),
        vec![
            (t.s("nav.g.data"), String::new()),
            (t.s("nav.dashboard"), String::new()),
        ],
    )
    .with_script("/assets/echarts.min.js");
    let export_href = format!(
        "/dashboard/export.csv?org={}&period={}",
        r.subject.code, r.period
    );
    let tasks = crate::ui::tasks::dashboard_board(&st, &ctx, &r.subject.code, &r.period).await;
    let page = DashboardPage {
        tasks,
        l,
        subject: r.subject.name.clone(),
        org: r.subject.code.clone(),
        period: r.period.clone(),
        years: crate::period::years(latest),
        as_of: crate::period::as_of(&t, latest),
        cards,
        // An empty string: no data, the page says so instead of drawing an empty frame.
        bars_json: drawn(&bars),
        trend_json: drawn(&trend_json),
        skills_json: drawn(&skills_json),
        treemap_json: drawn(&treemap_json),
        up,
        export_href,
    };
    render(&page, lang)
}

/// Every chart's numbers: the subject and each child, every indicator, as CSV.
pub(super) async fn dashboard_export(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<DashQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let org = nz(&q.org).unwrap_or_else(|| home_node(&ctx));
    let period = match nz(&q.period) {
        Some(p) => p,
        None => crate::period::default_year(&st, &ctx.actor)
            .await
            .to_string(),
    };
    let r = st.svc.indicators(&ctx.actor, &org, &period, true).await?;
    let mut out = String::from("\u{feff}");
    let head: Vec<String> = std::iter::once(if en {
        "Name".to_string()
    } else {
        "名称".to_string()
    })
    .chain(std::iter::once(if en {
        "Code".into()
    } else {
        "代码".into()
    }))
    .chain(CATALOGUE.iter().map(|i| i.name(en).to_string()))
    .collect();
    out.push_str(&head.join(","));
    out.push_str("\r\n");
    let mut line = |name: &str, code: &str, vals: &[gongjiang_storage::indicators::Value]| {
        let cells: Vec<String> = present(vals, en)
            .iter()
            .map(|v| {
                v.value
                    .map(|x| {
                        if x.fract() == 0.0 {
                            format!("{}", x as i64)
                        } else {
                            format!("{x:.2}")
                        }
                    })
                    .unwrap_or_default()
            })
            .collect();
        out.push_str(&format!(
            "\"{}\",{},{}\r\n",
            name.replace('"', "\"\""),
            code,
            cells.join(",")
        ));
    };
    line(&r.subject.name, &r.subject.code, &r.values);
    for (s, v) in &r.children {
        line(&s.name, &s.code, v);
    }
    // The other charts' numbers: the trend and the skill distribution.
    let t = T(lang);
    out.push_str(&format!(
        "\r\n{},{},{}\r\n",
        if en { "Year" } else { "年份" },
        t.s("dash.trend_enterprises"),
        t.s("dash.trend_parks")
    ));
    for (y, e, p) in st.svc.pilot_trend(&ctx.actor, &org).await? {
        out.push_str(&format!("{y},{e},{p}\r\n"));
    }
    out.push_str(&format!(
        "\r\n{},{}\r\n",
        t.s("workers.skill"),
        if en { "Workers" } else { "人数" }
    ));
    for (c, n) in st.svc.skill_distribution(&ctx.actor, &org).await? {
        out.push_str(&format!(
            "{},{n}\r\n",
            gongjiang_domain::SkillLevel::from_any(&c)
                .map(|s| s.label(en))
                .unwrap_or("")
        ));
    }
    // The treemap: pilots by area and the areas below them.
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    out.push_str(&format!(
        "\r\n{},{},{},{},{}\r\n",
        if en { "Area" } else { "区域" },
        if en { "Sub-area" } else { "下级区域" },
        if en { "Code" } else { "代码" },
        CATALOGUE
            .iter()
            .find(|i| i.code == "pilot_enterprises")
            .map(|i| i.name(en))
            .unwrap_or(""),
        CATALOGUE
            .iter()
            .find(|i| i.code == "pilot_parks")
            .map(|i| i.name(en))
            .unwrap_or(""),
    ));
    for a in pilot_areas(&st, &ctx, &r).await? {
        out.push_str(&format!(
            "{},,{},{},{}\r\n",
            q(&a.name),
            a.code,
            a.enterprises,
            a.parks
        ));
        for k in &a.children {
            out.push_str(&format!(
                "{},{},{},{},{}\r\n",
                q(&a.name),
                q(&k.name),
                k.code,
                k.enterprises,
                k.parks
            ));
        }
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"indicators.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}
