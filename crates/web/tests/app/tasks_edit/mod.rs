//! Correcting and closing tasks and joint meetings: a task edited with optimistic locking
//! (stale version → 409, past deadline → 422, nothing changed on bad input), audit-logged
//! with before and after, its indicator facts moved with it; a task cancelled (撤销) with
//! a reason leaves task_completion_rate and the maintained aggregates agree with a
//! rebuild; scope (404 outside it) and level (403) checks; bodies created, renamed and
//! re-membered; meetings corrected; a decision's text corrected until it becomes a task;
//! and the console pages for all of it.

use crate::helpers::*;
use serde_json::{json, Value};

mod console;
mod meetings;
mod tasks;

fn task(owner: i64, title: &str, year: i64) -> Value {
    json!({
        "year": year,
        "title": title,
        "owner": owner.to_string(),
        "deadline": in_days(60),
        "target_text": "新增高技能人才 100 名",
        "target_value": 100,
        "target_unit": "名"
    })
}

async fn indicator(app: &TestApp, tok: &str, org: &str, period: &str, code: &str) -> Option<f64> {
    let v = app
        .get_ok(
            tok,
            &format!("/api/v1/indicators?org={org}&period={period}"),
        )
        .await;
    v["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .unwrap_or_else(|| panic!("no indicator {code}: {v}"))["value"]
        .as_f64()
}
