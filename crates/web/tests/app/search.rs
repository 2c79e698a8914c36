//! The global search (top bar → `/search`, `GET /api/v1/search`): organisations by name
//! or 统一社会信用代码, workers by name or exact 身份证号 (never a partial number, masked
//! in the results), cases, tasks and policies by title — all within the caller's scope.

use crate::helpers::*;
use serde_json::{json, Value};

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn search(app: &TestApp, tok: &str, q: &str) -> Value {
    let (s, v) = app.get(tok, &format!("/api/v1/search?q={}", enc(q))).await;
    assert_eq!(s, 200, "search {q}: {v}");
    v
}

fn group<'a>(v: &'a Value, kind: &str) -> &'a Value {
    v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["kind"] == kind)
        .unwrap_or_else(|| panic!("no group {kind}: {v}"))
}

fn ids(v: &Value, kind: &str) -> Vec<i64> {
    group(v, kind)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect()
}

/// The first enterprise of a region, as the city sees it: (id, name, uscc).
async fn enterprise_in(app: &TestApp, city: &str, region: &str) -> (i64, String, String) {
    let v = app
        .get_ok(
            city,
            &format!("/api/v1/orgs?region={region}&kind=enterprise&per_page=1"),
        )
        .await;
    let o = &v["items"][0];
    (
        o["id"].as_i64().unwrap(),
        o["name"].as_str().unwrap().to_string(),
        o["uscc"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn organisations_by_name_and_credit_code_within_scope() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let tianning = app.token("tianning").await;
    let wujin = app.token("wujin").await;
    let (wj_id, wj_name, wj_uscc) = enterprise_in(&app, &city, "320412").await;
    let (tn_id, tn_name, tn_uscc) = enterprise_in(&app, &city, "320402").await;

    // The city finds both, by name and by credit code (whole or its first characters).
    for q in [wj_name.as_str(), wj_uscc.as_str(), &wj_uscc[..12]] {
        let v = search(&app, &city, q).await;
        assert!(ids(&v, "orgs").contains(&wj_id), "{q}: {v}");
    }
    let v = search(&app, &city, &tn_uscc.to_lowercase()).await;
    assert_eq!(ids(&v, "orgs"), vec![tn_id], "lower-case code: {v}");
    let hit = &group(&v, "orgs")["items"][0];
    assert_eq!(hit["title"], tn_name.as_str());
    assert_eq!(hit["code"], tn_uscc.as_str());
    assert_eq!(hit["url"], format!("/orgs/{tn_id}"));

    // 天宁区 does not find 武进区's enterprise, by name or by code; 武进区 does.
    for q in [wj_name.as_str(), wj_uscc.as_str()] {
        let v = search(&app, &tianning, q).await;
        assert!(!ids(&v, "orgs").contains(&wj_id), "{q}: {v}");
        assert!(
            !group(&v, "orgs").to_string().contains(&wj_uscc),
            "{q}: {v}"
        );
        let v = search(&app, &wujin, q).await;
        assert!(ids(&v, "orgs").contains(&wj_id), "{q}: {v}");
    }
    let v = search(&app, &tianning, &wj_uscc).await;
    assert_eq!(group(&v, "orgs")["total"], 0, "{v}");
    let v = search(&app, &tianning, &tn_name).await;
    assert!(ids(&v, "orgs").contains(&tn_id), "{v}");

    // A unit finds its own organisation, and nothing of another district.
    let unit = app.token("unit").await;
    let me = app.get_ok(&unit, "/api/v1/orgs?per_page=1").await;
    let own_id = me["items"][0]["id"].as_i64().unwrap();
    let own_name = me["items"][0]["name"].as_str().unwrap().to_string();
    let own_uscc = me["items"][0]["uscc"].as_str().unwrap().to_string();
    for q in [own_name.as_str(), own_uscc.as_str()] {
        let v = search(&app, &unit, q).await;
        assert!(ids(&v, "orgs").contains(&own_id), "{q}: {v}");
    }
    let v = search(&app, &unit, &wj_uscc).await;
    assert_eq!(group(&v, "orgs")["total"], 0, "{v}");
    let v = search(&app, &unit, "有限公司").await;
    assert!(
        group(&v, "orgs")["total"].as_i64().unwrap() <= 1,
        "a unit sees its own organisation only: {v}"
    );
}

#[tokio::test]
async fn workers_by_exact_id_number_only_and_masked() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let tianning = app.token("tianning").await;
    let wujin = app.token("wujin").await;
    let (_, _, wj_uscc) = enterprise_in(&app, &city, "320412").await;
    let num = id_number("32041219880512341");
    let (s, w) = app
        .post(
            &wujin,
            "/api/v1/workers",
            json!({"name": "检索测试工", "id_number": num, "org": wj_uscc}),
        )
        .await;
    assert_eq!(s, 200, "{w}");
    let wid = w["id"].as_i64().unwrap();
    let masked = format!("{}********{}", &num[..6], &num[14..]);

    // The exact number finds the worker, shown masked; the answer never holds the number.
    for who in [&city, &wujin] {
        let v = search(&app, who, &num).await;
        assert_eq!(ids(&v, "workers"), vec![wid], "{v}");
        let hit = &group(&v, "workers")["items"][0];
        assert_eq!(hit["code"], masked.as_str());
        assert_eq!(hit["url"], format!("/workers/{wid}"));
        assert_eq!(v["q"], masked.as_str(), "the query comes back masked");
        assert!(!v.to_string().contains(&num), "full number in {v}");
    }
    // Full-width digits and spaces are folded, as in the worker list.
    let wide: String = num
        .chars()
        .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
        .collect();
    let v = search(&app, &city, &format!("{} {}", &wide[..18], &wide[18..])).await;
    assert_eq!(ids(&v, "workers"), vec![wid], "{v}");

    // Never by a partial number: the first 17 characters, the first 10, the last 8.
    for part in [&num[..17], &num[..10], &num[10..], &masked[..]] {
        let v = search(&app, &city, part).await;
        assert_eq!(group(&v, "workers")["total"], 0, "{part}: {v}");
        assert!(ids(&v, "workers").is_empty());
    }
    // By name, within scope.
    let v = search(&app, &city, "检索测试").await;
    assert_eq!(ids(&v, "workers"), vec![wid], "{v}");
    // 天宁区 does not find 武进区's worker, by number or by name.
    for q in [num.as_str(), "检索测试工"] {
        let v = search(&app, &tianning, q).await;
        assert_eq!(group(&v, "workers")["total"], 0, "{q}: {v}");
    }
    // The results page shows the masked number only, and does not echo the number.
    let b = app.browser("city").await;
    let html = b.get_ok(&format!("/search?q={num}")).await;
    assert!(html.contains(&format!("href=\"/workers/{wid}\"")), "{html}");
    assert!(html.contains(&masked));
    assert!(!html.contains(&num), "full number on the page");
    // A partial number says why nobody is found.
    let (_, html) = b.get(&format!("/search?q={}", &num[..10])).await;
    assert!(html.contains("完整的18位身份证号"), "{html}");
}

#[tokio::test]
async fn roles_get_only_the_groups_they_may_read() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let kinds = |v: &Value| -> Vec<String> {
        v["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["kind"].as_str().unwrap().to_string())
            .collect()
    };
    let v = search(&app, &city, "有限公司").await;
    assert_eq!(
        kinds(&v),
        ["orgs", "workers", "cases", "tasks", "policies"],
        "{v}"
    );
    // An expert reads the policy library, not the registers: no organisations, workers,
    // cases or tasks.
    let expert = app.token("expert").await;
    let v = search(&app, &expert, "有限公司").await;
    assert_eq!(kinds(&v), ["policies"], "{v}");
}

#[tokio::test]
async fn cases_tasks_and_policies_by_title() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let tianning = app.token("tianning").await;
    for (list, kind, url) in [
        ("/api/v1/cases?per_page=1", "cases", "/cases/"),
        ("/api/v1/tasks?per_page=1", "tasks", "/tasks/"),
        ("/api/v1/policies?per_page=1", "policies", "/policies/"),
    ] {
        let (s, v) = app.get(&city, list).await;
        assert_eq!(s, 200, "{list}: {v}");
        let first = &v["items"][0];
        let id = first["id"].as_i64().unwrap();
        let title = first["title"].as_str().unwrap();
        let v = search(&app, &city, title).await;
        assert!(ids(&v, kind).contains(&id), "{kind} {title}: {v}");
        let hit = group(&v, kind)["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["id"] == id)
            .unwrap()
            .clone();
        assert_eq!(hit["url"], format!("{url}{id}"));
        assert_eq!(hit["title"], title);
    }
    // A case of another district is not found by 天宁区.
    let (_, v) = app
        .get(&city, "/api/v1/cases?region=320412&per_page=1")
        .await;
    if let Some(c) = v["items"].as_array().and_then(|a| a.first()) {
        let id = c["id"].as_i64().unwrap();
        let v = search(&app, &tianning, c["title"].as_str().unwrap()).await;
        assert!(!ids(&v, "cases").contains(&id), "{v}");
    }
}

#[tokio::test]
async fn api_shape_counts_and_more_links() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let v = search(&app, &city, "有限公司").await;
    assert_eq!(v["q"], "有限公司");
    let groups = v["groups"].as_array().unwrap();
    let mut sum = 0;
    for g in groups {
        for key in ["kind", "label", "total", "items", "more_url"] {
            assert!(g.get(key).is_some(), "{key} missing in {g}");
        }
        let total = g["total"].as_i64().unwrap();
        let items = g["items"].as_array().unwrap();
        assert!(items.len() <= 10, "{g}");
        assert!(items.len() as i64 <= total);
        assert_eq!(g["more_url"].is_null(), items.len() as i64 == total, "{g}");
        for h in items {
            for key in ["id", "title", "code", "detail", "url"] {
                assert!(h.get(key).is_some(), "{key} missing in {h}");
            }
        }
        sum += total;
    }
    assert_eq!(v["total"], sum);
    // Hundreds of companies: ten shown, all counted, a link to the filtered list.
    let orgs = group(&v, "orgs");
    assert_eq!(orgs["label"], "单位");
    assert!(orgs["total"].as_i64().unwrap() > 10, "{orgs}");
    assert_eq!(orgs["items"].as_array().unwrap().len(), 10);
    assert_eq!(orgs["more_url"], format!("/orgs?q={}", enc("有限公司")));
    // The filtered list counts the same.
    let (_, list) = app
        .get(&city, &format!("/api/v1/orgs?q={}", enc("有限公司")))
        .await;
    assert_eq!(list["total"], orgs["total"]);
    // English labels with ?lang=en.
    let (_, en) = app
        .get(
            &city,
            &format!("/api/v1/search?q={}&lang=en", enc("有限公司")),
        )
        .await;
    assert_eq!(group(&en, "orgs")["label"], "Organisations");

    // Empty and one-character queries: 422 on `q` with a message, never everything.
    for q in ["", "q=", "q=%20%20", "q=a", &format!("q={}", enc("张"))] {
        let (s, v) = app.get(&city, &format!("/api/v1/search?{q}")).await;
        refused_on(s, &v, 422, "q");
        assert_eq!(err_code(&v), "too_short", "{v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("至少2个字"),
            "{v}"
        );
    }
    app.get(&city, &format!("/api/v1/search?q={}", "长".repeat(101)))
        .await
        .answers(422);
    // Without a token: 401.
    let r = app.anon("/api/v1/search?q=abc").await;
    assert_eq!(r.status(), 401);
    // Documented.
    let (_, doc) = app.get(&city, "/api/v1/openapi.json").await;
    let op = &doc["paths"]["/api/v1/search"]["get"];
    for code in ["200", "401", "422"] {
        assert!(op["responses"].get(code).is_some(), "{code}: {op}");
    }
}

#[tokio::test]
async fn results_page_and_top_bar_box() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let (tn_id, tn_name, _) = enterprise_in(&app, &city, "320402").await;
    let (wj_id, wj_name, _) = enterprise_in(&app, &city, "320412").await;
    let b = app.browser("tianning").await;
    // Every page carries the box in the top bar.
    let home = b.get_ok("/").await;
    let top = home.split("<div class=\"shell\">").next().unwrap();
    assert!(
        top.contains(r#"<form class="topbar-search" method="get" action="/search" role="search">"#),
        "{top}"
    );
    assert!(top.contains(r#"name="q""#));

    let (s, html) = b.get(&format!("/search?q={}", enc(&tn_name))).await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains(&format!("href=\"/orgs/{tn_id}\"")), "{html}");
    assert!(html.contains(&format!("搜索结果：“{tn_name}”")));
    for label in ["单位", "职工", "审批事项", "年度任务", "政策文件"] {
        assert!(html.contains(label), "{label}");
    }
    assert!(html.contains("data-search-group=\"orgs\""));
    assert!(html.contains("href=\"#search-orgs\""));
    // The box keeps the query.
    assert!(html.contains(&format!("value=\"{tn_name}\"")));
    // Another district's enterprise is not on 天宁区's page.
    let (_, html) = b.get(&format!("/search?q={}", enc(&wj_name))).await;
    assert!(!html.contains(&format!("href=\"/orgs/{wj_id}\"")), "{html}");
    // Many hits: a link to the filtered list.
    let (_, html) = b.get(&format!("/search?q={}", enc("有限公司"))).await;
    assert!(
        html.contains(&format!("href=\"/orgs?q={}\"", enc("有限公司"))),
        "{html}"
    );
    assert!(html.contains("查看全部"));
    // Empty and one-character queries: a helpful message, no results.
    for q in ["", "?q=", "?q=a"] {
        let (s, html) = b.get(&format!("/search{q}")).await;
        assert_eq!(s, 200, "{q}");
        assert!(html.contains("data-search-message"), "{q}: {html}");
        assert!(html.contains("请输入至少2个字"), "{q}");
        assert!(!html.contains("data-search-group"), "{q}");
    }
    // English.
    let (_, html) = b.get("/search?q=ab&lang=en").await;
    assert!(html.contains("Organisations"), "{html}");
    assert!(html.contains("Search"));
}
