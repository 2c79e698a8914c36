//! `/healthz` and Prometheus `/metrics`.
use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

pub struct Metrics {
    started: Instant,
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    duration_ms_sum: AtomicU64,
    duration_count: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            started: Instant::now(),
            requests: Mutex::new(BTreeMap::new()),
            duration_ms_sum: AtomicU64::new(0),
            duration_count: AtomicU64::new(0),
        }
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
}

async fn healthz(State(st): State<AppState>) -> Response {
    if st.svc.db.ping().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
    }
}

pub async fn track(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let t = Instant::now();
    let resp = next.run(req).await;
    let ms = t.elapsed().as_millis() as u64;
    st.metrics.duration_ms_sum.fetch_add(ms, Ordering::Relaxed);
    st.metrics.duration_count.fetch_add(1, Ordering::Relaxed);
    if let Ok(mut m) = st.metrics.requests.lock() {
        *m.entry((method, path, resp.status().as_u16())).or_default() += 1;
    }
    resp
}

async fn metrics(State(st): State<AppState>) -> Response {
    let mut out = String::new();
    out.push_str("# HELP gongjiang_up 1 when the database answers.\n# TYPE gongjiang_up gauge\n");
    out.push_str(&format!(
        "gongjiang_up {}\n",
        u8::from(st.svc.db.ping().await)
    ));
    out.push_str("# HELP gongjiang_uptime_seconds Seconds since start.\n# TYPE gongjiang_uptime_seconds gauge\n");
    out.push_str(&format!(
        "gongjiang_uptime_seconds {}\n",
        st.metrics.started.elapsed().as_secs()
    ));
    out.push_str("# HELP gongjiang_http_requests_total HTTP requests by method, route and status.\n# TYPE gongjiang_http_requests_total counter\n");
    if let Ok(m) = st.metrics.requests.lock() {
        for ((method, path, status), n) in m.iter() {
            let path = path.replace('\\', "\\\\").replace('"', "\\\"");
            out.push_str(&format!("gongjiang_http_requests_total{{method=\"{method}\",route=\"{path}\",status=\"{status}\"}} {n}\n"));
        }
    }
    out.push_str("# HELP gongjiang_http_request_duration_ms Total and count of request durations.\n# TYPE gongjiang_http_request_duration_ms summary\n");
    out.push_str(&format!(
        "gongjiang_http_request_duration_ms_sum {}\n",
        st.metrics.duration_ms_sum.load(Ordering::Relaxed)
    ));
    out.push_str(&format!(
        "gongjiang_http_request_duration_ms_count {}\n",
        st.metrics.duration_count.load(Ordering::Relaxed)
    ));
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}
