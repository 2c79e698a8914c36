//! `/tasks`: the year's task list with its filters, and the dashboard's task board.
use super::{enc, int};
use crate::api::tasks::TaskQuery;
use crate::auth::{Ctx, OrgReader, WebUser};
use crate::error::UiError;
use crate::i18n::T;
use crate::ui::{render, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use gongjiang_domain::tasks::TaskStatus;
use gongjiang_storage::tasks::{Board, Task};
use gongjiang_storage::Page;
use serde::Deserialize;

// ----- tasks -----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct ListQuery {
    year: String,
    status: String,
    region: String,
    supervised: String,
    owner: String,
    q: String,
    page: String,
}

#[derive(Template)]
#[template(path = "tasks_list.html")]
struct ListPage {
    l: Layout,
    q: ListQuery,
    year: i64,
    years: Vec<i64>,
    /// "数据截至2025年度": the default year (the latest with approved data).
    as_of: String,
    statuses: Vec<(&'static str, &'static str)>,
    board: Board,
    page: Page<Task>,
    status_json: String,
    units_json: String,
    can_create: bool,
    prev: String,
    next: String,
}

pub(super) async fn list(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<ListQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    let mut years = st.svc.task_years(&ctx.actor).await?;
    // Without a year: the latest year with approved data, as on every page.
    let latest = crate::period::default_year(&st, &ctx.actor).await;
    let year = int(&q.year).unwrap_or(i64::from(latest));
    if !years.contains(&year) {
        years.push(year);
        years.sort_unstable_by(|a, b| b.cmp(a));
    }
    let region = Some(q.region.trim()).filter(|s| !s.is_empty());
    let board = st.svc.task_board(&ctx.actor, year, region, en).await?;
    let page_no = int(&q.page).unwrap_or(1).max(1);
    let f = TaskQuery {
        year: Some(year),
        status: Some(q.status.clone()),
        region: Some(q.region.clone()),
        supervised: Some(q.supervised == "1"),
        owner_org_id: int(&q.owner),
        q: Some(q.q.clone()),
        page: Some(page_no),
        per_page: Some(20),
        ..Default::default()
    }
    .filter();
    let page = st.svc.list_tasks(&ctx.actor, &f, en).await?;
    let status_json = serde_json::json!({
        "kind": "pie",
        "names": board.by_status.iter().map(|s| s.label.as_str()).collect::<Vec<_>>(),
        "series": [{"name": t.s("tasks.by_status"), "values": board.by_status.iter().map(|s| s.count).collect::<Vec<_>>()}],
    })
    .to_string();
    // Lead units have long names: horizontal bars, most tasks first, the rest summed as
    // 其他 (crate::ui::charts); the table below lists every unit.
    let units = crate::ui::charts::bars(
        &t,
        &[t.s("tasks.total"), t.s("tasks.done"), t.s("tasks.overdue")],
        board
            .by_unit
            .iter()
            .map(|u| crate::ui::charts::Bar {
                name: u.org_name.clone(),
                code: Some(u.org_id.to_string()),
                values: vec![u.total as f64, u.done as f64, u.overdue as f64],
            })
            .collect(),
    );
    let mut units = units;
    units["drill"] = format!("/tasks?year={year}&owner=").into();
    // An empty string: no data, the page says so instead of drawing an empty frame.
    let units_json = if crate::ui::charts::has_data(&units) {
        units.to_string()
    } else {
        String::new()
    };
    let status_json = if board.by_status.iter().any(|s| s.count > 0) {
        status_json
    } else {
        String::new()
    };
    let link = |p: i64| {
        format!(
            "/tasks?year={year}&status={}&region={}&supervised={}&owner={}&q={}&page={p}",
            enc(&q.status),
            enc(&q.region),
            enc(&q.supervised),
            enc(&q.owner),
            enc(&q.q)
        )
    };
    let l = Layout::new(
        &ctx,
        "/tasks",
        t.s("nav.tasks"),
        vec![(t.s("nav.tasks"), String::new())],
    )
    .with_script("/assets/echarts.min.js");
    render(
        &ListPage {
            l,
            prev: link(page_no.saturating_sub(1)),
            next: link(page_no.saturating_add(1)),
            year,
            years,
            as_of: crate::period::as_of(&t, latest),
            statuses: TaskStatus::ALL
                .iter()
                .map(|s| (s.code(), s.label(en)))
                .collect(),
            board,
            page,
            status_json,
            units_json,
            can_create: gongjiang_storage::access::office_level(&ctx.actor).is_some(),
            q,
        },
        lang,
    )
}

/// The dashboard's task section for a region node and a period: the board of the
/// period's year (a chart of counts by status, overdue and 督办 first), or nothing for
/// an organisation node or a year without tasks.
pub async fn dashboard_board(
    st: &AppState,
    ctx: &Ctx,
    node: &str,
    period: &str,
) -> Option<(Board, String)> {
    let year: i64 = period.get(..4)?.parse().ok()?;
    if node.len() < 6 || node.len() > 9 || !node.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let en = ctx.lang.is_en();
    let b = st
        .svc
        .task_board(&ctx.actor, year, Some(node), en)
        .await
        .ok()?;
    if b.by_status.iter().all(|s| s.count == 0) {
        return None;
    }
    let json = serde_json::json!({
        "names": b.by_status.iter().map(|s| s.label.as_str()).collect::<Vec<_>>(),
        "series": [{"name": T(ctx.lang).s("tasks.total"), "values": b.by_status.iter().map(|s| s.count).collect::<Vec<_>>()}],
    })
    .to_string();
    Some((b, json))
}
