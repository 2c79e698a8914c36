//! Task completion (销号) on the workflow engine: the owner unit reports a task done, the
//! level that set it returns it with a reason, the unit corrects and resubmits, the
//! level accepts — the task is done and the indicators move in the same transaction.

use crate::helpers::*;
use serde_json::{json, Value};

async fn tasks_done(app: &TestApp, tok: &str, org: i64, year: i64) -> f64 {
    let (_, v) = app
        .get(tok, &format!("/api/v1/indicators?org={org}&period={year}"))
        .await;
    v["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "tasks_done")
        .unwrap()["value"]
        .as_f64()
        .unwrap_or(0.0)
}

#[tokio::test]
async fn the_owner_reports_done_and_the_setting_level_decides() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let unit = app.token("unit").await;
    let district = app.token("tianning").await;
    let org = app.get(&unit, "/api/v1/me").await.1["org_id"]
        .as_i64()
        .unwrap();
    let t = app.post_ok(
            &city,
            "/api/v1/tasks",
            json!({"year": 2031, "title": "建成企业技能大师工作室", "owner": org.to_string(),
                   "deadline": in_days(90), "target_text": "建成 1 个", "target_value": 1, "target_unit": "个"}),
        ).await;
    let id = t["id"].as_i64().unwrap();
    let before = tasks_done(&app, &city, org, 2031).await;
    // Only the owner unit reports completion; a summary is required.
    app.post(
        &district,
        &format!("/api/v1/tasks/{id}/completion"),
        json!({"summary": "已完成"}),
    )
    .await
    .refused(403, "not_task_owner");
    app.post(
        &unit,
        &format!("/api/v1/tasks/{id}/completion"),
        json!({"summary": " "}),
    )
    .await
    .refused_on(422, "summary");
    let (s, c) = app
        .post(
            &unit,
            &format!("/api/v1/tasks/{id}/completion"),
            json!({"summary": "工作室已挂牌", "achieved": "1"}),
        )
        .await;
    assert_eq!((s, c["status"].as_str()), (200, Some("in_review")), "{c}");
    assert_eq!(c["process"], "task_completion_city");
    let case = c["id"].as_i64().unwrap();
    // A second report while the first is under review is refused.
    let (s, _) = app
        .post(
            &unit,
            &format!("/api/v1/tasks/{id}/completion"),
            json!({"summary": "再报"}),
        )
        .await;
    assert_eq!(s, 409);
    // The city set the task: the district cannot decide; the city's inbox has it.
    app.post(
        &district,
        &format!("/api/v1/cases/{case}/actions"),
        json!({"action": "accept"}),
    )
    .await
    .answers(403);
    let (_, inbox) = app.get(&city, "/api/v1/inbox").await;
    assert!(inbox.as_array().unwrap().iter().any(|c| c["id"] == case));
    let (s, c) = app
        .post(
            &city,
            &format!("/api/v1/cases/{case}/actions"),
            json!({"action": "return", "comment": "请附挂牌照片"}),
        )
        .await;
    assert_eq!((s, c["status"].as_str()), (200, Some("returned")), "{c}");
    let (_, task) = app.get(&unit, &format!("/api/v1/tasks/{id}")).await;
    assert_eq!(task["task"]["done_at"], Value::Null);
    // Corrected and resubmitted through the same case, then accepted: done at once.
    let (s, c) = app
        .post(
            &unit,
            &format!("/api/v1/tasks/{id}/completion"),
            json!({"summary": "工作室已挂牌,照片见附件", "achieved": "1"}),
        )
        .await;
    assert_eq!((s, c["id"].as_i64()), (200, Some(case)), "{c}");
    let (s, c) = app
        .post(
            &city,
            &format!("/api/v1/cases/{case}/actions"),
            json!({"action": "accept"}),
        )
        .await;
    assert_eq!((s, c["status"].as_str()), (200, Some("approved")), "{c}");
    let (_, task) = app.get(&unit, &format!("/api/v1/tasks/{id}")).await;
    assert!(task["task"]["done_at"].is_i64(), "{task}");
    assert_eq!(task["task"]["progress"], 100);
    assert_eq!(tasks_done(&app, &city, org, 2031).await, before + 1.0);
    // The task page links the case; the case page links the task.
    let b = app.browser("unit").await;
    let html = b.get_ok(&format!("/tasks/{id}")).await;
    assert!(html.contains(&format!("/cases/{case}")), "{html}");
    let html = b.get_ok(&format!("/cases/{case}")).await;
    assert!(html.contains(&format!("/tasks/{id}")));
}
