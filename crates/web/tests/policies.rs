//! The policy library: Chinese full-text search ranked by title, filters, snippets with
//! highlights, adding a document with a checked file, permissions.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn chinese_full_text_search_finds_and_ranks() {
    let app = spawn_demo().await;
    let unit = app.token("unit").await;
    let (s, v) = app.get(&unit, "/api/v1/policies?q=集体合同").await;
    assert_eq!(s, 200);
    let titles: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert!(titles.len() >= 2, "{titles:?}");
    assert!(
        titles[0].contains("集体合同"),
        "a title match ranks first: {titles:?}"
    );
    assert!(v["items"][0]["snippet"]
        .as_str()
        .unwrap()
        .contains("集体合同"));
    // Every word must occur; bigrams alone are not enough.
    let (_, v) = app
        .get(&unit, "/api/v1/policies?q=高技能人才 青春留常")
        .await;
    assert_eq!(v["total"], 0, "{v}");
    let (_, v) = app.get(&unit, "/api/v1/policies?q=技人").await;
    assert_eq!(v["total"], 0, "技人 is not a phrase of any document: {v}");
    let (_, v) = app.get(&unit, "/api/v1/policies?category=manual").await;
    assert_eq!(v["total"], 2);
    // Adding: city and districts only; the fields are checked.
    let city = app.token("city").await;
    let (s, e) = app
        .send(
            Method::POST,
            &city,
            "/api/v1/policies",
            json!({"title": "测试", "category": "nonsense", "level": "市级"}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let (s, p) = app
        .send(
            Method::POST,
            &city,
            "/api/v1/policies",
            json!({"title": "关于开展职工数字技能提升行动的通知", "category": "技能形成", "level": "市级", "issued_on": "2024-03-01", "body": "开展数字技能培训,覆盖一线职工。"}),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    let (_, v) = app.get(&unit, "/api/v1/policies?q=数字技能").await;
    assert_eq!(v["items"][0]["id"], p["id"]);
    let (s, _) = app
        .send(
            Method::POST,
            &unit,
            "/api/v1/policies",
            json!({"title": "x", "category": "general", "level": "city", "body": "x"}),
        )
        .await;
    assert_eq!(s, 403);
    // Console: search page with highlights; the add form refuses a bad file.
    let b = app.browser("city").await;
    let (s, html) = b.get("/policies?q=工匠").await;
    assert_eq!(s, 200);
    assert!(html.contains("<mark>工匠</mark>"), "{html}");
    let (s, html) = b.get("/policies/new").await;
    assert_eq!(s, 200);
    let csrf = hidden(&html, "_csrf");
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf)
        .text("title", "带附件的文件")
        .text("category", "general")
        .text("level", "city")
        .text("body", "正文")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"MZ\x90\x00".to_vec()).file_name("x.pdf"),
        );
    let r =
        b.c.post(app.at("/policies"))
            .multipart(form)
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("类型不被接受"));
}
