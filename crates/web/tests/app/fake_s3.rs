//! An in-process S3 stand-in for tests: path-style PUT, GET and HEAD of objects in one
//! bucket, kept in memory. Every request's AWS Signature V4 is checked against the known
//! secret (the signature is recomputed from the request as received); a wrong key, a
//! wrong signature or a body that does not match its declared SHA-256 is refused the
//! way S3 refuses it (403 / 400 with an XML error).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use gongjiang_storage::files::FileStore;
use gongjiang_storage::s3::{S3Config, SignRequest};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

pub const ACCESS_KEY: &str = "GJTESTAKIDEXAMPLE";
pub const SECRET_KEY: &str = "gj/test+Secret=Key/EXAMPLE";
pub const BUCKET: &str = "gongjiang-test";

#[derive(Default)]
pub struct Inner {
    pub objects: BTreeMap<String, Vec<u8>>,
    /// (method, path, status) of every request.
    pub log: Vec<(String, String, u16)>,
}

#[derive(Clone)]
pub struct FakeS3 {
    pub endpoint: String,
    pub inner: Arc<Mutex<Inner>>,
}

impl FakeS3 {
    /// A store configuration for this server with `secret` and `prefix`.
    pub fn config(&self, secret: &str, prefix: &str) -> S3Config {
        S3Config {
            endpoint: self.endpoint.clone(),
            bucket: BUCKET.into(),
            region: "cn-east-1".into(),
            access_key: ACCESS_KEY.into(),
            secret_key: secret.into(),
            prefix: prefix.into(),
        }
    }

    /// A file store on this server with the right credentials.
    pub fn store(&self, prefix: &str) -> FileStore {
        FileStore::s3(self.config(SECRET_KEY, prefix)).unwrap()
    }

    pub fn object(&self, key: &str) -> Option<Vec<u8>> {
        self.inner.lock().unwrap().objects.get(key).cloned()
    }

    pub fn keys(&self) -> Vec<String> {
        self.inner.lock().unwrap().objects.keys().cloned().collect()
    }

    /// Requests answered with this status.
    pub fn count(&self, status: u16) -> usize {
        self.inner
            .lock()
            .unwrap()
            .log
            .iter()
            .filter(|(_, _, s)| *s == status)
            .count()
    }
}

fn xml_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        [("content-type", "application/xml")],
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"),
    )
        .into_response()
}

/// Checks the request's signature; None when it is good.
fn check_signature(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Option<Response> {
    let forbidden = |code: &str, msg: &str| Some(xml_error(StatusCode::FORBIDDEN, code, msg));
    let Some(auth) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return forbidden("AccessDenied", "no Authorization header");
    };
    let Some((ak, date, region, service, signed, sig)) =
        gongjiang_storage::s3::parse_authorization(auth)
    else {
        return forbidden("AuthorizationHeaderMalformed", "cannot parse Authorization");
    };
    if ak != ACCESS_KEY {
        return forbidden("InvalidAccessKeyId", "unknown access key");
    }
    if service != "s3" {
        return forbidden("AuthorizationHeaderMalformed", "service must be s3");
    }
    for must in ["host", "x-amz-date", "x-amz-content-sha256"] {
        if !signed.iter().any(|h| h == must) {
            return forbidden("AccessDenied", &format!("{must} is not signed"));
        }
    }
    let get = |h: &str| {
        headers
            .get(h)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let amz_date = get("x-amz-date");
    if !amz_date.starts_with(&date) {
        return forbidden("AuthorizationHeaderMalformed", "date mismatch");
    }
    let payload = get("x-amz-content-sha256");
    if payload != "UNSIGNED-PAYLOAD" && payload != hex::encode(Sha256::digest(body)) {
        return Some(xml_error(
            StatusCode::BAD_REQUEST,
            "XAmzContentSHA256Mismatch",
            "the body does not match x-amz-content-sha256",
        ));
    }
    let signed_headers: Vec<(String, String)> =
        signed.iter().map(|h| (h.clone(), get(h))).collect();
    let expected = gongjiang_storage::s3::signature(
        &SignRequest {
            method: method.as_str(),
            path: uri.path(),
            query: uri.query().unwrap_or(""),
            headers: &signed_headers,
            payload_sha256: &payload,
        },
        SECRET_KEY,
        &amz_date,
        &region,
        "s3",
    );
    if expected != sig {
        return forbidden(
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided",
        );
    }
    None
}

async fn handle(
    State(st): State<Arc<Mutex<Inner>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let resp = match check_signature(&method, &uri, &headers, &body) {
        Some(r) => r,
        None => {
            let path = uri.path().trim_start_matches('/');
            let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
            if bucket != BUCKET {
                xml_error(StatusCode::NOT_FOUND, "NoSuchBucket", "no such bucket")
            } else if key.is_empty() {
                if method == Method::HEAD {
                    StatusCode::OK.into_response()
                } else {
                    xml_error(StatusCode::NOT_IMPLEMENTED, "NotImplemented", "bucket op")
                }
            } else {
                let mut g = st.lock().unwrap();
                match method {
                    Method::PUT => {
                        g.objects.insert(key.to_string(), body.to_vec());
                        StatusCode::OK.into_response()
                    }
                    Method::GET => match g.objects.get(key) {
                        Some(b) => (StatusCode::OK, b.clone()).into_response(),
                        None => xml_error(StatusCode::NOT_FOUND, "NoSuchKey", "no such key"),
                    },
                    Method::HEAD => {
                        if g.objects.contains_key(key) {
                            StatusCode::OK.into_response()
                        } else {
                            StatusCode::NOT_FOUND.into_response()
                        }
                    }
                    _ => xml_error(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed", "x"),
                }
            }
        }
    };
    st.lock().unwrap().log.push((
        method.to_string(),
        uri.path().to_string(),
        resp.status().as_u16(),
    ));
    resp
}

/// Starts a fake S3 on 127.0.0.1 (port 0).
pub async fn start() -> FakeS3 {
    let inner = Arc::new(Mutex::new(Inner::default()));
    let app = axum::Router::new()
        .fallback(handle)
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024))
        .with_state(inner.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    FakeS3 {
        endpoint: format!("http://{addr}"),
        inner,
    }
}

/// An address where nothing listens (a port that was just free).
pub async fn dead_endpoint() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    format!("http://{addr}")
}
