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

/// How many bytes of answers a server keeps (answers of older versions go first, then
/// all): a city's drill-down is about 124 KB, so some 500 of those.
pub const BUDGET: usize = 64 << 20;

#[derive(Default)]
pub struct Reads {
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    answers: HashMap<String, (i64, Bytes)>,
    bytes: usize,
}

impl Reads {
    /// The JSON answer kept for `key` at `version`, if any.
    pub fn get(&self, key: &str, version: i64) -> Option<Response> {
        let kept = self.kept.lock().ok()?;
        let (v, body) = kept.answers.get(key)?;
        (*v == version).then(|| json(body.clone()))
    }

    /// Keeps a JSON answer computed at `version` and returns it.
    pub fn put(&self, key: String, version: i64, body: Vec<u8>) -> Response {
        let body = Bytes::from(body);
        if body.len() > BUDGET / 8 {
            return json(body);
        }
        if let Ok(mut kept) = self.kept.lock() {
            if kept.bytes + body.len() > BUDGET {
                // Answers of older versions can never be served again.
                kept.answers.retain(|_, (v, _)| *v >= version);
                kept.bytes = kept.answers.values().map(|(_, b)| b.len()).sum();
                if kept.bytes + body.len() > BUDGET {
                    kept.answers.clear();
                    kept.bytes = 0;
                }
            }
            kept.bytes += body.len();
            if let Some((_, old)) = kept.answers.insert(key, (version, body.clone())) {
                kept.bytes -= old.len();
            }
        }
        json(body)
    }

    /// The bytes kept, as counted on the way and as summed over the kept answers (the
    /// two agree).
    pub fn kept_bytes(&self) -> (usize, usize) {
        self.kept.lock().map_or((0, 0), |kept| {
            let summed = kept.answers.values().map(|(_, b)| b.len()).sum();
            (kept.bytes, summed)
        })
    }
}

fn json(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The key of a read: who asks (their account and where it sits, which decide the
/// scope), the language, and what they ask.
pub fn key(ctx: &crate::auth::Ctx, what: &str) -> String {
    format!(
        "{}|{}|{what}",
        gongjiang_storage::access::reader_key(&ctx.actor),
        ctx.lang.code(),
    )
}
