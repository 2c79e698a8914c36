//! The policy library: Chinese full-text search ranked by title, filters, snippets with
//! highlights, adding a document with a checked file, permissions.

use crate::helpers::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn chinese_full_text_search_finds_and_ranks() {
    let app = spawn_demo().await;
    let unit = app.token("unit").await;
    let v = app.get_ok(&unit, "/api/v1/policies?q=集体合同").await;
    let titles: Vec<&str> = strs(&v["items"], "title");
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
        .post(
            &city,
            "/api/v1/policies",
            json!({"title": "测试", "category": "nonsense", "level": "市级"}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let p = app.post_ok(
            &city,
            "/api/v1/policies",
            json!({"title": "关于开展职工数字技能提升行动的通知", "category": "技能形成", "level": "市级", "issued_on": "2024-03-01", "body": "开展数字技能培训,覆盖一线职工。"}),
        ).await;
    let (_, v) = app.get(&unit, "/api/v1/policies?q=数字技能").await;
    assert_eq!(v["items"][0]["id"], p["id"]);
    app.post(
        &unit,
        "/api/v1/policies",
        json!({"title": "x", "category": "general", "level": "city", "body": "x"}),
    )
    .await
    .answers(403);
    // Console: search page with highlights; the add form refuses a bad file.
    let b = app.browser("city").await;
    let html = b.get_ok("/policies?q=工匠").await;
    assert!(html.contains("<mark>工匠</mark>"), "{html}");
    let html = b.get_ok("/policies/new").await;
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

/// A document belongs to the office that published it: a district publishes at
/// district and town level in its own name, edits and deletes only its own subtree's
/// documents (others' answer 404), the city records national, provincial and city
/// documents; each change is audited with before and after.
#[tokio::test]
async fn policy_documents_belong_to_their_office() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let admin = app.token("admin").await;
    let district = app.token("tianning").await;
    let home = "320402";
    // Another district's office.
    let other_tok = app.token("wujin").await;
    let doc = |level: &str| json!({"title": format!("{level}级测试文件"), "category": "general", "level": level, "body": "关于产改工作的通知。"});

    // Levels: a district publishes district and town documents only.
    for level in ["city", "national", "provincial"] {
        app.post(&district, "/api/v1/policies", doc(level))
            .await
            .refused_on(422, "level");
    }
    let (s, e) = app.post(&city, "/api/v1/policies", doc("district")).await;
    assert_eq!(
        s, 422,
        "the city does not publish in a district's name: {e}"
    );
    let c = app.post_ok(&city, "/api/v1/policies", doc("city")).await;
    let (s, d) = app
        .post(&district, "/api/v1/policies", doc("district"))
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["owner_region"], home, "{d}");
    let c_id = c["id"].as_i64().unwrap();
    let d_id = d["id"].as_i64().unwrap();

    // Others' documents do not exist for a change: the city's, another district's.
    let patch = |v: i64| json!({"title": "改过的标题", "version": v});
    for (tok, id) in [(&district, c_id), (&other_tok, d_id)] {
        app.send(
            Method::DELETE,
            tok,
            &format!("/api/v1/policies/{id}"),
            json!(null),
        )
        .await
        .answers(404);
        app.patch(tok, &format!("/api/v1/policies/{id}"), patch(1))
            .await
            .answers(404);
    }
    // The owner edits (a stale version is refused) and may not raise the level.
    app.patch(
        &district,
        &format!("/api/v1/policies/{d_id}"),
        json!({"level": "city", "version": 1}),
    )
    .await
    .refused_on(422, "level");
    let p = app
        .patch_ok(&district, &format!("/api/v1/policies/{d_id}"), patch(1))
        .await;
    assert_eq!(p["title"], "改过的标题");
    assert_eq!(p["version"], 2);
    app.patch(&district, &format!("/api/v1/policies/{d_id}"), patch(1))
        .await
        .answers(409);
    let (_, v) = app.get(&district, "/api/v1/policies?q=改过的标题").await;
    assert_eq!(v["items"][0]["id"], d_id, "the new title is searchable");
    // Units and experts publish nothing.
    let unit = app.token("unit").await;
    let (s, _) = app
        .send(
            Method::DELETE,
            &unit,
            &format!("/api/v1/policies/{d_id}"),
            json!(null),
        )
        .await;
    assert_eq!(s, 403);
    // Console: the edit and delete buttons only on one's own documents.
    let b = app.browser("tianning").await;
    let (_, html) = b.get(&format!("/policies/{d_id}")).await;
    assert!(html.contains(&format!("/policies/{d_id}/edit")), "{html}");
    assert!(html.contains("发布单位"));
    let (_, html) = b.get(&format!("/policies/{c_id}")).await;
    assert!(!html.contains(&format!("/policies/{c_id}/edit")));
    assert!(!html.contains(&format!("/policies/{c_id}/delete")));
    b.get(&format!("/policies/{c_id}/edit")).await.answers(404);
    let (s, html) = b.get(&format!("/policies/{d_id}/edit")).await;
    assert_eq!(s, 200);
    assert!(
        !html.contains("value=\"city\""),
        "only the district's levels: {html}"
    );
    let (s, _, loc) = b
        .post(
            &format!("/policies/{d_id}/edit"),
            &[
                ("title", "控制台改的标题"),
                ("category", "general"),
                ("level", "town"),
                ("body", "正文。"),
                ("version", "2"),
            ],
        )
        .await;
    assert_eq!(s, 303, "{loc:?}");
    // The same form sent again carries the version it read: 409, the form as typed with
    // the catalogue's message over it, and nothing changed.
    let (s, html, _) = b
        .post(
            &format!("/policies/{d_id}/edit"),
            &[
                ("title", "过时的标题"),
                ("category", "general"),
                ("level", "town"),
                ("body", "正文。"),
                ("version", "2"),
            ],
        )
        .await;
    assert_eq!(s, 409, "{html}");
    assert!(
        html.contains("该记录已被他人修改，请刷新后再编辑"),
        "{html}"
    );
    assert!(
        html.contains("过时的标题"),
        "what was typed is kept: {html}"
    );
    let (_, html) = b.get(&format!("/policies/{d_id}")).await;
    assert!(html.contains("控制台改的标题") && !html.contains("过时的标题"));
    let (s, _, _) = b.post(&format!("/policies/{c_id}/delete"), &[]).await;
    assert_eq!(s, 404);
    // The city owns the whole tree and deletes the district's document.
    app.send(
        Method::DELETE,
        &city,
        &format!("/api/v1/policies/{d_id}"),
        json!(null),
    )
    .await
    .answers(204);
    // Every change is in the audit log, with before and after.
    let (_, log) = app
        .get(
            &admin,
            &format!("/api/v1/audit?entity_kind=policy&entity_id={d_id}"),
        )
        .await;
    let actions: Vec<&str> = strs(&log["items"], "action");
    assert_eq!(actions, ["delete", "update", "update", "create"], "{log}");
    let api_edit = &log["items"][2];
    assert!(
        api_edit["before_json"]
            .as_str()
            .unwrap()
            .contains("district级测试文件"),
        "{api_edit}"
    );
    assert!(
        api_edit["after_json"]
            .as_str()
            .unwrap()
            .contains("改过的标题"),
        "{api_edit}"
    );
}
