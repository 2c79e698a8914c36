//! Console pages.
use super::{nav, render, Errors, Layout};
use crate::api::{AuditQuery, OrgQuery};
use crate::auth::{
    cookie, set_cookie, Admin, AuditReader, CsrfForm, Ctx, OrgEditor, OrgReader, WebUser,
    LOGIN_CSRF_COOKIE, SESSION_COOKIE,
};
use crate::error::{AppError, UiError};
use crate::i18n::{Lang, T};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use gongjiang_domain::org::OrgInput;
use gongjiang_domain::{OrgKind, Ownership, Role};
use gongjiang_storage::audit::Entry;
use gongjiang_storage::orgs::{self, Org};
use gongjiang_storage::regions::Region;
use gongjiang_storage::service::OrgPatch;
use gongjiang_storage::users::User;
use gongjiang_storage::{Page, StoreError};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    let mut r = Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/orgs", get(orgs_list).post(org_create))
        .route("/orgs/export.csv", get(orgs_export))
        .route("/orgs/tree", get(orgs_tree))
        .route("/orgs/new", get(org_new))
        .route("/orgs/{id}", get(org_detail).post(org_update))
        .route("/orgs/{id}/edit", get(org_edit))
        .route("/orgs/{id}/delete", post(org_delete))
        .route("/admin/users", get(users_list).post(user_create))
        .route("/admin/users/new", get(user_new))
        .route("/admin/users/{id}", get(user_edit).post(user_update))
        .route("/admin/users/{id}/status", post(user_status))
        .route("/admin/users/{id}/password", post(user_reset))
        .route("/admin/audit", get(audit_page))
        .route("/admin/audit/verify", get(audit_verify))
        .route("/admin/settings", get(settings))
        .route(
            "/account/password",
            get(password_page).post(password_submit),
        )
        .route("/account/email", post(email_submit));
    for g in nav::NAV {
        for i in g.items {
            if i.status != nav::Status::Built {
                r = r.route(i.path, get(placeholder));
            }
        }
    }
    r
}

fn ui<E: Into<AppError>>(lang: Lang) -> impl Fn(E) -> UiError {
    move |e| UiError(e.into(), lang)
}

fn remember_lang(headers: &HeaderMap, parts_lang: Lang, resp: &mut Response) {
    let _ = headers;
    if let Ok(v) = set_cookie("gj_lang", parts_lang.code(), Some(365 * 86400), false).parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// Sets the language cookie when `?lang=` is given, so the choice sticks.
fn with_lang(uri: &axum::http::Uri, lang: Lang, mut resp: Response) -> Response {
    if uri.query().is_some_and(|q| q.contains("lang=")) {
        remember_lang(&HeaderMap::new(), lang, &mut resp);
    }
    resp
}

// ----- login -----

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: T,
    csrf: String,
    username: String,
    next: String,
    error: Option<String>,
    other_lang: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LoginQuery {
    next: String,
}

fn safe_next(next: &str) -> String {
    // Only local paths: never redirect off-site.
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_string()
    } else {
        "/".to_string()
    }
}

async fn login_page(
    State(st): State<AppState>,
    lang: Lang,
    uri: axum::http::Uri,
    Query(q): Query<LoginQuery>,
) -> Result<Response, UiError> {
    let csrf = gongjiang_storage::users::random_token();
    let page = LoginPage {
        t: T(lang),
        csrf: csrf.clone(),
        username: String::new(),
        next: safe_next(&q.next),
        error: None,
        other_lang: format!("/login?lang={}", if lang.is_en() { "zh" } else { "en" }),
    };
    let mut resp = render(&page, lang)?;
    if let Ok(v) = set_cookie(LOGIN_CSRF_COOKIE, &csrf, Some(3600), st.cfg.secure_cookies).parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(with_lang(&uri, lang, resp))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LoginForm {
    username: String,
    password: String,
    next: String,
    _csrf: String,
}

async fn login_submit(
    State(st): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    crate::auth::ClientIp(ip): crate::auth::ClientIp,
    form: Result<axum::Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, UiError> {
    let axum::Form(f) = form.map_err(|_| {
        UiError(
            AppError::bad_request("malformed_form", "表单格式错误", "malformed form"),
            lang,
        )
    })?;
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || f._csrf != expected {
        return Err(UiError(AppError::Csrf, lang));
    }
    let fail = |msg: String, status: StatusCode| -> Result<Response, UiError> {
        let page = LoginPage {
            t: T(lang),
            csrf: expected.clone(),
            username: f.username.clone(),
            next: safe_next(&f.next),
            error: Some(msg),
            other_lang: format!("/login?lang={}", if lang.is_en() { "zh" } else { "en" }),
        };
        let mut r = render(&page, lang)?;
        *r.status_mut() = status;
        Ok(r)
    };
    if let Err(e) = crate::throttle::before_login(&st, &f.username, &ip).await {
        let (_, msg, _) = e.parts(lang);
        return fail(msg, StatusCode::TOO_MANY_REQUESTS);
    }
    match st
        .svc
        .authenticate(&f.username, &f.password, &ip)
        .await
        .map_err(ui(lang))?
    {
        Some(user) => {
            crate::throttle::after_success(&st, &f.username, &ip)
                .await
                .map_err(|e| UiError(e, lang))?;
            let ttl = st.cfg.session_ttl;
            let (token, _, _) = st
                .svc
                .start_session(&user, "web", ttl.as_millis() as i64)
                .await
                .map_err(ui(lang))?;
            let to = if user.must_change_password {
                "/account/password".to_string()
            } else {
                safe_next(&f.next)
            };
            let mut resp = Redirect::to(&to).into_response();
            if let Ok(v) = set_cookie(
                SESSION_COOKIE,
                &token,
                Some(ttl.as_secs()),
                st.cfg.secure_cookies,
            )
            .parse()
            {
                resp.headers_mut().append(header::SET_COOKIE, v);
            }
            Ok(resp)
        }
        None => fail(T(lang).s("login.failed"), StatusCode::UNAUTHORIZED),
    }
}

#[derive(Deserialize, Default)]
struct Empty {}

async fn logout(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    st.svc
        .logout(&ctx.actor, &ctx.token)
        .await
        .map_err(ui(ctx.lang))?;
    let mut resp = Redirect::to("/login").into_response();
    if let Ok(v) = set_cookie(SESSION_COOKIE, "", Some(0), st.cfg.secure_cookies).parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

// ----- home -----

struct Card {
    label: String,
    value: String,
    unit: String,
    note: String,
    href: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    cards: Vec<Card>,
    programme: Vec<Card>,
    /// "数据截至2025年度": the year of the programme figures.
    as_of: String,
    chart_json: String,
    /// Why there is no chart ("暂无数据：…"), when there is none.
    chart_none: String,
    recent: Vec<Entry>,
    my_org: Option<Org>,
    inbox: Vec<(String, String)>,
}

async fn home(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    uri: axum::http::Uri,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let mut cards = Vec::new();
    let mut chart_json = String::new();
    let mut chart_none = String::new();
    if ctx.role().may_read_orgs() {
        let stats = st.svc.tree_stats(&ctx.actor).await.map_err(ui(lang))?;
        let n = |k: &str| {
            stats
                .by_kind
                .iter()
                .find(|(kk, _)| kk == k)
                .map(|(_, n)| *n)
                .unwrap_or(0)
        };
        for (kind, key, unit) in [
            ("enterprise", "home.enterprises", "home.unit_jia"),
            ("park", "home.parks", "home.unit_ge"),
            ("member_unit", "home.member_units", "home.unit_ge"),
            ("college", "home.colleges", "home.unit_jia"),
        ] {
            cards.push(Card {
                label: t.s(key),
                value: t.num(&n(kind)),
                unit: t.s(unit),
                note: String::new(),
                href: format!("/orgs?kind={kind}"),
            });
        }
        cards.push(Card {
            label: t.s("home.chain_leaders"),
            value: t.num(&stats.chain_leaders),
            unit: t.s("home.unit_jia"),
            note: String::new(),
            href: "/orgs?kind=enterprise".into(),
        });
        // Long names (常州国家高新技术产业开发区) turn the chart into horizontal bars, and
        // an account with no district in its area (a town, a unit) gets a sentence
        // instead of an empty frame.
        let bars = stats
            .enterprises_by_district
            .iter()
            .map(|(r, n)| crate::ui::charts::Bar {
                name: r.name.clone(),
                code: Some(r.code.clone()),
                values: vec![*n as f64],
            })
            .collect();
        let mut chart = crate::ui::charts::bars(&t, &[t.s("home.by_district")], bars);
        chart["title"] = t.s("home.by_district").into();
        if crate::ui::charts::has_data(&chart) {
            chart_json = chart.to_string();
        } else {
            chart_none = t.s("home.by_district_none");
        }
    }
    // Live from the indicator engine (the same numbers as the dashboard and the API).
    let mut programme = Vec::new();
    let mut as_of = String::new();
    if ctx.role().may_read_orgs() {
        let node = ctx
            .user
            .org_id
            .filter(|_| !ctx.role().is_region_staff())
            .map(|o| o.to_string())
            .or(ctx.user.region_code.clone())
            .unwrap_or_default();
        // The latest year with approved data (the same default as every other page).
        let y = crate::period::default_year(&st, &ctx.actor).await;
        as_of = crate::period::as_of(&t, y);
        let year = y.to_string();
        if let Ok(r) = st.svc.indicators(&ctx.actor, &node, &year, false).await {
            let en = lang.is_en();
            for code in [
                "pilot_enterprises",
                "pilot_parks",
                "integration_enterprises",
                "innovation_studios",
                "pilot_workers_covered",
                "high_skilled_per_10k",
            ] {
                let (Some(v), Some(ind)) = (
                    r.values.iter().find(|v| v.code == code),
                    gongjiang_domain::indicators::find(code),
                ) else {
                    continue;
                };
                programme.push(Card {
                    label: ind.name(en).to_string(),
                    value: v
                        .value
                        .map(|x| t.num(&(x.round() as i64)))
                        .unwrap_or_else(|| "—".into()),
                    unit: if v.value.is_some() {
                        ind.unit(en).to_string()
                    } else {
                        String::new()
                    },
                    note: if v.pending_issue.is_some() {
                        t.s("home.pending_issue")
                    } else {
                        String::new()
                    },
                    href: format!("/dashboard?org={node}&period={year}"),
                });
            }
        }
    }
    let recent = if ctx.role().may_read_audit() {
        // Changes to records (not sign-ins), by the person's name.
        let f = gongjiang_storage::audit::Filter {
            per_page: 8,
            page: 1,
            changes_only: true,
            ..Default::default()
        };
        let mut items = st
            .svc
            .audit_log(&ctx.actor, &f)
            .await
            .map_err(ui(lang))?
            .items;
        let ids: Vec<i64> = items.iter().filter_map(|e| e.user_id).collect();
        let names = st.svc.display_names(&ids).await.map_err(ui(lang))?;
        for e in &mut items {
            if let Some(n) = e.user_id.and_then(|u| names.get(&u)) {
                e.username = n.clone();
            }
        }
        items
    } else {
        Vec::new()
    };
    let my_org = match ctx.user.org_id {
        Some(id) => st.svc.get_org(&ctx.actor, id).await.ok(),
        None => None,
    };
    // What waits for this user.
    let mut inbox = Vec::new();
    if ctx.role() == Role::Unit {
        for (period, who, _) in st.svc.my_reminders(&ctx.actor).await.map_err(ui(lang))? {
            inbox.push((
                t.s("reports.reminder_inbox")
                    .replace("{p}", &period)
                    .replace("{who}", &who),
                format!("/reports/new?period={period}"),
            ));
        }
        for r in st.svc.my_returned(&ctx.actor).await.map_err(ui(lang))? {
            inbox.push((
                t.s("reports.returned_inbox")
                    .replace("{p}", &r.period)
                    .replace("{why}", r.return_reason.as_deref().unwrap_or("")),
                format!("/reports/{}", r.id),
            ));
        }
    }
    if ctx.role().is_region_staff() {
        let f = gongjiang_storage::reports::Filter {
            status: Some("submitted".into()),
            per_page: 1,
            page: 1,
            ..Default::default()
        };
        let n = st
            .svc
            .list_reports(&ctx.actor, &f)
            .await
            .map_err(ui(lang))?
            .total;
        if n > 0 {
            inbox.push((
                t.s("reports.to_review").replace("{n}", &t.num(&n)),
                "/reports?status=submitted".into(),
            ));
        }
    }
    // Applications and reviews waiting for this user (the inbox of the workflow engine).
    if ctx.role().may_read_orgs() || ctx.role() == Role::Expert {
        let n = st
            .svc
            .inbox(&ctx.actor, lang.is_en())
            .await
            .map_err(ui(lang))?
            .len();
        if n > 0 {
            inbox.push((
                t.s("home.cases_waiting")
                    .replace("{n}", &t.num(&i64::try_from(n).unwrap_or(i64::MAX))),
                "/inbox".into(),
            ));
        }
    }
    let l = Layout::new(&ctx, "/", t.s("home.title"), vec![]).with_script("/assets/echarts.min.js");
    Ok(with_lang(
        &uri,
        lang,
        render(
            &HomePage {
                l,
                cards,
                programme,
                as_of,
                chart_json,
                chart_none,
                recent,
                my_org,
                inbox,
            },
            lang,
        )?,
    ))
}

// ----- organisations -----

/// The list's query, as strings (an empty field means "any").
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct OrgListQuery {
    region: String,
    kind: String,
    q: String,
    sort: String,
    page: String,
    per_page: String,
    saved: String,
    deleted: String,
}

impl OrgListQuery {
    fn to_api(&self) -> OrgQuery {
        let nz = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        OrgQuery::from_parts(
            nz(&self.region),
            nz(&self.kind),
            nz(&self.q),
            nz(&self.sort),
            self.page.trim().parse().ok(),
            self.per_page.trim().parse().ok(),
        )
    }

    /// The query string for another page or sort, keeping the filters.
    fn link(&self, page: i64, sort: &str) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("region", &self.region),
            ("kind", &self.kind),
            ("q", &self.q),
        ] {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        if !sort.is_empty() {
            s.append_pair("sort", sort);
        }
        if page > 1 {
            s.append_pair("page", &page.to_string());
        }
        let q = s.finish();
        if q.is_empty() {
            "/orgs".into()
        } else {
            format!("/orgs?{q}")
        }
    }
}

struct RegionOption {
    code: String,
    label: String,
}

fn region_options(regions: &[Region]) -> Vec<RegionOption> {
    let depth = |r: &Region| -> usize {
        let mut d = 0;
        let mut p = r.parent_code.clone();
        while let Some(c) = p {
            d += 1;
            p = regions
                .iter()
                .find(|x| x.code == c)
                .and_then(|x| x.parent_code.clone());
            if d > 8 {
                break;
            }
        }
        d
    };
    regions
        .iter()
        .map(|r| RegionOption {
            code: r.code.clone(),
            label: format!("{}{} {}", "　".repeat(depth(r)), r.name, r.code),
        })
        .collect()
}

struct SortHead {
    key: &'static str,
    label: String,
    href: String,
    class: &'static str,
}

#[derive(Template)]
#[template(path = "orgs_table.html")]
struct OrgsTable {
    t: T,
    page: Page<Org>,
    heads: Vec<SortHead>,
    prev: String,
    next: String,
    pages: i64,
}

#[derive(Template)]
#[template(path = "orgs_list.html")]
struct OrgsPage {
    l: Layout,
    table: OrgsTable,
    query: OrgListQuery,
    regions: Vec<RegionOption>,
    kinds: Vec<(&'static str, &'static str)>,
    can_edit: bool,
    export_href: String,
    flash: Option<String>,
}

fn kind_options(lang: Lang) -> Vec<(&'static str, &'static str)> {
    OrgKind::ALL
        .iter()
        .map(|k| (k.code(), k.label(lang.is_en())))
        .collect()
}

pub fn kind_label(kind: &str, en: bool) -> String {
    OrgKind::from_any(kind)
        .map(|k| k.label(en).to_string())
        .unwrap_or_else(|| kind.to_string())
}

pub fn ownership_label(o: &Option<String>, en: bool) -> String {
    o.as_deref()
        .and_then(Ownership::from_any)
        .map(|k| k.label(en).to_string())
        .unwrap_or_else(|| "—".into())
}

async fn orgs_list(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    Query(q): Query<OrgListQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let f = q.to_api().filter(lang).map_err(|e| UiError(e, lang))?;
    let page = st.svc.list_orgs(&ctx.actor, &f).await.map_err(ui(lang))?;
    let cur_sort = q.sort.clone();
    let heads = [
        ("name", "orgs.name"),
        ("uscc", "orgs.uscc"),
        ("kind", "orgs.kind"),
        ("region", "orgs.region"),
        ("updated", "orgs.updated"),
    ]
    .iter()
    .map(|(k, label)| {
        let (next, class) = if cur_sort == *k {
            (format!("-{k}"), "sort asc")
        } else if cur_sort == format!("-{k}") {
            (k.to_string(), "sort desc")
        } else {
            (k.to_string(), "sort")
        };
        SortHead {
            key: k,
            label: t.s(label),
            href: q.link(1, &next),
            class,
        }
    })
    .collect();
    let pages = page.pages();
    let table = OrgsTable {
        t,
        prev: q.link(page.page - 1, &cur_sort),
        next: q.link(page.page.saturating_add(1), &cur_sort),
        pages,
        page,
        heads,
    };
    if headers.contains_key("hx-request") && !headers.contains_key("hx-boosted") {
        return render(&table, lang);
    }
    let regions = region_options(&st.svc.regions(&ctx.actor).await.map_err(ui(lang))?);
    let flash = if !q.deleted.is_empty() {
        Some(t.s("common.deleted"))
    } else {
        None
    };
    let export_href = q
        .link(1, &cur_sort)
        .replacen("/orgs", "/orgs/export.csv", 1);
    let l = Layout::new(
        &ctx,
        "/orgs",
        t.s("orgs.title"),
        vec![
            (t.s("nav.g.work"), String::new()),
            (t.s("orgs.title"), String::new()),
        ],
    );
    let can_edit = ctx.role().may_edit_orgs();
    Ok(with_lang(
        &uri,
        lang,
        render(
            &OrgsPage {
                l,
                table,
                query: q,
                regions,
                kinds: kind_options(lang),
                can_edit,
                export_href,
                flash,
            },
            lang,
        )?,
    ))
}

/// Exactly what the list shows (all pages), in the `orgs` import template's columns.
async fn orgs_export(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<OrgListQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let mut f = q.to_api().filter(lang).map_err(|e| UiError(e, lang))?;
    f.per_page = 500;
    let mut out = String::from("\u{feff}单位名称,统一社会信用代码,单位类型,所属区划代码,上级单位信用代码,行业代码,经济类型,是否链主企业\r\n");
    let mut page = 1;
    loop {
        f.page = page;
        let p = st.svc.list_orgs(&ctx.actor, &f).await.map_err(ui(lang))?;
        for o in &p.items {
            let parent_uscc = match o.parent_id {
                Some(pid) => st
                    .svc
                    .get_org(&ctx.actor, pid)
                    .await
                    .ok()
                    .and_then(|p| p.uscc)
                    .unwrap_or_default(),
                None => String::new(),
            };
            let cols = [
                o.name.clone(),
                o.uscc.clone().unwrap_or_default(),
                kind_label(&o.kind, false),
                o.region_code.clone(),
                parent_uscc,
                o.industry.clone().unwrap_or_default(),
                o.ownership
                    .as_deref()
                    .and_then(Ownership::from_any)
                    .map(|x| x.label_zh().to_string())
                    .unwrap_or_default(),
                if o.chain_leader {
                    "是".into()
                } else {
                    "否".into()
                },
            ];
            out.push_str(
                &cols
                    .iter()
                    .map(|c| csv_cell(c))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            out.push_str("\r\n");
        }
        if page >= p.pages() {
            break;
        }
        page += 1;
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"orgs.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

/// Quotes a CSV cell and defuses spreadsheet formulas.
fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[derive(Template)]
#[template(path = "org_detail.html")]
struct OrgDetail {
    l: Layout,
    o: Org,
    tab: String,
    region_path: Vec<Region>,
    children: Vec<Org>,
    children_total: i64,
    history: Vec<Entry>,
    pilots: Vec<gongjiang_storage::pilots::Pilot>,
    designations: Vec<gongjiang_storage::designations::Designation>,
    can_register: bool,
    can_edit: bool,
    can_delete: bool,
    can_audit: bool,
    flash: Option<String>,
    /// The parent organisation is in the user's part of the tree (a unit inside a park
    /// sees the park's name, not a link that would answer 404).
    parent_open: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DetailQuery {
    tab: String,
    saved: String,
}

fn org_id(s: &str, lang: Lang) -> Result<i64, UiError> {
    s.parse::<i64>()
        .map_err(|_| UiError(AppError::Store(StoreError::NotFound), lang))
}

async fn org_detail(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    uri: axum::http::Uri,
    Path(id): Path<String>,
    Query(q): Query<DetailQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let id = org_id(&id, lang)?;
    let o = st.svc.get_org(&ctx.actor, id).await.map_err(ui(lang))?;
    let region_path = st.svc.region_path(&o.region_code).await.map_err(ui(lang))?;
    let f = orgs::Filter {
        parent_id: Some(id),
        per_page: 100,
        page: 1,
        ..Default::default()
    };
    let kids = st.svc.list_orgs(&ctx.actor, &f).await.map_err(ui(lang))?;
    let can_audit = ctx.role().may_read_audit();
    let tab = match q.tab.as_str() {
        "children" | "audit" | "pilots" | "designations" => q.tab.clone(),
        _ => "basic".into(),
    };
    let history = if can_audit && tab == "audit" {
        let f = gongjiang_storage::audit::Filter {
            entity_kind: Some("org".into()),
            entity_id: Some(id.to_string()),
            per_page: 100,
            page: 1,
            ..Default::default()
        };
        st.svc
            .audit_log(&ctx.actor, &f)
            .await
            .map_err(ui(lang))?
            .items
    } else {
        Vec::new()
    };
    let pilots = if tab == "pilots" {
        let f = gongjiang_storage::pilots::Filter {
            org_id: Some(id),
            per_page: 100,
            page: 1,
            ..Default::default()
        };
        st.svc
            .list_pilots(&ctx.actor, &f)
            .await
            .map_err(ui(lang))?
            .items
    } else {
        Vec::new()
    };
    let designations = if tab == "designations" {
        let f = gongjiang_storage::designations::Filter {
            org_id: Some(id),
            per_page: 200,
            page: 1,
            ..Default::default()
        };
        st.svc
            .list_designations(&ctx.actor, &f)
            .await
            .map_err(ui(lang))?
            .items
    } else {
        Vec::new()
    };
    let can_register = ctx.role().may_edit_orgs();
    let can_edit = st
        .svc
        .may_edit_org(&ctx.actor, id)
        .await
        .map_err(ui(lang))?;
    let can_delete = can_edit && ctx.role().may_edit_orgs();
    let parent_open = match o.parent_id {
        Some(p) => st.svc.get_org(&ctx.actor, p).await.is_ok(),
        None => false,
    };
    let l = Layout::new(
        &ctx,
        "/orgs",
        o.name.clone(),
        vec![
            (t.s("orgs.title"), "/orgs".into()),
            (o.name.clone(), String::new()),
        ],
    );
    let flash = (!q.saved.is_empty()).then(|| t.s("common.saved"));
    let page = OrgDetail {
        l,
        tab,
        region_path,
        children_total: kids.total,
        children: kids.items,
        history,
        pilots,
        designations,
        can_register,
        can_edit,
        can_delete,
        can_audit,
        flash,
        parent_open,
        o,
    };
    Ok(with_lang(&uri, lang, render(&page, lang)?))
}

/// The organisation form, as typed (nothing is lost on a validation error).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct OrgForm {
    name: String,
    kind: String,
    uscc: String,
    region_code: String,
    parent_id: String,
    industry: String,
    ownership: String,
    chain_leader: String,
    size: String,
    address: String,
    contact: String,
    version: String,
}

impl OrgForm {
    fn from_org(o: &Org) -> OrgForm {
        OrgForm {
            name: o.name.clone(),
            kind: o.kind.clone(),
            uscc: o.uscc.clone().unwrap_or_default(),
            region_code: o.region_code.clone(),
            parent_id: o.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            industry: o.industry.clone().unwrap_or_default(),
            ownership: o.ownership.clone().unwrap_or_default(),
            chain_leader: if o.chain_leader {
                "1".into()
            } else {
                String::new()
            },
            size: o.size.clone().unwrap_or_default(),
            address: o.address.clone().unwrap_or_default(),
            contact: o.contact.clone().unwrap_or_default(),
            version: o.version.to_string(),
        }
    }

    fn input(&self) -> Result<OrgInput, gongjiang_domain::FieldError> {
        let parent_id = match self.parent_id.trim() {
            "" => None,
            p => Some(p.parse::<i64>().map_err(|_| {
                gongjiang_domain::FieldError::new(
                    "parent_id",
                    gongjiang_domain::Rule::BadFormat,
                    "上级单位无效",
                    "invalid parent organisation",
                )
            })?),
        };
        let s = |v: &str| Some(v.to_string());
        Ok(OrgInput {
            name: s(&self.name),
            kind: s(&self.kind),
            uscc: s(&self.uscc),
            region_code: s(&self.region_code),
            parent_id,
            industry: s(&self.industry),
            ownership: s(&self.ownership),
            chain_leader: Some(matches!(
                self.chain_leader.as_str(),
                "1" | "on" | "true" | "是"
            )),
            size: s(&self.size),
            address: s(&self.address),
            contact: s(&self.contact),
        })
    }
}

const ORG_FIELDS: &[&str] = &[
    "name",
    "kind",
    "uscc",
    "region_code",
    "parent_id",
    "industry",
    "ownership",
    "size",
    "address",
    "contact",
];

#[derive(Template)]
#[template(path = "org_form.html")]
struct OrgFormPage {
    l: Layout,
    f: OrgForm,
    e: Errors,
    action: String,
    id: Option<i64>,
    regions: Vec<RegionOption>,
    parents: Vec<(i64, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    ownerships: Vec<(&'static str, &'static str)>,
    sizes: Vec<&'static str>,
}

async fn org_form_page(
    st: &AppState,
    ctx: &Ctx,
    f: OrgForm,
    e: Errors,
    id: Option<i64>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let regions = region_options(&st.svc.regions(&ctx.actor).await.map_err(ui(lang))?);
    let pf = orgs::Filter {
        kind: Some("park".into()),
        per_page: 500,
        page: 1,
        ..Default::default()
    };
    let mut parents: Vec<(i64, String)> = st
        .svc
        .list_orgs(&ctx.actor, &pf)
        .await
        .map_err(ui(lang))?
        .items
        .into_iter()
        .filter(|p| Some(p.id) != id)
        .map(|p| (p.id, p.name))
        .collect();
    // Keep the current parent selectable even if it is not a park.
    if let Ok(pid) = f.parent_id.parse::<i64>() {
        if !parents.iter().any(|(i, _)| *i == pid) {
            if let Ok(p) = st.svc.get_org(&ctx.actor, pid).await {
                parents.insert(0, (p.id, p.name));
            }
        }
    }
    let (title, action) = match id {
        Some(id) => (t.s("orgs.edit"), format!("/orgs/{id}")),
        None => (t.s("orgs.new"), "/orgs".to_string()),
    };
    let l = Layout::new(
        ctx,
        "/orgs",
        title.clone(),
        vec![(t.s("orgs.title"), "/orgs".into()), (title, String::new())],
    );
    let ownerships = Ownership::ALL
        .iter()
        .map(|o| (o.code(), o.label(lang.is_en())))
        .collect();
    let sizes = vec!["大型", "中型", "小型", "微型"];
    let status = if e.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut r = render(
        &OrgFormPage {
            l,
            f,
            e,
            action,
            id,
            regions,
            parents,
            kinds: kind_options(lang),
            ownerships,
            sizes,
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

async fn org_new(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgEditor>,
) -> Result<Response, UiError> {
    let f = OrgForm {
        kind: "enterprise".into(),
        region_code: ctx.user.region_code.clone().unwrap_or_default(),
        ..Default::default()
    };
    org_form_page(&st, &ctx, f, Errors::default(), None).await
}

async fn org_create(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgEditor>,
    CsrfForm(f): CsrfForm<OrgForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let result = match f.input() {
        Ok(input) => st
            .svc
            .create_org(&ctx.actor, &input)
            .await
            .map_err(AppError::from),
        Err(e) => Err(AppError::invalid(e)),
    };
    match result {
        Ok(o) => Ok(Redirect::to(&format!("/orgs/{}?saved=1", o.id)).into_response()),
        Err(e) if !e.field_errors().is_empty() => {
            org_form_page(
                &st,
                &ctx,
                f,
                Errors::from(&e.field_errors(), lang, ORG_FIELDS),
                None,
            )
            .await
        }
        Err(e) => Err(UiError(e, lang)),
    }
}

async fn org_edit(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = org_id(&id, lang)?;
    let o = st.svc.get_org(&ctx.actor, id).await.map_err(ui(lang))?;
    if !st
        .svc
        .may_edit_org(&ctx.actor, id)
        .await
        .map_err(ui(lang))?
    {
        return Err(UiError(AppError::Store(StoreError::Forbidden), lang));
    }
    org_form_page(
        &st,
        &ctx,
        OrgForm::from_org(&o),
        Errors::default(),
        Some(id),
    )
    .await
}

async fn org_update(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<OrgForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = org_id(&id, lang)?;
    let result = match f.input() {
        Ok(input) => {
            let patch = OrgPatch::from_input(input, f.version.parse().ok());
            st.svc
                .update_org(&ctx.actor, id, &patch)
                .await
                .map_err(AppError::from)
        }
        Err(e) => Err(AppError::invalid(e)),
    };
    match result {
        Ok(o) => Ok(Redirect::to(&format!("/orgs/{}?saved=1", o.id)).into_response()),
        Err(e) if !e.field_errors().is_empty() => {
            org_form_page(
                &st,
                &ctx,
                f,
                Errors::from(&e.field_errors(), lang, ORG_FIELDS),
                Some(id),
            )
            .await
        }
        Err(e) => Err(UiError(e, lang)),
    }
}

async fn org_delete(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgEditor>,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = org_id(&id, lang)?;
    st.svc.delete_org(&ctx.actor, id).await.map_err(ui(lang))?;
    Ok(Redirect::to("/orgs?deleted=1").into_response())
}

// ----- users -----

#[derive(Template)]
#[template(path = "users_list.html")]
struct UsersPage {
    l: Layout,
    users: Vec<User>,
}

pub fn role_label(role: &str, en: bool) -> String {
    Role::from_any(role)
        .map(|r| r.label(en).to_string())
        .unwrap_or_else(|| role.to_string())
}

async fn users_list(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<Admin>,
    uri: axum::http::Uri,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let users = st.svc.list_users(&ctx.actor).await.map_err(ui(lang))?;
    let l = Layout::new(
        &ctx,
        "/admin/users",
        t.s("users.title"),
        vec![
            (t.s("nav.g.system"), String::new()),
            (t.s("users.title"), String::new()),
        ],
    );
    Ok(with_lang(
        &uri,
        lang,
        render(&UsersPage { l, users }, lang)?,
    ))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct UserForm {
    username: String,
    display_name: String,
    role: String,
    org: String,
    password: String,
    email: String,
}

const USER_FIELDS: &[&str] = &[
    "username",
    "display_name",
    "role",
    "org",
    "password",
    "email",
];

/// Checks the form's e-mail field before anything is written.
fn form_email(email: &str) -> Result<(), AppError> {
    gongjiang_storage::users::parse_email(email)
        .map(|_| ())
        .map_err(AppError::invalid)
}

#[derive(Template)]
#[template(path = "user_form.html")]
struct UserFormPage {
    l: Layout,
    f: UserForm,
    e: Errors,
    user: Option<User>,
    roles: Vec<(&'static str, &'static str)>,
    flash: Option<String>,
    reset_e: Errors,
    attach_options: Vec<(String, String)>,
}

async fn user_form_page(
    st: &AppState,
    ctx: &Ctx,
    f: UserForm,
    e: Errors,
    user: Option<User>,
    flash: Option<String>,
    reset_e: Errors,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    // Suggestions for the attachment field: every region, then member units, unions,
    // colleges and parks.
    let mut attach_options: Vec<(String, String)> = st
        .svc
        .regions(&ctx.actor)
        .await
        .map_err(ui(lang))?
        .into_iter()
        .map(|r| (r.code, r.name))
        .collect();
    for kind in ["member_unit", "union", "college", "park"] {
        let f = orgs::Filter {
            kind: Some(kind.into()),
            per_page: 200,
            page: 1,
            ..Default::default()
        };
        for o in st
            .svc
            .list_orgs(&ctx.actor, &f)
            .await
            .map_err(ui(lang))?
            .items
        {
            attach_options.push((o.id.to_string(), o.name));
        }
    }
    let t = T(lang);
    let title = if user.is_some() {
        t.s("users.edit")
    } else {
        t.s("users.new")
    };
    let l = Layout::new(
        ctx,
        "/admin/users",
        title.clone(),
        vec![
            (t.s("users.title"), "/admin/users".into()),
            (title, String::new()),
        ],
    );
    let roles = Role::ALL
        .iter()
        .map(|r| (r.code(), r.label(lang.is_en())))
        .collect();
    let status = if e.any() || reset_e.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut r = render(
        &UserFormPage {
            l,
            f,
            e,
            user,
            roles,
            flash,
            reset_e,
            attach_options,
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

async fn user_new(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<Admin>,
) -> Result<Response, UiError> {
    user_form_page(
        &st,
        &ctx,
        UserForm {
            role: "unit".into(),
            ..Default::default()
        },
        Errors::default(),
        None,
        None,
        Errors::default(),
    )
    .await
}

fn parse_role(s: &str) -> Result<Role, AppError> {
    Role::from_any(s).ok_or_else(|| {
        AppError::invalid(gongjiang_domain::FieldError::new(
            "role",
            gongjiang_domain::Rule::UnknownValue,
            "请选择角色",
            "choose a role",
        ))
    })
}

async fn user_create(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<Admin>,
    CsrfForm(f): CsrfForm<UserForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let r = match parse_role(&f.role).and_then(|r| form_email(&f.email).map(|_| r)) {
        Ok(role) => match st
            .svc
            .create_user(
                &ctx.actor,
                &f.username,
                &f.display_name,
                role,
                &f.org,
                &f.password,
                true,
            )
            .await
        {
            Ok(u) if !f.email.trim().is_empty() => st
                .svc
                .set_user_email(&ctx.actor, u.id, &f.email)
                .await
                .map_err(AppError::from),
            r => r.map_err(AppError::from),
        },
        Err(e) => Err(e),
    };
    match r {
        Ok(u) => Ok(Redirect::to(&format!("/admin/users/{}?saved=1", u.id)).into_response()),
        Err(e) if !e.field_errors().is_empty() => {
            user_form_page(
                &st,
                &ctx,
                f,
                Errors::from(&e.field_errors(), lang, USER_FIELDS),
                None,
                None,
                Errors::default(),
            )
            .await
        }
        Err(e) => Err(UiError(e, lang)),
    }
}

fn user_form_of(u: &User) -> UserForm {
    UserForm {
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role.clone(),
        org: u
            .org_id
            .map(|o| o.to_string())
            .or(u.region_code.clone())
            .unwrap_or_default(),
        password: String::new(),
        email: u.email.clone().unwrap_or_default(),
    }
}

async fn user_edit(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<Admin>,
    Path(id): Path<String>,
    Query(q): Query<DetailQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = org_id(&id, lang)?;
    let u = st.svc.get_user(&ctx.actor, id).await.map_err(ui(lang))?;
    let flash = match q.saved.as_str() {
        "" => None,
        "reset" => Some(T(lang).s("users.reset_done")),
        _ => Some(T(lang).s("common.saved")),
    };
    user_form_page(
        &st,
        &ctx,
        user_form_of(&u),
        Errors::default(),
        Some(u),
        flash,
        Errors::default(),
    )
    .await
}

async fn user_update(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<Admin>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<UserForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = org_id(&id, lang)?;
    let u = st.svc.get_user(&ctx.actor, id).await.map_err(ui(lang))?;
    let r = match parse_role(&f.role).and_then(|r| form_email(&f.email).map(|_| r)) {
        Ok(role) => match st
            .svc
            .assign_user(&ctx.actor, id, &f.display_name, role, &f.org)
            .await
        {
            Ok(_) => st
                .svc
                .set_user_email(&ctx.actor, id, &f.email)
                .await
                .map_err(AppError::from),
            Err(e) => Err(AppError::from(e)),
        },
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users/{id}?saved=1")).into_response()),
        Err(e) if !e.field_errors().is_empty() => {
            let mut f = f;
            f.username = u.username.clone();
            user_form_page(
                &st,
                &ctx,
                f,
                Errors::from(&e.field_errors(), lang, USER_FIELDS),
                Some(u),
                None,
                Errors::default(),
            )
            .await
        }
        Err(e) => Err(UiError(e, lang)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StatusForm {
    disabled: String,
}

async fn user_status(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<Admin>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<StatusForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = org_id(&id, lang)?;
    st.svc
        .set_user_disabled(&ctx.actor, id, f.disabled == "1")
        .await
        .map_err(ui(lang))?;
    Ok(Redirect::to("/admin/users").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ResetForm {
    new_password: String,
}

async fn user_reset(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<Admin>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<ResetForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = org_id(&id, lang)?;
    match st.svc.reset_password(&ctx.actor, id, &f.new_password).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users/{id}?saved=reset")).into_response()),
        Err(StoreError::Invalid(errs)) => {
            let u = st.svc.get_user(&ctx.actor, id).await.map_err(ui(lang))?;
            let errs: Vec<_> = errs.into_iter().map(|e| e.on("new_password")).collect();
            user_form_page(
                &st,
                &ctx,
                user_form_of(&u),
                Errors::default(),
                Some(u),
                None,
                Errors::from(&errs, lang, &["new_password"]),
            )
            .await
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

// ----- own password -----

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    l: Layout,
    e: Errors,
    done: bool,
    must_change: bool,
    /// The notification e-mail form.
    email: String,
    email_e: Errors,
    email_done: bool,
}

impl PasswordPage {
    fn new(ctx: &Ctx) -> PasswordPage {
        let t = T(ctx.lang);
        PasswordPage {
            l: Layout::new(
                ctx,
                "/account/password",
                t.s("account.title"),
                vec![(t.s("account.title"), String::new())],
            ),
            e: Errors::default(),
            done: false,
            must_change: ctx.user.must_change_password,
            email: ctx.user.email.clone().unwrap_or_default(),
            email_e: Errors::default(),
            email_done: false,
        }
    }
}

async fn password_page(
    WebUser(ctx, ..): WebUser,
    Query(q): Query<DetailQuery>,
) -> Result<Response, UiError> {
    let mut page = PasswordPage::new(&ctx);
    page.done = q.saved == "1";
    page.email_done = q.saved == "email";
    render(&page, ctx.lang)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EmailForm {
    email: String,
}

/// Anyone sets or clears the address their notifications are e-mailed to.
async fn email_submit(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    CsrfForm(f): CsrfForm<EmailForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    match st
        .svc
        .set_user_email(&ctx.actor, ctx.user.id, &f.email)
        .await
    {
        Ok(_) => Ok(Redirect::to("/account/password?saved=email").into_response()),
        Err(StoreError::Invalid(errs)) => {
            let mut page = PasswordPage::new(&ctx);
            page.email = f.email;
            page.email_e = Errors::from(&errs, lang, &["email"]);
            let mut r = render(&page, lang)?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PasswordForm {
    current_password: String,
    new_password: String,
}

async fn password_submit(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    CsrfForm(f): CsrfForm<PasswordForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    match st
        .svc
        .change_own_password(&ctx.actor, &ctx.token, &f.current_password, &f.new_password)
        .await
    {
        Ok(()) => Ok(Redirect::to("/account/password?saved=1").into_response()),
        Err(StoreError::Invalid(errs)) => {
            let mut page = PasswordPage::new(&ctx);
            page.e = Errors::from(&errs, lang, &["current_password", "new_password"]);
            let mut r = render(&page, lang)?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(UiError(e.into(), lang)),
    }
}

// ----- audit -----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct AuditForm {
    username: String,
    action: String,
    entity_kind: String,
    from: String,
    to: String,
    page: String,
}

impl AuditForm {
    fn link(&self, page: i64) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("username", &self.username),
            ("action", &self.action),
            ("entity_kind", &self.entity_kind),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        s.append_pair("page", &page.to_string());
        format!("/admin/audit?{}", s.finish())
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    q: AuditForm,
    page: Page<Entry>,
    actions: Vec<(&'static str, String)>,
    kinds: Vec<(&'static str, String)>,
    e: Errors,
    prev: String,
    next: String,
}

pub fn action_label(a: &str, t: &T) -> String {
    gongjiang_storage::audit::label(gongjiang_storage::audit::ACTION_LABELS, a, t.en())
        .map(str::to_string)
        .unwrap_or_else(|| a.to_string())
}

pub fn entity_label(k: &str, t: &T) -> String {
    gongjiang_storage::audit::label(gongjiang_storage::audit::KIND_LABELS, k, t.en())
        .map(str::to_string)
        .unwrap_or_else(|| k.to_string())
}

/// Where the console shows a record named in the log, if it has a page of its own.
pub fn entity_link(kind: &str, id: &str) -> Option<String> {
    let page = match kind {
        "org" => "orgs",
        "policy" => "policies",
        "case" => "cases",
        "task" => "tasks",
        "worker" => "workers",
        "meeting" => "meetings",
        "pair" => "pairs",
        "problem" => "problems",
        "contact_point" => "contacts",
        _ => return None,
    };
    id.parse::<i64>().ok().map(|n| format!("/{page}/{n}"))
}

async fn audit_page(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<AuditReader>,
    uri: axum::http::Uri,
    Query(q): Query<AuditForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let aq = AuditQuery {
        username: Some(q.username.clone()),
        action: Some(q.action.clone()),
        entity_kind: Some(q.entity_kind.clone()),
        entity_id: None,
        from: Some(q.from.clone()),
        to: Some(q.to.clone()),
        page: q.page.parse().ok(),
        per_page: Some(50),
    };
    let (f, e) = match aq.filter() {
        Ok(f) => (f, Errors::default()),
        Err(err) => (
            gongjiang_storage::audit::Filter {
                page: 1,
                per_page: 50,
                ..Default::default()
            },
            Errors::from(&err.field_errors(), lang, &["from", "to"]),
        ),
    };
    let page = st.svc.audit_log(&ctx.actor, &f).await.map_err(ui(lang))?;
    let actions = gongjiang_storage::audit::ACTION_LABELS
        .iter()
        .map(|(a, _, _)| (*a, action_label(a, &t)))
        .collect();
    let kinds = gongjiang_storage::audit::KIND_LABELS
        .iter()
        .map(|(k, _, _)| (*k, entity_label(k, &t)))
        .collect();
    let l = Layout::new(
        &ctx,
        "/admin/audit",
        t.s("audit.title"),
        vec![
            (t.s("nav.g.system"), String::new()),
            (t.s("audit.title"), String::new()),
        ],
    );
    let prev = q.link(page.page - 1);
    let next = q.link(page.page.saturating_add(1));
    Ok(with_lang(
        &uri,
        lang,
        render(
            &AuditPage {
                l,
                q,
                page,
                actions,
                kinds,
                e,
                prev,
                next,
            },
            lang,
        )?,
    ))
}

async fn audit_verify(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<AuditReader>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let v = st.svc.verify_audit().await.map_err(ui(lang))?;
    let html = match v {
        gongjiang_storage::audit::Verdict::Intact { entries } => {
            format!(
                "<div class=\"alert alert-success\" role=\"status\">{} · {} {}</div>",
                t.s("audit.intact"),
                t.num(&entries),
                t.s("audit.entries")
            )
        }
        gongjiang_storage::audit::Verdict::Broken { seq, reason } => {
            format!(
                "<div class=\"alert alert-error\" role=\"alert\">{} · #{seq}: {}</div>",
                t.s("audit.broken"),
                askama_escape(&reason)
            )
        }
    };
    Ok(axum::response::Html(html).into_response())
}

fn askama_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

// ----- settings and placeholders -----

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    l: Layout,
    rows: Vec<(String, String)>,
}

async fn settings(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<AuditReader>,
) -> Result<Response, UiError> {
    let t = T(ctx.lang);
    let backend = match st.svc.db.backend {
        gongjiang_storage::Backend::Sqlite => "SQLite (embedded)",
        gongjiang_storage::Backend::Postgres => "PostgreSQL",
    };
    let mins = |d: std::time::Duration| format!("{} min", d.as_secs() / 60);
    let rows = vec![
        (
            t.s("settings.version"),
            env!("CARGO_PKG_VERSION").to_string(),
        ),
        (t.s("settings.database"), backend.to_string()),
        (t.s("settings.data_dir"), st.cfg.data_dir.clone()),
        (t.s("settings.session_ttl"), mins(st.cfg.session_ttl)),
        (t.s("settings.token_ttl"), mins(st.cfg.token_ttl)),
        (
            t.s("settings.lockout"),
            format!("{} × / {}", st.cfg.max_failed_logins, mins(st.cfg.lockout)),
        ),
    ];
    let l = Layout::new(
        &ctx,
        "/admin/settings",
        t.s("settings.title"),
        vec![
            (t.s("nav.g.system"), String::new()),
            (t.s("settings.title"), String::new()),
        ],
    );
    render(&SettingsPage { l, rows }, ctx.lang)
}

#[derive(Template)]
#[template(path = "placeholder.html")]
struct PlaceholderPage {
    l: Layout,
    message: String,
}

async fn placeholder(WebUser(ctx, ..): WebUser, uri: axum::http::Uri) -> Result<Response, UiError> {
    let t = T(ctx.lang);
    let path = uri.path().to_string();
    let Some(item) = nav::find(&path) else {
        return Err(UiError(AppError::Store(StoreError::NotFound), ctx.lang));
    };
    if !(item.roles)(ctx.role()) {
        return Err(UiError(AppError::Store(StoreError::Forbidden), ctx.lang));
    }
    let message = t.s("placeholder.roadmap");
    let l = Layout::new(
        &ctx,
        &path,
        t.s(item.key),
        vec![(t.s(item.key), String::new())],
    );
    render(&PlaceholderPage { l, message }, ctx.lang)
}

// ----- the organisation tree -----

pub struct TreeNode {
    pub code: String,
    pub name: String,
    pub level: String,
    pub depth: usize,
    pub orgs: i64,
    pub enterprises: i64,
    pub has_children: bool,
}

#[derive(Template)]
#[template(path = "orgs_tree.html")]
struct OrgsTreePage {
    l: Layout,
    nodes: Vec<TreeNode>,
}

/// The region tree in scope with organisation counts of each subtree, linking to the list.
async fn orgs_tree(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    uri: axum::http::Uri,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let regions = st.svc.regions(&ctx.actor).await.map_err(ui(lang))?;
    let counts = st
        .svc
        .org_counts_by_region(&ctx.actor)
        .await
        .map_err(ui(lang))?;
    let parent: std::collections::HashMap<&str, Option<&str>> = regions
        .iter()
        .map(|r| (r.code.as_str(), r.parent_code.as_deref()))
        .collect();
    let mut all: std::collections::HashMap<&str, (i64, i64)> = std::collections::HashMap::new();
    for (code, kind, n) in &counts {
        let mut c = Some(code.as_str());
        while let Some(cc) = c {
            if !parent.contains_key(cc) {
                break;
            }
            let e = all.entry(cc).or_default();
            e.0 += n;
            if kind == "enterprise" {
                e.1 += n;
            }
            c = parent.get(cc).copied().flatten();
        }
    }
    let depth_of = |r: &Region| {
        let mut d = 0;
        let mut p = r.parent_code.as_deref();
        while let Some(pc) = p {
            if !parent.contains_key(pc) {
                break;
            }
            d += 1;
            p = parent.get(pc).copied().flatten();
        }
        d
    };
    let nodes = regions
        .iter()
        .map(|r| {
            let (orgs, enterprises) = all.get(r.code.as_str()).copied().unwrap_or_default();
            TreeNode {
                code: r.code.clone(),
                name: r.name.clone(),
                level: r.level_label(lang.is_en()).to_string(),
                depth: depth_of(r),
                orgs,
                enterprises,
                has_children: regions
                    .iter()
                    .any(|x| x.parent_code.as_deref() == Some(&r.code)),
            }
        })
        .collect();
    let l = Layout::new(
        &ctx,
        "/orgs",
        t.s("orgs.tree"),
        vec![
            (t.s("orgs.title"), "/orgs".into()),
            (t.s("orgs.tree"), String::new()),
        ],
    );
    Ok(with_lang(
        &uri,
        lang,
        render(&OrgsTreePage { l, nodes }, lang)?,
    ))
}
