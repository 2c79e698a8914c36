//! Correcting and ending contact points, visits, pairs and activities: an official
//! reassigned, a point ended (结束联系) that keeps its history, is listed as ended and
//! takes no later visits; a visit corrected by its author or region staff above (the
//! indicators follow the date); a pair edited and ended (结束结对), shown apart in the
//! graph; activities corrected and deleted. Every refusal names its field or answers
//! 403/404/409 and changes nothing; every change is in the audit log with before and
//! after; the console forms keep what was typed.

use crate::helpers::*;
use reqwest::Method;
use serde_json::{json, Value};

mod console;
mod pairs;
mod points;

fn today() -> String {
    gongjiang_storage::contacts::today().to_string()
}

/// An enterprise of 天宁区 without any contact point.
async fn free_enterprise(app: &TestApp, tok: &str) -> i64 {
    let (_, pts) = app.get(tok, "/api/v1/contacts?region=320402").await;
    let taken: Vec<i64> = pts
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["org_id"].as_i64().unwrap())
        .collect();
    let (_, orgs) = app
        .get(
            tok,
            "/api/v1/orgs?kind=enterprise&region=320402&per_page=100",
        )
        .await;
    orgs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .find(|id| !taken.contains(id))
        .expect("an enterprise without a contact point")
}

fn indicator(v: &Value, code: &str) -> Value {
    indicator_of(v, code)["value"].clone()
}
