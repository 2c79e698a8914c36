//! Console pages that are not a part of the programme: sign-in and sign-out, the home
//! page, one's own password and e-mail, settings and placeholders. Organisations,
//! accounts and the audit log have modules of their own (orgs.rs, users.rs, audit.rs).
use super::orgs::DetailQuery;
use super::{nav, render, save_form, Errors, Layout};
use crate::auth::{
    cookie, set_cookie, AuditReader, CsrfForm, Ctx, WebUser, LOGIN_CSRF_COOKIE, SESSION_COOKIE,
};
use crate::error::{AppError, UiError};
use crate::i18n::{Lang, T};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use gongjiang_domain::Code;
use gongjiang_storage::access::Permission;
use gongjiang_storage::audit::Entry;
use gongjiang_storage::orgs::Org;
use gongjiang_storage::StoreError;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    let mut r = Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
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

fn remember_lang(headers: &HeaderMap, parts_lang: Lang, resp: &mut Response) {
    let _ = headers;
    if let Ok(v) = set_cookie("gj_lang", parts_lang.code(), Some(365 * 86400), false).parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// Sets the language cookie when `?lang=` is given, so the choice sticks.
pub(super) fn with_lang(uri: &axum::http::Uri, lang: Lang, mut resp: Response) -> Response {
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
            AppError::bad_request(Code::MalformedForm, "表单格式错误", "malformed form"),
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
    match st.svc.authenticate(&f.username, &f.password, &ip).await? {
        Some(user) => {
            crate::throttle::after_success(&st, &f.username, &ip).await?;
            let ttl = st.cfg.session_ttl;
            let (token, _, _) = st
                .svc
                .start_session(&user, "web", ttl.as_millis() as i64)
                .await?;
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
    st.svc.logout(&ctx.actor, &ctx.token).await?;
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
    if ctx.may(Permission::ReadRegisters) {
        let stats = st.svc.tree_stats(&ctx.actor).await?;
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
    if ctx.may(Permission::ReadRegisters) {
        let node = ctx
            .user
            .org_id
            .filter(|_| !ctx.may(Permission::Coordinate))
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
    let recent = if ctx.may(Permission::ReadAudit) {
        // Changes to records (not sign-ins), by the person's name.
        let f = gongjiang_storage::audit::Filter {
            per_page: 8,
            page: 1,
            changes_only: true,
            ..Default::default()
        };
        let mut items = st.svc.audit_log(&ctx.actor, &f).await?.items;
        let ids: Vec<i64> = items.iter().filter_map(|e| e.user_id).collect();
        let names = st.svc.display_names(&ids).await?;
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
    if gongjiang_storage::access::bound_to_own_org(&ctx.actor) {
        for (period, who, _) in st.svc.my_reminders(&ctx.actor).await? {
            inbox.push((
                t.s("reports.reminder_inbox")
                    .replace("{p}", &period)
                    .replace("{who}", &who),
                format!("/reports/new?period={period}"),
            ));
        }
        for r in st.svc.my_returned(&ctx.actor).await? {
            inbox.push((
                t.s("reports.returned_inbox")
                    .replace("{p}", &r.period)
                    .replace("{why}", r.return_reason.as_deref().unwrap_or("")),
                format!("/reports/{}", r.id),
            ));
        }
    }
    if ctx.may(Permission::Coordinate) {
        let f = gongjiang_storage::reports::Filter {
            status: Some("submitted".into()),
            per_page: 1,
            page: 1,
            ..Default::default()
        };
        let n = st.svc.list_reports(&ctx.actor, &f).await?.total;
        if n > 0 {
            inbox.push((
                t.s("reports.to_review").replace("{n}", &t.num(&n)),
                "/reports?status=submitted".into(),
            ));
        }
    }
    // Applications and reviews waiting for this user (the inbox of the workflow engine).
    if gongjiang_storage::access::may(
        &ctx.actor,
        gongjiang_storage::access::Permission::ReviewCases,
    ) {
        let n = st.svc.inbox(&ctx.actor, lang.is_en()).await?.len();
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
    save_form(
        lang,
        st.svc
            .set_user_email(&ctx.actor, ctx.user.id, &f.email)
            .await,
        &["email"],
        |_| "/account/password?saved=email".to_string(),
        |e| async move {
            let mut page = PasswordPage::new(&ctx);
            page.email = f.email;
            page.email_e = e;
            render(&page, lang)
        },
    )
    .await
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
    let changed = st
        .svc
        .change_own_password(&ctx.actor, &ctx.token, &f.current_password, &f.new_password)
        .await;
    save_form(
        lang,
        changed,
        &["current_password", "new_password"],
        |_| "/account/password?saved=1".to_string(),
        |e| async move {
            let mut page = PasswordPage::new(&ctx);
            page.e = e;
            render(&page, lang)
        },
    )
    .await
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
    if !(item.roles)(&ctx.actor) {
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
