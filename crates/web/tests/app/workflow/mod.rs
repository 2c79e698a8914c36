//! The workflow engine end to end: a pilot application climbs town → district → city,
//! passes public notice and becomes a pilot; returns need reasons; only the right level
//! acts; two reviewers at once: exactly one wins; bulk actions are resumable and never
//! act twice.

use crate::helpers::*;
use gongjiang_storage::workflow::{ActInput, CaseInput};
use gongjiang_storage::Actor;
use serde_json::{json, Value};

mod bulk;
mod cases;
mod console;
mod experts;

async fn act(app: &TestApp, tok: &str, id: i64, body: Value) -> (u16, Value) {
    app.post(tok, &format!("/api/v1/cases/{id}/actions"), body)
        .await
}

fn application() -> Value {
    json!({"level": "市级", "year": "2024", "feature": "数字工匠培养", "plan": "三年计划"})
}
