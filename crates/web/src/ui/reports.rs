//! Console pages for the yearly statistics: list, entry form with validation on entry,
//! the review flow with a progress bar and history, completeness with reminders.
use super::{render, save_form, Errors, Layout};
use crate::api::reports::ReportQuery;
use crate::auth::{CsrfForm, Ctx, OrgReader, WebUser};
use crate::error::{AppError, UiError};
use crate::i18n::T;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use gongjiang_domain::report::{ReportAction, ReportStatus, ELEMENTS};
use gongjiang_domain::Code;
use gongjiang_storage::access::Permission;
use gongjiang_storage::audit::Entry;
use gongjiang_storage::report_service::ReportInput;
use gongjiang_storage::reports::{Completeness, Report};
use gongjiang_storage::{Page, StoreError};
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports", get(list).post(save))
        .route("/reports/new", get(new))
        .route("/reports/completeness", get(completeness))
        .route("/reports/remind", post(remind))
        .route("/reports/{id}", get(show))
        .route("/reports/{id}/transition", post(transition))
}

use crate::ui::lists::nz;

pub fn status_label(code: &str, en: bool) -> String {
    ReportStatus::from_any(code)
        .map(|s| s.label(en).to_string())
        .unwrap_or_else(|| code.to_string())
}

pub fn status_badge(code: &str) -> &'static str {
    match code {
        "approved" | "locked" => "badge-green",
        "submitted" => "badge-blue",
        "returned" => "badge-red",
        _ => "badge-gray",
    }
}

pub fn fmt_num(v: Option<&f64>) -> String {
    match v {
        None => "—".into(),
        Some(x) if x.fract() == 0.0 => crate::i18n::group(*x as i64),
        Some(x) => format!("{x:.2}"),
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ListQuery {
    region: String,
    period: String,
    status: String,
    page: String,
}

impl ListQuery {
    fn link(&self, page: i64) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("region", &self.region),
            ("period", &self.period),
            ("status", &self.status),
        ] {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        s.append_pair("page", &page.to_string());
        format!("/reports?{}", s.finish())
    }
}

#[derive(Template)]
#[template(path = "reports_list.html")]
struct ListPage {
    l: Layout,
    page: Page<Report>,
    q: ListQuery,
    regions: Vec<(String, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    periods: Vec<String>,
    can_fill: bool,
    is_staff: bool,
    prev: String,
    next: String,
}

fn periods() -> Vec<String> {
    let this = chrono::Datelike::year(&gongjiang_storage::contacts::today());
    (2019..=this).rev().map(|y| y.to_string()).collect()
}

async fn list(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<ListQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let rq = ReportQuery {
        region: nz(&q.region),
        period: nz(&q.period),
        status: nz(&q.status),
        page: q.page.parse().ok(),
        per_page: Some(20),
        org_id: None,
    };
    let f = rq.filter()?;
    let page = st.svc.list_reports(&ctx.actor, &f).await?;
    let regions = super::lists::region_names(&st, &ctx).await?;
    let l = Layout::new(
        &ctx,
        "/reports",
        t.s("nav.reports"),
        vec![
            (t.s("nav.g.data"), String::new()),
            (t.s("nav.reports"), String::new()),
        ],
    );
    let p = page.page;
    render(
        &ListPage {
            l,
            prev: q.link(p - 1),
            next: q.link(p + 1),
            page,
            q,
            regions,
            statuses: ReportStatus::ALL
                .iter()
                .map(|s| (s.code(), s.label(lang.is_en())))
                .collect(),
            periods: periods(),
            can_fill: ctx.may(Permission::FileReports),
            is_staff: ctx.may(Permission::ReviewReports),
        },
        lang,
    )
}

/// The form as typed: element code → text.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ReportForm {
    org: String,
    period: String,
    submit: String,
    #[serde(flatten)]
    values: BTreeMap<String, String>,
}

#[derive(Template)]
#[template(path = "report_form.html")]
struct FormPage {
    l: Layout,
    report: Option<Report>,
    org: String,
    org_fixed: bool,
    period: String,
    values: BTreeMap<String, String>,
    e: Errors,
    elements: Vec<(&'static str, String, bool)>,
    orgs: Vec<(String, String)>,
    editable: bool,
    steps: Vec<(String, &'static str)>,
    actions: Vec<(&'static str, String)>,
    /// Why this reviewer sees no 审核/退回 buttons (own submission, not the level above).
    review_note: Option<String>,
    history: Vec<Entry>,
}

impl FormPage {
    fn val(&self, code: &str) -> &str {
        self.values.get(code).map(String::as_str).unwrap_or("")
    }
}

fn steps(status: &str, t: &T) -> Vec<(String, &'static str)> {
    let order = ["draft", "submitted", "approved", "locked"];
    let cur = if status == "returned" {
        0
    } else {
        order.iter().position(|s| *s == status).unwrap_or(0)
    };
    order
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let label = if i == 0 && status == "returned" {
                status_label("returned", t.en())
            } else {
                status_label(s, t.en())
            };
            (
                label,
                if i < cur {
                    "done"
                } else if i == cur {
                    "current"
                } else {
                    "todo"
                },
            )
        })
        .collect()
}

/// The actions the caller may take on a report in `status`; `may_review` is whether
/// they pass the reviewer rule (the level above, not the submitter).
fn allowed_actions(
    ctx: &Ctx,
    status: &str,
    may_review: bool,
    t: &T,
) -> Vec<(&'static str, String)> {
    let Some(s) = ReportStatus::from_any(status) else {
        return Vec::new();
    };
    ReportAction::ALL
        .iter()
        .filter(|a| s.after(**a).is_some())
        .filter(|a| match a {
            ReportAction::Submit => ctx.may(Permission::FileReports),
            ReportAction::Approve | ReportAction::Return => {
                ctx.may(Permission::ReviewReports) && may_review
            }
            ReportAction::Lock | ReportAction::Unlock => ctx.may(Permission::LockReports),
        })
        .map(|a| (a.code(), a.label(t.en()).to_string()))
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    st: &AppState,
    ctx: &Ctx,
    report: Option<Report>,
    org: String,
    period: String,
    values: BTreeMap<String, String>,
    e: Errors,
    status: StatusCode,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let unit = gongjiang_storage::access::bound_to_own_org(&ctx.actor);
    let (title, editable, steps_v, actions, review_note, history) = match &report {
        Some(r) => {
            let status = ReportStatus::from_any(&r.status);
            let editable = status.is_some_and(|s| s.editable()) && ctx.may(Permission::FileReports);
            let hist = st
                .svc
                .entity_history(&ctx.actor, "report", &r.id.to_string())
                .await?;
            // Only region staff review; of them, only the level above and never the
            // submitter. Say why when a reviewer finds no buttons.
            let reviewable = status.is_some_and(|s| {
                s.after(ReportAction::Approve).is_some() || s.after(ReportAction::Return).is_some()
            });
            let (may_review, review_note) = if ctx.may(Permission::ReviewReports) && reviewable {
                match st.svc.may_review_report(&ctx.actor, r).await {
                    Ok(()) => (true, None),
                    Err(StoreError::Denied { zh, en, .. }) => {
                        (false, Some(if t.en() { en } else { zh }))
                    }
                    Err(StoreError::Forbidden) => (false, None),
                    Err(e) => return Err(UiError(e.into(), lang)),
                }
            } else {
                (false, None)
            };
            (
                format!("{} · {}", r.org_name, r.period),
                editable,
                steps(&r.status, &t),
                allowed_actions(ctx, &r.status, may_review, &t),
                review_note,
                hist,
            )
        }
        None => (
            t.s("reports.new"),
            true,
            steps("draft", &t),
            Vec::new(),
            None,
            Vec::new(),
        ),
    };
    let orgs = if unit {
        Vec::new()
    } else {
        let f = gongjiang_storage::orgs::Filter {
            kind: Some("enterprise".into()),
            per_page: 500,
            page: 1,
            ..Default::default()
        };
        st.svc
            .list_orgs(&ctx.actor, &f)
            .await?
            .items
            .into_iter()
            .map(|o| (o.uscc.clone().unwrap_or_else(|| o.id.to_string()), o.name))
            .collect()
    };
    let l = Layout::under(ctx, "/reports", "nav.reports", title);
    let elements = ELEMENTS
        .iter()
        .map(|el| {
            (
                el.code,
                if t.en() {
                    el.label_en.to_string()
                } else {
                    el.label_zh.to_string()
                },
                el.money,
            )
        })
        .collect();
    let mut r = render(
        &FormPage {
            l,
            org_fixed: unit || report.is_some(),
            report,
            org,
            period,
            values,
            e,
            elements,
            orgs,
            editable,
            steps: steps_v,
            actions,
            review_note,
            history,
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    period: String,
    org: String,
}

async fn new(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Query(q): Query<NewQuery>,
) -> Result<Response, UiError> {
    let _lang = ctx.lang;
    let org = ctx.fixed_org(&q.org);
    let period = nz(&q.period).unwrap_or_else(|| chrono::Utc::now().format("%Y").to_string());
    // An existing report for this organisation and period opens instead of a new one.
    if let Some(r) = existing_report(&st, &ctx, &org, &period).await {
        return Ok(Redirect::to(&format!("/reports/{}", r.id)).into_response());
    }
    form_page(
        &st,
        &ctx,
        None,
        org,
        period,
        BTreeMap::new(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

async fn save(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    CsrfForm(f): CsrfForm<ReportForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let values: BTreeMap<String, serde_json::Value> = f
        .values
        .iter()
        .filter(|(k, _)| ELEMENTS.iter().any(|e| e.code == k.as_str()))
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    let org = ctx.fixed_org(&f.org);
    let input = ReportInput {
        org: org.clone(),
        period: f.period.clone(),
        values,
        submit: f.submit == "1",
    };
    let fields: Vec<&str> = ["org", "period"]
        .into_iter()
        .chain(ELEMENTS.iter().map(|e| e.code))
        .collect();
    let result = st.svc.save_report(&ctx.actor, &input).await;
    save_form(
        lang,
        result,
        &fields,
        |r| format!("/reports/{}?saved=1", r.id),
        |e| async {
            let existing = existing_report(&st, &ctx, &org, &f.period).await;
            let values = f
                .values
                .into_iter()
                .filter(|(k, _)| ELEMENTS.iter().any(|e| e.code == k.as_str()))
                .collect();
            form_page(
                &st,
                &ctx,
                existing,
                org,
                f.period,
                values,
                e,
                StatusCode::OK,
            )
            .await
        },
    )
    .await
}

/// The report of an organisation (USCC or id) and period, when there is one the caller
/// may see.
async fn existing_report(st: &AppState, ctx: &Ctx, org: &str, period: &str) -> Option<Report> {
    let o = st.svc.find_org(&ctx.actor, org).await.ok()?;
    let f = gongjiang_storage::reports::Filter {
        org_id: Some(o.id),
        period: Some(period.to_string()),
        per_page: 1,
        page: 1,
        ..Default::default()
    };
    st.svc
        .list_reports(&ctx.actor, &f)
        .await
        .ok()
        .and_then(|p| p.items.into_iter().next())
}

async fn show(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = crate::ui::lists::id_of(&id, lang)?;
    let r = st.svc.get_report(&ctx.actor, id).await?;
    let values = ELEMENTS
        .iter()
        .filter_map(|e| {
            r.values.get(e.code).map(|v| {
                (
                    e.code.to_string(),
                    if e.money {
                        format!("{v:.2}")
                    } else {
                        format!("{}", *v as i64)
                    },
                )
            })
        })
        .collect();
    let org = r.uscc.clone().unwrap_or_else(|| r.org_id.to_string());
    let period = r.period.clone();
    form_page(
        &st,
        &ctx,
        Some(r),
        org,
        period,
        values,
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TransitionForm {
    action: String,
    reason: String,
}

async fn transition(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<TransitionForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = crate::ui::lists::id_of(&id, lang)?;
    let action = ReportAction::from_any(&f.action).ok_or_else(|| {
        UiError(
            AppError::bad_request(Code::BadAction, "未知操作", "unknown action"),
            lang,
        )
    })?;
    let result = st
        .svc
        .transition_report(&ctx.actor, id, action, Some(&f.reason))
        .await;
    save_form(
        lang,
        result,
        &["reason"],
        |r| format!("/reports/{}?done={}", r.id, action.code()),
        |e| async {
            let r = st.svc.get_report(&ctx.actor, id).await?;
            let org = r.uscc.clone().unwrap_or_else(|| r.org_id.to_string());
            let period = r.period.clone();
            let values = r
                .values
                .iter()
                .map(|(k, v)| (k.clone(), format!("{v}")))
                .collect();
            form_page(&st, &ctx, Some(r), org, period, values, e, StatusCode::OK).await
        },
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CompletenessQuery {
    region: String,
    period: String,
    reminded: String,
}

#[derive(Template)]
#[template(path = "reports_completeness.html")]
struct CompletenessPage {
    l: Layout,
    region: String,
    region_name: String,
    period: String,
    periods: Vec<String>,
    rows: Vec<Completeness>,
    missing: Vec<(i64, String, String)>,
    chart_json: String,
    flash: Option<String>,
}

async fn completeness(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Query(q): Query<CompletenessQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let region = nz(&q.region)
        .or(ctx.user.region_code.clone())
        .unwrap_or_else(|| "320400".into());
    // Without a period: the one being collected, the year after the latest with approved
    // data (the default of every other page).
    let period = match nz(&q.period) {
        Some(p) => p,
        None => (crate::period::default_year(&st, &ctx.actor).await + 1).to_string(),
    };
    let rows = st
        .svc
        .report_completeness(&ctx.actor, &region, &period)
        .await?;
    let missing = st
        .svc
        .missing_reports(&ctx.actor, &region, &period, 200)
        .await?;
    let region_name = st
        .svc
        .region(&ctx.actor, &region)
        .await
        .map(|r| r.name)
        .unwrap_or_else(|_| region.clone());
    let chart_json = serde_json::json!({
        "names": rows.iter().map(|r| r.name.clone()).collect::<Vec<_>>(),
        "codes": rows.iter().map(|r| r.code.clone()).collect::<Vec<_>>(),
        "drill": format!("/reports/completeness?period={period}&region="),
        "series": [
            {"name": t.s("reports.expected"), "values": rows.iter().map(|r| r.expected).collect::<Vec<_>>()},
            {"name": t.s("reports.submitted"), "values": rows.iter().map(|r| r.submitted).collect::<Vec<_>>()},
            {"name": t.s("reports.approved"), "values": rows.iter().map(|r| r.approved).collect::<Vec<_>>()},
        ]
    })
    .to_string();
    let flash = nz(&q.reminded).map(|n| t.s("reports.reminded").replace("{n}", &n));
    let l = Layout::new(
        &ctx,
        "/reports",
        t.s("reports.completeness"),
        vec![
            (t.s("nav.reports"), "/reports".into()),
            (t.s("reports.completeness"), String::new()),
        ],
    )
    .with_script("/assets/echarts.min.js");
    render(
        &CompletenessPage {
            l,
            region,
            region_name,
            period,
            periods: periods(),
            rows,
            missing,
            chart_json,
            flash,
        },
        lang,
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RemindForm {
    region: String,
    period: String,
}

async fn remind(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    CsrfForm(f): CsrfForm<RemindForm>,
) -> Result<Response, UiError> {
    let _lang = ctx.lang;
    let n = st
        .svc
        .remind_missing(&ctx.actor, &f.region, &f.period)
        .await?;
    Ok(Redirect::to(&format!(
        "/reports/completeness?region={}&period={}&reminded={n}",
        f.region, f.period
    ))
    .into_response())
}
