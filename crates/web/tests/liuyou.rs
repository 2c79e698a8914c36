//! The 六有 checklist: evidence with checked files, submit needs all six, item-by-item
//! review with reasons, the completion indicator moves at once, scope on files.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

async fn indicator(app: &TestApp, tok: &str, org: &str, code: &str) -> Value {
    let v = app
        .get(tok, &format!("/api/v1/indicators?org={org}&period=2025"))
        .await
        .1;
    v["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .unwrap()
        .clone()
}

async fn upload(app: &TestApp, tok: &str, path: &str, name: &str, bytes: Vec<u8>) -> (u16, Value) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    let r = app
        .client
        .post(app.at(path))
        .bearer_auth(tok)
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn six_items_submitted_reviewed_and_counted() {
    let app = spawn_demo().await;
    let unit = app.token("unit").await;
    let town = app.token("town").await;
    let district = app.token("tianning").await;
    let city = app.token("city").await;
    let org = app.get(&unit, "/api/v1/me").await.1["org_id"]
        .as_i64()
        .unwrap();
    let base = format!("/api/v1/liuyou/{org}/2025");
    let before = indicator(&app, &city, "320402", "liuyou_complete_units").await["value"]
        .as_f64()
        .unwrap();
    let items = [
        "organisation",
        "plan",
        "tasks",
        "guidance",
        "skills",
        "rights",
    ];
    for it in &items[..5] {
        let (s, v) = app
            .send(
                Method::PUT,
                &unit,
                &format!("{base}/{it}"),
                json!({"text": format!("{it} 的说明")}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
    }
    // A bad link and a bad file are refused, naming the field.
    let (s, e) = app
        .send(
            Method::PUT,
            &unit,
            &format!("{base}/plan"),
            json!({"link": "javascript:alert(1)"}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("link")),
        "{e}"
    );
    let (s, e) = upload(
        &app,
        &unit,
        &format!("{base}/plan/files"),
        "virus.pdf",
        b"MZ\x90\x00binary".to_vec(),
    )
    .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("file")),
        "{e}"
    );
    let (s, v) = upload(
        &app,
        &unit,
        &format!("{base}/plan/files"),
        "方案.pdf",
        b"%PDF-1.4 test".to_vec(),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let file_id = v["items"][1]["files"][0]["id"].as_i64().unwrap();
    // Submitting without the sixth item names it.
    let (s, e) = app
        .send(Method::POST, &unit, &format!("{base}/submit"), json!({}))
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("rights")),
        "{e}"
    );
    app.send(
        Method::PUT,
        &unit,
        &format!("{base}/rights"),
        json!({"text": "集体合同"}),
    )
    .await;
    let (s, v) = app
        .send(Method::POST, &unit, &format!("{base}/submit"), json!({}))
        .await;
    assert_eq!((s, v["submitted"].as_i64()), (200, Some(6)), "{v}");
    // Submitted items are locked for the unit; the unit does not review.
    let (s, _) = app
        .send(
            Method::PUT,
            &unit,
            &format!("{base}/plan"),
            json!({"text": "改"}),
        )
        .await;
    assert_eq!(s, 409);
    let (s, _) = app
        .send(
            Method::POST,
            &unit,
            &format!("{base}/plan/review"),
            json!({"accept": true}),
        )
        .await;
    assert_eq!(s, 403);
    // The town returns one (a reason is required), the district accepts the rest.
    let (s, e) = app
        .send(
            Method::POST,
            &town,
            &format!("{base}/rights/review"),
            json!({"accept": false}),
        )
        .await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("reason")));
    let (s, _) = app
        .send(
            Method::POST,
            &town,
            &format!("{base}/rights/review"),
            json!({"accept": false, "reason": "请附集体合同文本"}),
        )
        .await;
    assert_eq!(s, 200);
    for it in &items[..5] {
        let (s, v) = app
            .send(
                Method::POST,
                &district,
                &format!("{base}/{it}/review"),
                json!({"accept": true}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
    }
    assert_eq!(
        indicator(&app, &city, "320402", "liuyou_complete_units").await["value"].as_f64(),
        Some(before),
        "five of six is not complete"
    );
    let (_, notes) = app.get(&unit, "/api/v1/notifications").await;
    assert!(notes.to_string().contains("请附集体合同文本"), "{notes}");
    // Fixed and resubmitted, then accepted: the indicator moves at once, in the district
    // and the city, and the rate's denominator is the pilot units.
    app.send(
        Method::PUT,
        &unit,
        &format!("{base}/rights"),
        json!({"text": "集体合同(附文本)"}),
    )
    .await;
    app.send(Method::POST, &unit, &format!("{base}/submit"), json!({}))
        .await;
    let (s, _) = app
        .send(
            Method::POST,
            &town,
            &format!("{base}/rights/review"),
            json!({"accept": true}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        indicator(&app, &city, "320402", "liuyou_complete_units").await["value"].as_f64(),
        Some(before + 1.0)
    );
    let rate = indicator(&app, &city, "320400", "liuyou_completion_rate").await;
    assert!(rate["denominator"].as_i64().unwrap() >= 1000, "{rate}");
    // Files: the unit and the district may download; another district may not.
    let r = app
        .client
        .get(app.at(&format!("/api/v1/files/{file_id}")))
        .bearer_auth(&district)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(&r.bytes().await.unwrap()[..5], b"%PDF-");
    let (s, _) = app
        .get(
            &app.token("wujin").await,
            &format!("/api/v1/files/{file_id}"),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = app.get(&app.token("wujin").await, &base).await;
    assert_eq!(s, 404);
    // Console.
    let (s, html) = app.browser("city").await.get("/liuyou?year=2023").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("data-chart") && html.contains("有产改组织机构"),
        "{html}"
    );
    let (s, html) = app
        .browser("unit")
        .await
        .get(&format!("/liuyou/{org}/2025"))
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("方案.pdf"));
}

#[tokio::test]
async fn demo_has_checklists_in_every_state() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let (_, rows) = app.get(&city, "/api/v1/liuyou?year=2023").await;
    let rows = rows.as_array().unwrap();
    assert!(rows.iter().any(|r| r["accepted"] == 6));
    assert!(rows
        .iter()
        .any(|r| r["statuses"].to_string().contains("returned")));
    assert!(rows
        .iter()
        .any(|r| r["statuses"].to_string().contains("submitted")));
    let v = app
        .get(&city, "/api/v1/indicators?org=320400&period=2023")
        .await
        .1;
    let ind = v["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "liuyou_complete_units")
        .unwrap()
        .clone();
    assert_eq!(ind["value"].as_f64(), Some(50.0), "{ind}");
}
