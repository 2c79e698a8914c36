//! `/contacts`: the contact points' figures, charts, problems, visits and officials.
use super::form::opts;
use super::nav_crumbs;
use crate::api::contacts::ProblemQuery;
use crate::auth::{Ctx, OrgReader, WebUser};
use crate::error::UiError;
use crate::i18n::T;
use crate::ui::{render, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use gongjiang_domain::contacts::{ProblemCategory, ProblemStatus};
use gongjiang_storage::access::Permission;
use gongjiang_storage::contacts::{ContactPoint, Problem, Visit, VisitFilter};
use gongjiang_storage::Page;
use serde::Deserialize;
use serde_json::json;

// ---------------------------------------------------------------- /contacts

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct ContactsQuery {
    year: String,
    status: String,
    category: String,
    q: String,
    page: String,
}

pub struct Stat {
    pub code: &'static str,
    pub label: String,
    pub value: String,
    pub unit: String,
}

#[derive(Template)]
#[template(path = "contacts.html")]
struct ContactsPage {
    l: Layout,
    q: ContactsQuery,
    years: Vec<String>,
    /// "数据截至2025年度": the default year.
    as_of: String,
    stats: Vec<Stat>,
    areas_json: String,
    status_json: String,
    category_json: String,
    problems: Page<Problem>,
    visits: Vec<Visit>,
    points: Vec<ContactPoint>,
    statuses: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    can_raise: bool,
    can_visit: bool,
    can_assign: bool,
    prev: String,
    next: String,
}

fn home_node(ctx: &Ctx) -> String {
    ctx.user
        .org_id
        .filter(|_| !ctx.may(Permission::Coordinate))
        .map(|o| o.to_string())
        .or(ctx.user.region_code.clone())
        .unwrap_or_else(|| "320400".into())
}

fn fmt_value(v: Option<f64>) -> String {
    match v {
        None => "—".into(),
        Some(x) if x.fract() == 0.0 => crate::i18n::group(x as i64),
        Some(x) => format!("{x:.1}"),
    }
}

const CONTACT_INDICATORS: [&str; 5] = [
    "visits",
    "problems_raised",
    "problems_resolved",
    "problem_resolution_rate",
    "avg_days_to_resolve",
];

pub(super) async fn contacts(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<ContactsQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    let recent = st
        .svc
        .list_visits(
            &ctx.actor,
            &VisitFilter {
                page: 1,
                per_page: 10,
                ..Default::default()
            },
            en,
        )
        .await?;
    let this_year = chrono::Datelike::year(&gongjiang_storage::contacts::today());
    // Default: the latest year with approved data, as on every page.
    let latest = crate::period::default_year(&st, &ctx.actor).await;
    let year = if q.year.len() == 4 && q.year.parse::<i32>().is_ok() {
        q.year.clone()
    } else {
        latest.to_string()
    };
    let report = st
        .svc
        .indicators(
            &ctx.actor,
            &home_node(&ctx),
            &year,
            ctx.may(Permission::Coordinate),
        )
        .await?;
    let stats = CONTACT_INDICATORS
        .iter()
        .filter_map(|code| {
            let ind = gongjiang_domain::indicators::find(code)?;
            let v = report.values.iter().find(|v| v.code == *code)?;
            Some(Stat {
                code: ind.code,
                label: ind.name(en).to_string(),
                value: fmt_value(v.value),
                unit: ind.unit(en).to_string(),
            })
        })
        .collect();
    let get = |vals: &[gongjiang_storage::indicators::Value], code: &str| {
        vals.iter()
            .find(|v| v.code == code)
            .and_then(|v| v.value)
            .unwrap_or(0.0)
    };
    let children: Vec<_> = report
        .children
        .iter()
        .filter(|(_, v)| get(v, "problems_raised") > 0.0 || get(v, "visits") > 0.0)
        .collect();
    let areas_json = json!({
        "kind": "bar",
        "names": children.iter().map(|(s, _)| s.name.clone()).collect::<Vec<_>>(),
        "series": [
            {"name": t.s("contacts.visits"), "values": children.iter().map(|(_, v)| get(v, "visits")).collect::<Vec<_>>()},
            {"name": t.s("contacts.raised"), "values": children.iter().map(|(_, v)| get(v, "problems_raised")).collect::<Vec<_>>()},
            {"name": t.s("contacts.resolved"), "values": children.iter().map(|(_, v)| get(v, "problems_resolved")).collect::<Vec<_>>()},
        ],
    })
    .to_string();
    let page_no = q.page.parse::<i64>().unwrap_or(1).max(1);
    let f = ProblemQuery {
        status: Some(q.status.clone()),
        category: Some(q.category.clone()),
        q: Some(q.q.clone()),
        page: Some(page_no),
        per_page: Some(15),
        ..Default::default()
    }
    .filter();
    let problems = st.svc.list_problems(&ctx.actor, &f, en).await?;
    let pstats = st
        .svc
        .problem_stats(
            &ctx.actor,
            &gongjiang_storage::contacts::ProblemFilter::default(),
        )
        .await?;
    let status_label = |c: &str| {
        ProblemStatus::from_any(c)
            .map(|s| s.label(en))
            .unwrap_or("")
            .to_string()
    };
    let cat_label = |c: &str| {
        ProblemCategory::from_any(c)
            .map(|s| s.label(en))
            .unwrap_or("")
            .to_string()
    };
    let status_json = json!({
        "kind": "pie",
        "names": pstats.by_status.iter().map(|(c, _)| status_label(c)).collect::<Vec<_>>(),
        "series": [{"name": "", "values": pstats.by_status.iter().map(|(_, n)| *n).collect::<Vec<_>>()}],
    })
    .to_string();
    let category_json = json!({
        "kind": "bar",
        "names": pstats.by_category.iter().map(|(c, _, _)| cat_label(c)).collect::<Vec<_>>(),
        "series": [
            {"name": t.s("contacts.raised"), "values": pstats.by_category.iter().map(|(_, r, _)| *r).collect::<Vec<_>>()},
            {"name": t.s("contacts.resolved"), "values": pstats.by_category.iter().map(|(_, _, s)| *s).collect::<Vec<_>>()},
        ],
    })
    .to_string();
    let points = st.svc.list_contact_points(&ctx.actor, None, None).await?;
    let link = |p: i64| {
        format!(
            "/contacts?year={year}&status={}&category={}&q={}&page={p}",
            q.status,
            q.category,
            urlencode(&q.q)
        )
    };
    let l = Layout::new(
        &ctx,
        "/contacts",
        t.s("nav.contacts"),
        nav_crumbs(t, "nav.contacts", "/contacts", None),
    )
    .with_script("/assets/echarts.min.js");
    render(
        &ContactsPage {
            l,
            prev: link(page_no.saturating_sub(1)),
            next: link(page_no.saturating_add(1)),
            years: (2021..=this_year).rev().map(|y| y.to_string()).collect(),
            as_of: crate::period::as_of(&t, latest),
            q: ContactsQuery { year, ..q },
            stats,
            areas_json,
            status_json,
            category_json,
            problems,
            visits: recent.items,
            points,
            statuses: opts(
                ProblemStatus::ALL,
                ProblemStatus::code,
                ProblemStatus::label,
                en,
            ),
            categories: opts(
                ProblemCategory::ALL,
                ProblemCategory::code,
                ProblemCategory::label,
                en,
            ),
            can_raise: ctx.may(Permission::RaiseProblem { official: false }),
            can_visit: ctx.may(Permission::VisitUnits),
            can_assign: ctx.may(Permission::Coordinate),
        },
        lang,
    )
}

impl ContactsPage {
    /// May the user correct this visit: region staff over it, or its author.
    fn may_edit_visit(&self, v: &Visit) -> bool {
        self.can_assign || v.created_by == Some(self.l.user.id)
    }
}

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The badge colour of a problem's status.
pub fn problem_badge<S: AsRef<str>>(status: S) -> &'static str {
    match status.as_ref() {
        "resolved" => "badge-green",
        "in_progress" => "badge-blue",
        "open" => "badge-orange",
        _ => "badge-gray",
    }
}
