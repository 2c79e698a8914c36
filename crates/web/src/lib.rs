//! The web layer: the JSON API under `/api/v1`, the server-rendered console, health and
//! metrics. Handlers parse input at the edge, call the service layer and render.

pub mod api;
pub mod assets;
pub mod auth;
pub mod error;
pub mod i18n;
pub mod jobs;
pub mod metrics;
pub mod period;
pub mod reads;
pub mod throttle;
pub mod ui;
pub mod upload;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, HeaderValue, Request};
use axum::Router;
use gongjiang_storage::service::Service;
use std::sync::Arc;
use std::time::Duration;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Settings the web layer needs.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Idle lifetime of a browser session.
    pub session_ttl: Duration,
    /// Lifetime of an API token.
    pub token_ttl: Duration,
    /// Mark cookies `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Largest request body accepted, in bytes.
    pub max_body: usize,
    /// Login attempts per account in one lockout window before 429 (an address may
    /// fail four times as often before its attempts are slowed; never refused).
    pub max_failed_logins: u32,
    pub lockout: Duration,
    /// Reverse proxies whose `X-Forwarded-For` is believed (addresses or CIDR ranges).
    /// Empty: the peer's address is the client's.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Shown on the settings page.
    pub data_dir: String,
    /// PostgreSQL: keep sessions and the data version between requests, kept fresh by
    /// LISTEN/NOTIFY (`gongjiang_storage::live`). On in a server (`keep_sessions` in
    /// the configuration file); off by default here, so that a test which changes the
    /// database behind the server's back sees it at the next request.
    pub keep_sessions: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            session_ttl: Duration::from_secs(8 * 3600),
            token_ttl: Duration::from_secs(12 * 3600),
            secure_cookies: false,
            max_body: 2 * 1024 * 1024,
            max_failed_logins: 5,
            lockout: Duration::from_secs(15 * 60),
            trusted_proxies: Vec::new(),
            data_dir: String::new(),
            keep_sessions: false,
        }
    }
}

#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What every request shares. Behind one pointer: axum clones the state for each
/// extractor and middleware of every request, and a clone is then one count.
pub struct Shared {
    pub svc: Service,
    pub cfg: Arc<WebConfig>,
    pub metrics: Arc<metrics::Metrics>,
    pub jobs: Arc<jobs::Jobs>,
    /// Answers kept by the data version ([`reads`]).
    pub reads: Arc<reads::Reads>,
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    pub fn new(svc: Service, cfg: WebConfig) -> AppState {
        AppState(Arc::new(Shared {
            svc,
            cfg: Arc::new(cfg),
            metrics: Arc::new(metrics::Metrics::default()),
            jobs: Arc::new(jobs::Jobs::default()),
            reads: Arc::new(reads::Reads::default()),
        }))
    }
}

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The Content-Security-Policy of the console and the API: scripts and styles from the
/// embedded assets only — no inline script, no inline style, no eval (behaviour lives in
/// `assets/app.js`, wired by `data-` attributes; ECharts styles through the CSSOM, which
/// CSP allows). The API docs page has a policy of its own (`api::DOCS_CSP`).
pub const CONSOLE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self'; font-src 'self'; connect-src 'self'; object-src 'none'; \
base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The client's address, once per request, for the audit log and the login throttle
/// (`X-Forwarded-For` only from a trusted proxy: `throttle::client_addr`).
#[derive(Clone, Debug)]
pub struct ClientAddr(pub String);

async fn client_addr(
    axum::extract::State(st): axum::extract::State<AppState>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let forwarded = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let addr = throttle::client_addr(peer, forwarded.as_deref(), &st.cfg.trusted_proxies);
    req.extensions_mut().insert(ClientAddr(addr));
    next.run(req).await
}

/// Resolves the request's language once ([`i18n::Lang::current`] for everything below).
pub async fn with_lang(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let lang = i18n::Lang::detect_from(req.uri(), req.headers());
    i18n::Lang::scope(lang, next.run(req)).await
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    let max_body = state.cfg.max_body;
    // HSTS only when the server is behind HTTPS (`--secure-cookies`).
    let hsts = state
        .cfg
        .secure_cookies
        .then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    Router::new()
        .merge(api::router())
        .merge(ui::router())
        .merge(assets::router())
        .merge(metrics::router())
        .fallback(ui::not_found)
        .layer(axum::middleware::from_fn(with_lang))
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(axum::middleware::from_fn_with_state(state.clone(), client_addr))
        .layer(DefaultBodyLimit::max(max_body))
        // Defence in depth: a panic becomes a 500 with the usual error body, never a
        // dropped connection (no panic should be reachable from a request).
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_: Box<dyn std::any::Any + Send>| {
            tracing::error!("handler panicked");
            let body = r#"{"error":{"code":"internal","message":"服务器内部错误,请稍后重试"}}"#;
            axum::response::IntoResponse::into_response((
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                body,
            ))
        }))
        // Security headers (a handler may set its own, e.g. the API docs page's CSP, or
        // the assets' cache lifetime).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONSOLE_CSP),
        ))
        // Pages, exports and API answers carry personal data: never stored by a browser
        // or a proxy. Only the embedded assets say otherwise.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            move |_: &axum::response::Response| hsts.clone(),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
        .with_state(state)
}

/// Runs a bulk workflow action in the background (progress is in the database).
pub fn spawn_bulk(svc: Service, id: String) {
    tokio::spawn(async move {
        if let Err(e) = svc.run_bulk(&id).await {
            tracing::error!(job = %id, error = %e, "bulk action stopped; a server resumes it when its lease runs out");
        }
    });
}

/// Background duties of a running server: take over bulk actions no live server holds
/// (checked every ten seconds: a stopped server's lease runs out), mark imports of a
/// stopped server interrupted (every five), send deadline reminders every ten minutes,
/// and (when SMTP is configured) e-mail new notifications every half minute.
pub fn spawn_background(svc: Service) {
    tokio::spawn(jobs::reap_forever(svc.clone()));
    {
        let svc = svc.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(10));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                match svc.unfinished_bulk_jobs().await {
                    Ok(ids) => {
                        for id in ids {
                            tracing::info!(job = %id, "resuming bulk action");
                            spawn_bulk(svc.clone(), id);
                        }
                    }
                    Err(e) => tracing::error!(error = %e, "cannot list unfinished bulk actions"),
                }
            }
        });
    }
    if svc.mail.is_some() {
        let svc = svc.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                match svc.send_pending_emails().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(sent = n, "e-mail notifications sent"),
                    Err(e) => {
                        tracing::warn!(error = %e, "e-mail notifications not sent; will retry")
                    }
                }
            }
        });
    }
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            match svc.remind_deadlines(gongjiang_storage::now_ms()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(cases = n, "deadline reminders sent"),
                Err(e) => tracing::error!(error = %e, "deadline reminders failed"),
            }
        }
    });
}

/// Serves until ctrl-c / SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    if state.cfg.keep_sessions {
        state.svc.db.listen();
    }
    spawn_background(state.svc.clone());
    let app = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
