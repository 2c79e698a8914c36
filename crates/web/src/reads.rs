//! Reads kept by the data version (issue #11, the request path).
//!
//! The indicator reads and the organisation list depend only on what raises the data
//! version (`gongjiang_storage::db::data_changed`: the aggregates, the organisations,
//! the regions). A request reads that version with its session, in its first statement;
//! an answer computed at version `v` is kept under the caller, the request and `v`, and
//! served again only to a request that read the same `v`. A change committed by any
//! process raises the version, so every process computes afresh at its next request:
//! nothing is served from before a change, and the servers stay stateless (the version
//! lives in the database; this is only a memo of answers already given).
use axum::body::Bytes;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Mutex;

/// How many answers a server keeps (the oldest version's go first).
const CAPACITY: usize = 4_096;

#[derive(Default)]
pub struct Reads {
    kept: Mutex<HashMap<String, (i64, Bytes)>>,
}

impl Reads {
    /// The JSON answer kept for `key` at `version`, if any.
    pub fn get(&self, key: &str, version: i64) -> Option<Response> {
        let kept = self.kept.lock().ok()?;
        let (v, body) = kept.get(key)?;
        (*v == version).then(|| json(body.clone()))
    }

    /// Keeps a JSON answer computed at `version` and returns it.
    pub fn put(&self, key: String, version: i64, body: Vec<u8>) -> Response {
        let body = Bytes::from(body);
        if let Ok(mut kept) = self.kept.lock() {
            if kept.len() >= CAPACITY {
                // Answers of older versions can never be served again.
                kept.retain(|_, (v, _)| *v >= version);
                if kept.len() >= CAPACITY {
                    kept.clear();
                }
            }
            kept.insert(key, (version, body.clone()));
        }
        json(body)
    }
}

fn json(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The key of a read: who asks (their account and where it sits, which decide the
/// scope), the language, and what they ask.
pub fn key(ctx: &crate::auth::Ctx, what: &str) -> String {
    format!(
        "{}|{}|{}|{}|{}|{what}",
        ctx.actor.user_id.unwrap_or(0),
        ctx.actor.role.code(),
        ctx.actor.region_code.as_deref().unwrap_or(""),
        ctx.actor.org_id.unwrap_or(0),
        ctx.lang.code(),
    )
}
