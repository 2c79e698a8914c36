//! Console pages of the 六有 checklist: the completion view across pilot units (a chart
//! by subdivision from the indicator engine, and every pilot's six statuses), each unit's
//! sheet for a year (evidence with files, submit, item-by-item review), file downloads.
use super::{render, save_or_show, Layout};
use crate::auth::{CsrfForm, Ctx, OrgReader, WebUser};
use crate::error::{AppError, UiError};
use crate::i18n::{Lang, T};
use crate::ui::lists::nz;
use crate::upload::{MultipartForm, UiMultipart};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use gongjiang_domain::liuyou::ITEMS;
use gongjiang_storage::access::Permission;
use gongjiang_storage::liuyou::{EvidenceInput, LiuyouRow, LiuyouSheet, RowFilter, ROW_STATUSES};
use gongjiang_storage::{Page, StoreError};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/liuyou", get(overview))
        .route("/liuyou/{org}/{year}", get(sheet))
        .route("/liuyou/{org}/{year}/submit", post(submit))
        .route(
            "/liuyou/{org}/{year}/{item}",
            post(save).layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024)),
        )
        .route("/liuyou/{org}/{year}/{item}/review", post(review))
        .route("/files/{id}", get(download))
}

fn this_year() -> i32 {
    chrono::Datelike::year(&chrono::Utc::now().date_naive())
}

fn parse_ids(lang: Lang, org: &str, year: &str) -> Result<(i64, i32), UiError> {
    match (org.parse::<i64>(), year.parse::<i32>()) {
        (Ok(o), Ok(y)) => Ok((o, y)),
        _ => Err(UiError(AppError::Store(StoreError::NotFound), lang)),
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct OverviewQuery {
    year: String,
    region: String,
    q: String,
    status: String,
    /// Older links: `pending=1` is `status=submitted`.
    pending: String,
    page: String,
}

impl OverviewQuery {
    /// The query string for another page, keeping the filters.
    fn link(&self, year: i32, page: i64) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        s.append_pair("year", &year.to_string());
        for (k, v) in [
            ("region", &self.region),
            ("q", &self.q),
            ("status", &self.status),
        ] {
            if !v.trim().is_empty() {
                s.append_pair(k, v.trim());
            }
        }
        if page > 1 {
            s.append_pair("page", &page.to_string());
        }
        format!("/liuyou?{}", s.finish())
    }
}

/// Rows per page of the completion view.
pub const PER_PAGE: i64 = 20;

#[derive(Template)]
#[template(path = "liuyou_overview.html")]
struct OverviewPage {
    l: Layout,
    year: i32,
    years: Vec<i32>,
    /// "数据截至2025年度": the default year.
    as_of: String,
    q: OverviewQuery,
    regions: Vec<(String, String)>,
    statuses: Vec<(&'static str, String)>,
    page: Page<OverviewRow>,
    prev: String,
    next: String,
    items: Vec<&'static str>,
    /// Chart: subdivision names, completion rates, complete units, pilot units.
    chart: String,
    rate: String,
    complete: i64,
    pilots: i64,
}

/// One row of the table: the unit, where it sits, its six statuses.
struct OverviewRow {
    r: LiuyouRow,
    area: String,
}

async fn overview(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(mut q): Query<OverviewQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    if gongjiang_storage::access::bound_to_own_org(&ctx.actor) {
        if let Some(o) = ctx.user.org_id {
            let y = crate::period::default_year(&st, &ctx.actor).await;
            return Ok(Redirect::to(&format!("/liuyou/{o}/{y}")).into_response());
        }
    }
    if q.status.is_empty() && q.pending == "1" {
        q.status = "submitted".into();
    }
    // Without a year: the latest year with approved data, as on every page.
    let latest = crate::period::default_year(&st, &ctx.actor).await;
    let year = q.year.trim().parse::<i32>().unwrap_or(latest);
    let key = if q.region.is_empty() {
        ctx.user
            .region_code
            .clone()
            .unwrap_or_else(|| "320400".into())
    } else {
        q.region.clone()
    };
    let page = st
        .svc
        .liuyou_page(
            &ctx.actor,
            &RowFilter {
                year,
                region: nz(&q.region),
                q: nz(&q.q),
                status: nz(&q.status),
                page: q.page.trim().parse().unwrap_or(1),
                per_page: PER_PAGE,
            },
        )
        .await?;
    let all_regions = st.svc.regions(&ctx.actor).await?;
    let by_code: std::collections::HashMap<&str, &gongjiang_storage::regions::Region> =
        all_regions.iter().map(|r| (r.code.as_str(), r)).collect();
    // District · town of each unit.
    let area = |code: &str| -> String {
        let Some(r) = by_code.get(code) else {
            return String::new();
        };
        match r.parent_code.as_deref().and_then(|p| by_code.get(p)) {
            Some(p) if r.level == "town" => format!("{} · {}", p.name, r.name),
            _ => r.name.clone(),
        }
    };
    let page = Page {
        items: page
            .items
            .into_iter()
            .map(|r| OverviewRow {
                area: area(&r.region_code),
                r,
            })
            .collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    };
    let regions = all_regions
        .iter()
        .map(|r| {
            let indent = match r.level.as_str() {
                "city" => "",
                "district" | "zone" => "\u{3000}",
                _ => "\u{3000}\u{3000}",
            };
            (r.code.clone(), format!("{indent}{}", r.name))
        })
        .collect();
    // Every number below comes from the indicator engine.
    let report = st
        .svc
        .indicators(&ctx.actor, &key, &year.to_string(), true)
        .await?;
    let pick = |vals: &[gongjiang_storage::indicators::Value], code: &str| {
        vals.iter().find(|v| v.code == code).cloned()
    };
    let mut names = Vec::new();
    let mut codes = Vec::new();
    let mut rates = Vec::new();
    let mut done = Vec::new();
    for (subject, vals) in &report.children {
        if let Some(v) = pick(vals, "liuyou_completion_rate") {
            if v.denominator.unwrap_or(0) == 0 {
                continue;
            }
            names.push(subject.name.clone());
            codes.push(subject.code.clone());
            rates.push(v.value.map(|x| (x * 10.0).round() / 10.0).unwrap_or(0.0));
            done.push(v.numerator.unwrap_or(0));
        }
    }
    let own = pick(&report.values, "liuyou_completion_rate");
    let chart = serde_json::json!({
        "kind": "bar",
        "names": names,
        "codes": codes,
        "drill": format!("/liuyou?year={year}&region="),
        "series": [
            {"name": t.s("liuyou.rate"), "values": rates},
            {"name": t.s("liuyou.complete_units"), "values": done},
        ],
    })
    .to_string();
    let l = Layout::new(
        &ctx,
        "/liuyou",
        t.s("nav.liuyou"),
        vec![(t.s("nav.liuyou"), String::new())],
    )
    .with_script("/assets/echarts.min.js");
    let page_no = page.page;
    render(
        &OverviewPage {
            l,
            year,
            years: (2021.min(year)..=this_year().max(year)).rev().collect(),
            as_of: crate::period::as_of(&t, latest),
            prev: q.link(year, page_no.saturating_sub(1)),
            next: q.link(year, page_no.saturating_add(1)),
            q,
            regions,
            statuses: ROW_STATUSES
                .iter()
                .map(|s| (*s, t.s(&format!("liuyou.f_{s}"))))
                .collect(),
            page,
            items: ITEMS.iter().map(|i| i.name(en)).collect(),
            chart,
            rate: own
                .as_ref()
                .and_then(|v| v.value)
                .map(|v| format!("{v:.1}%"))
                .unwrap_or_else(|| "—".into()),
            complete: own.as_ref().and_then(|v| v.numerator).unwrap_or(0),
            pilots: own.as_ref().and_then(|v| v.denominator).unwrap_or(0),
        },
        lang,
    )
}

#[derive(Template)]
#[template(path = "liuyou_sheet.html")]
struct SheetPage {
    l: Layout,
    s: LiuyouSheet,
    can_edit: bool,
    can_review: bool,
    errors: Vec<String>,
    years: Vec<i32>,
}

async fn sheet(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path((org, year)): Path<(String, String)>,
) -> Result<Response, UiError> {
    let (org, year) = parse_ids(ctx.lang, &org, &year)?;
    sheet_page(&st, &ctx, org, year, Vec::new()).await
}

async fn sheet_page(
    st: &AppState,
    ctx: &Ctx,
    org: i64,
    year: i32,
    errors: Vec<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let s = st
        .svc
        .liuyou_sheet(&ctx.actor, org, year, lang.is_en())
        .await?;
    // The unit keeps its own checklist; staff review it (and fill it in only for a
    // unit without an account: the access policy decides).
    let can_edit = s.is_pilot && st.svc.keeps_liuyou(&ctx.actor, org).await?;
    let can_review = ctx.may(Permission::Coordinate);
    let title = format!("{} · {} {year}", s.org_name, t.s("nav.liuyou"));
    let l = Layout::under(ctx, "/liuyou", "nav.liuyou", title);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut r = render(
        &SheetPage {
            l,
            s,
            can_edit,
            can_review,
            errors,
            years: (2021..=this_year()).rev().collect(),
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

/// Saves one item's evidence (multipart: `_csrf`, `text`, `link`, `remove` (ids), `files`).
async fn save(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path((org, year, item)): Path<(String, String, String)>,
    UiMultipart(m): UiMultipart,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let (org, year) = parse_ids(lang, &org, &year)?;
    let form = MultipartForm::read(m).await?;
    form.check_csrf(&ctx.csrf)?;
    let input = EvidenceInput {
        text: form.text("text").map(str::to_string),
        link: form.text("link").map(str::to_string),
        version: form.text("version").and_then(|v| v.parse().ok()),
        remove_files: form
            .texts("remove")
            .filter_map(|v| v.parse().ok())
            .collect(),
    };
    let files = form.files_of("files");
    save_or_show(
        lang,
        st.svc
            .save_liuyou_item(&ctx.actor, org, year, &item, &input, &files)
            .await,
        |_| format!("/liuyou/{org}/{year}#{item}"),
        |r| async move { sheet_page(&st, &ctx, org, year, r.messages()).await },
    )
    .await
}

#[derive(Deserialize, Default)]
struct Empty {}

async fn submit(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path((org, year)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let (org, year) = parse_ids(lang, &org, &year)?;
    save_or_show(
        lang,
        st.svc.submit_liuyou(&ctx.actor, org, year).await,
        |_| format!("/liuyou/{org}/{year}"),
        |r| async move { sheet_page(&st, &ctx, org, year, r.messages()).await },
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReviewForm {
    decision: String,
    reason: String,
}

async fn review(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path((org, year, item)): Path<(String, String, String)>,
    CsrfForm(f): CsrfForm<ReviewForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let (org, year) = parse_ids(lang, &org, &year)?;
    save_or_show(
        lang,
        st.svc
            .review_liuyou(
                &ctx.actor,
                org,
                year,
                &item,
                f.decision == "accept",
                Some(f.reason.as_str()),
            )
            .await,
        |_| format!("/liuyou/{org}/{year}#{item}"),
        |r| async move { sheet_page(&st, &ctx, org, year, r.messages()).await },
    )
    .await
}

async fn download(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = crate::ui::lists::id_of(&id, lang)?;
    let (m, bytes) = st.svc.read_file(&ctx.actor, id).await?;
    let encoded: String = m
        .name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, m.mime.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"file\"; filename*=UTF-8''{encoded}"),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response())
}
