//! Pilots, designations and the indicator engine: exact seed figures, live updates,
//! no double counting under concurrency, maintained aggregates equal a rebuild.

use crate::helpers::*;
use reqwest::Method;
use serde_json::{json, Value};
use sqlx::Row;

fn ind(v: &Value, code: &str) -> Option<f64> {
    v["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .unwrap()["value"]
        .as_f64()
}

async fn value(app: &TestApp, tok: &str, org: &str, period: &str, code: &str) -> f64 {
    let v = app
        .get_ok(
            tok,
            &format!("/api/v1/indicators?org={org}&period={period}"),
        )
        .await;
    ind(&v, code).unwrap()
}

async fn agg_snapshot(app: &TestApp) -> Vec<(String, String, String, i64)> {
    let rows = sqlx::query("SELECT node, measure, period, value FROM agg WHERE value <> 0 ORDER BY node, measure, period").fetch_all(&app.svc.db.pool).await.unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get(0).unwrap(),
                r.try_get(1).unwrap(),
                r.try_get(2).unwrap(),
                r.try_get(3).unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn seed_figures_and_drill_down() {
    let app = spawn_demo().await;
    let t = app.token("city").await;
    let v = app
        .get_ok(
            &t,
            &format!("/api/v1/indicators?org=320400&period={}", demo_period(0)),
        )
        .await;
    assert_eq!(v["org"]["code"], "320400");
    assert_eq!(v["period"], demo_period(0));
    assert_eq!(ind(&v, "pilot_enterprises"), Some(1020.0));
    assert_eq!(ind(&v, "pilot_parks"), Some(20.0));
    assert_eq!(ind(&v, "integration_enterprises"), Some(89.0));
    assert_eq!(ind(&v, "apprenticeship_pilots"), Some(6.0));
    assert_eq!(ind(&v, "innovation_studios"), Some(259.0));
    assert_eq!(ind(&v, "industry_professors"), Some(20.0));
    assert_eq!(ind(&v, "lc_craftsmen"), Some(40.0));
    assert!(
        v["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["pending_issue"].is_null()),
        "every indicator is computable"
    );
    assert_eq!(
        v["indicators"].as_array().unwrap().len(),
        gongjiang_domain::indicators::CATALOGUE.len()
    );
    // Cumulative: fewer pilots by 2020 than by 2023.
    let (_, v2020) = app
        .get(
            &t,
            &format!("/api/v1/indicators?org=320400&period={}", demo_period(-3)),
        )
        .await;
    assert!(ind(&v2020, "pilot_enterprises").unwrap() < 1020.0);
    // Children add up to the parent.
    let (_, by) = app
        .get(
            &t,
            &format!(
                "/api/v1/indicators?org=320400&period={}&by=child",
                demo_period(0)
            ),
        )
        .await;
    let kids = by["children"].as_array().unwrap();
    let sum: f64 = kids
        .iter()
        .map(|c| ind(c, "pilot_enterprises").unwrap())
        .sum();
    assert_eq!(sum, 1020.0);
    let tn = kids.iter().find(|c| c["org"]["code"] == "320402").unwrap();
    // Drill into the district, then a town, then an organisation: still consistent.
    let (_, d) = app
        .get(
            &t,
            &format!(
                "/api/v1/indicators?org=320402&period={}&by=child",
                demo_period(0)
            ),
        )
        .await;
    assert_eq!(ind(&d, "pilot_enterprises"), ind(tn, "pilot_enterprises"));
    let town_sum: f64 = d["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| ind(c, "pilot_enterprises").unwrap())
        .sum();
    assert_eq!(Some(town_sum), ind(&d, "pilot_enterprises"));
    // Any key works: region code, credit code, org id.
    let unit = app.get(&app.token("unit").await, "/api/v1/me").await.1["org_id"]
        .as_i64()
        .unwrap();
    let (_, o) = app
        .get(
            &t,
            &format!("/api/v1/indicators?org={unit}&period={}", demo_period(0)),
        )
        .await;
    assert_eq!(ind(&o, "pilot_enterprises"), Some(1.0));
    // Bad input.
    assert_eq!(
        app.get(&t, "/api/v1/indicators?org=320400&period=20x3")
            .await
            .0,
        422
    );
    assert_eq!(
        app.get(
            &t,
            &format!("/api/v1/indicators?org=999999&period={}", demo_period(0))
        )
        .await
        .0,
        404
    );
    assert_eq!(
        app.get(&t, &format!("/api/v1/indicators?period={}", demo_period(0)))
            .await
            .0,
        400
    );
    assert_eq!(
        app.get(
            &t,
            &format!(
                "/api/v1/indicators?org=320400&period={}&by=parent",
                demo_period(0)
            )
        )
        .await
        .0,
        400
    );
    // Scope: a district sees itself, not the city or other districts.
    let tn_t = app.token("tianning").await;
    assert_eq!(
        app.get(
            &tn_t,
            &format!("/api/v1/indicators?org=320402&period={}", demo_period(0))
        )
        .await
        .0,
        200
    );
    assert_eq!(
        app.get(
            &tn_t,
            &format!("/api/v1/indicators?org=320400&period={}", demo_period(0))
        )
        .await
        .0,
        404
    );
    assert_eq!(
        app.get(
            &tn_t,
            &format!("/api/v1/indicators?org=320412&period={}", demo_period(0))
        )
        .await
        .0,
        404
    );
}

#[tokio::test]
async fn registers_change_indicators_immediately_and_everywhere() {
    let app = spawn_demo().await;
    let t = app.token("tianning").await;
    let city = app.token("city").await;
    let before = ind(
        &app.get(&city, "/api/v1/indicators?org=320402&period=2026")
            .await
            .1,
        "pilot_enterprises",
    )
    .unwrap();
    let (_, e) = app.post(&t, "/api/v1/orgs", json!({"name": "常州新试点科技有限公司", "kind": "enterprise", "uscc": uscc(70001), "region_code": "320402001"})).await;
    let eid = e["id"].as_i64().unwrap();
    let (s, p) = app
        .post(
            &t,
            "/api/v1/pilots",
            json!({"org": uscc(70001), "level": "市级", "year": "2025", "feature": "一企一特色"}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    assert_eq!(p["ptype"], "enterprise");
    assert_eq!(
        value(&app, &city, "320402", "2026", "pilot_enterprises").await,
        before + 1.0
    );
    // Cumulative by year: the pilot counts from 2025, not before.
    let y2024 = value(&app, &city, "320402", "2024", "pilot_enterprises").await;
    let y2025 = value(&app, &city, "320402", "2025", "pilot_enterprises").await;
    assert!(y2025 >= y2024 + 1.0);
    // A second pilot level for the same enterprise does not count it twice.
    app.post(
        &t,
        "/api/v1/pilots",
        json!({"org": uscc(70001), "level": "province", "year": "2026"}),
    )
    .await
    .answers(201);
    assert_eq!(
        value(&app, &city, "320402", "2026", "pilot_enterprises").await,
        before + 1.0
    );
    // Same org and level again: 409.
    app.post(
        &t,
        "/api/v1/pilots",
        json!({"org": uscc(70001), "level": "province", "year": "2026"}),
    )
    .await
    .refused(409, "duplicate_pilot");
    // The dashboard and its CSV say the same as the API.
    let b = app.browser("city").await;
    let dash = b.get_ok("/dashboard?org=320402&period=2026").await;
    let n = gongjiang_web::i18n::group(
        value(&app, &city, "320402", "2026", "pilot_enterprises").await as i64,
    );
    assert!(dash.contains(&format!("data-indicator=\"pilot_enterprises\"><div class=\"stat-label\">试点企业数</div><div class=\"stat-value\">{n}")), "dashboard shows {n}");
    let (_, csv) = b.get("/dashboard/export.csv?org=320402&period=2026").await;
    let first = csv.lines().nth(1).unwrap();
    assert!(
        first.starts_with("\"天宁区\",320402,")
            && first.split(',').nth(2).unwrap()
                == (value(&app, &city, "320402", "2026", "pilot_enterprises").await as i64)
                    .to_string(),
        "{first}"
    );
    // Moving the enterprise to another district moves its contribution.
    let wujin_before = ind(
        &app.get(&city, "/api/v1/indicators?org=320412&period=2026")
            .await
            .1,
        "pilot_enterprises",
    )
    .unwrap();
    app.patch_ok(
        &city,
        &format!("/api/v1/orgs/{eid}"),
        json!({"region_code": "320412"}),
    )
    .await;
    assert_eq!(
        value(&app, &city, "320402", "2026", "pilot_enterprises").await,
        before
    );
    assert_eq!(
        ind(
            &app.get(&city, "/api/v1/indicators?org=320412&period=2026")
                .await
                .1,
            "pilot_enterprises"
        )
        .unwrap(),
        wujin_before + 1.0
    );
    // It cannot be deleted while it has register records.
    app.send(
        Method::DELETE,
        &city,
        &format!("/api/v1/orgs/{eid}"),
        json!({}),
    )
    .await
    .refused(409, "has_records");
    // Deleting the pilots takes the count back.
    let (_, list) = app
        .get(&city, &format!("/api/v1/pilots?org_id={eid}"))
        .await;
    for p in list["items"].as_array().unwrap() {
        assert_eq!(
            app.send(
                Method::DELETE,
                &city,
                &format!("/api/v1/pilots/{}", p["id"]),
                json!({})
            )
            .await
            .0,
            204
        );
    }
    assert_eq!(
        ind(
            &app.get(&city, "/api/v1/indicators?org=320412&period=2026")
                .await
                .1,
            "pilot_enterprises"
        )
        .unwrap(),
        wujin_before
    );
    // And the maintained aggregates equal a full recomputation.
    let maintained = agg_snapshot(&app).await;
    let mut tx = app.svc.db.begin().await.unwrap();
    gongjiang_storage::indicators::rebuild(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(maintained, agg_snapshot(&app).await);
}

#[tokio::test]
async fn register_validation_and_scope() {
    let app = spawn_demo().await;
    let t = app.token("tianning").await;
    let city = app.token("city").await;
    let member = app.org_id(&city, "kind=member_unit").await;
    app.post(
        &app.token("city").await,
        "/api/v1/pilots",
        json!({"org": member.to_string(), "level": "city", "year": "2024"}),
    )
    .await
    .refused_on(422, "org");
    let park = app.first_uscc(&t, "kind=park").await;
    app.post(
        &t,
        "/api/v1/pilots",
        json!({"org": park, "level": "city", "ptype": "enterprise", "year": "2024"}),
    )
    .await
    .refused_on(422, "ptype");
    let v = app
        .post(
            &t,
            "/api/v1/pilots",
            json!({"org": park, "level": "国家级", "year": "24"}),
        )
        .await
        .answers(422);
    let fields: Vec<_> = v["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["level", "year"]);
    let wujin_ent = app.first_uscc(&city, "region=320412&kind=enterprise").await;
    let (s, v) = app
        .post(
            &t,
            "/api/v1/pilots",
            json!({"org": wujin_ent, "level": "city", "year": "2024"}),
        )
        .await;
    refused_on(s, &v, 422, "org");
    assert!(v["error"]["message"].as_str().unwrap().contains("管辖范围"));
    let unit = app.token("unit").await;
    assert_eq!(app.post(&unit, "/api/v1/pilots", json!({})).await.0, 403);
    // Another district's pilot: 404 like a missing one.
    let (_, wp) = app
        .get(&city, "/api/v1/pilots?region=320412&per_page=1")
        .await;
    let wid = wp["items"][0]["id"].as_i64().unwrap();
    assert_eq!(
        app.get(&t, &format!("/api/v1/pilots/{wid}")).await,
        app.get(&t, "/api/v1/pilots/99999999").await
    );
    assert_eq!(
        app.send(
            Method::DELETE,
            &t,
            &format!("/api/v1/pilots/{wid}"),
            json!({})
        )
        .await
        .0,
        404
    );

    // Designations: person-held types need the worker registry.
    let ent = app.first_uscc(&t, "kind=enterprise").await;
    // Person-held titles need the holder's ID number (a registered worker).
    let (s, v) = app
        .post(
            &t,
            "/api/v1/designations",
            json!({"dtype": "龙城工匠", "level": "市级", "year": "2024", "org": ent}),
        )
        .await;
    refused_on(s, &v, 422, "worker");
    assert!(v["error"]["message"].as_str().unwrap().contains("身份证号"));
    let s0 = value(&app, &city, "320402", "2026", "innovation_studios").await;
    let (s, d) = app.post(&t, "/api/v1/designations", json!({"dtype": "创新工作室", "level": "区级", "year": "2024", "org": ent, "holder_name": "测试劳模创新工作室"})).await;
    assert_eq!(s, 201, "{d}");
    assert_eq!(
        value(&app, &city, "320402", "2026", "innovation_studios").await,
        s0,
        "district-level studios are not counted"
    );
    app.patch_ok(
        &t,
        &format!("/api/v1/designations/{}", d["id"]),
        json!({"level": "市级"}),
    )
    .await;
    assert_eq!(
        value(&app, &city, "320402", "2026", "innovation_studios").await,
        s0 + 1.0
    );
    app.post(
        &t,
        "/api/v1/designations",
        json!({"dtype": "innovation_studio", "level": "city", "year": "2024", "org": ent}),
    )
    .await
    .refused(409, "duplicate_designation");
    let (_, list) = app
        .get(&t, "/api/v1/designations?dtype=创新工作室&year=2024")
        .await;
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["holder_name"] == "测试劳模创新工作室"));
    app.get(&t, "/api/v1/designations?dtype=nonsense")
        .await
        .answers(400);
}

#[tokio::test]
async fn concurrent_registrations_never_double_count() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let mut usccs = Vec::new();
    for i in 0..12u32 {
        app.post(&city, "/api/v1/orgs", json!({"name": format!("并发试点{i}号有限公司"), "kind": "enterprise", "uscc": uscc(80_000 + i), "region_code": "320411"})).await.answers(201);
        usccs.push(uscc(80_000 + i));
    }
    let before = ind(
        &app.get(&city, "/api/v1/indicators?org=320411&period=2026")
            .await
            .1,
        "pilot_enterprises",
    )
    .unwrap();
    // Each enterprise registered twice at the same level, at the same moment: exactly one wins.
    let body = |u: &String| json!({"org": u, "level": "county", "year": "2025"});
    let requests = usccs
        .iter()
        .chain(usccs.iter())
        .map(|u| (city.clone(), "/api/v1/pilots".to_string(), body(u)))
        .collect();
    let codes = app.post_at_once(requests).await;
    assert_eq!(
        (tally(&codes, 201), tally(&codes, 409)),
        (12, 12),
        "{codes:?}"
    );
    assert_eq!(
        ind(
            &app.get(&city, "/api/v1/indicators?org=320411&period=2026")
                .await
                .1,
            "pilot_enterprises"
        )
        .unwrap(),
        before + 12.0
    );
    let maintained = agg_snapshot(&app).await;
    let mut tx = app.svc.db.begin().await.unwrap();
    gongjiang_storage::indicators::rebuild(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(maintained, agg_snapshot(&app).await);
}

#[tokio::test]
async fn console_pages_for_registers() {
    let app = spawn_demo().await;
    let b = app.browser("tianning").await;
    let list = b.get_ok("/pilots?level=city").await;
    assert!(list.contains("市级") && list.contains("登记试点"));
    let html = b
        .refused(
            "/pilots",
            &[
                ("org", "91320402MA1XXXXX00"),
                ("level", "city"),
                ("year", "20x4"),
            ],
        )
        .await;
    assert!(html.contains("不存在或不在您的管辖范围内") && html.contains("年份“20x4”无效"));
    assert!(html.contains("value=\"91320402MA1XXXXX00\""));
    let t = app.token("tianning").await;
    let (_, e) = app.post(&t, "/api/v1/orgs", json!({"name": "常州页面试点有限公司", "kind": "enterprise", "uscc": uscc(60606), "region_code": "320402"})).await;
    let loc = b
        .saved(
            "/pilots",
            &[
                ("org", &uscc(60606)),
                ("level", "town"),
                ("year", demo_period(1)),
                ("feature", "页面登记"),
                ("benchmark", "1"),
            ],
        )
        .await;
    assert_eq!(
        loc.unwrap(),
        format!("/orgs/{}?tab=pilots&saved=1", e["id"])
    );
    let (_, tab) = b.get(&format!("/orgs/{}?tab=pilots", e["id"])).await;
    assert!(tab.contains("页面登记") && tab.contains("镇级") && tab.contains("标杆"));
    let (s, html, _) = b
        .post(
            "/designations",
            &[
                ("dtype", "innovation_studio"),
                ("level", "city"),
                ("year", demo_period(1)),
                ("org", &uscc(60606)),
                ("holder_name", "页面工作室"),
            ],
        )
        .await;
    assert_eq!(s, 303, "{html}");
    let (_, tab) = b.get(&format!("/orgs/{}?tab=designations", e["id"])).await;
    assert!(tab.contains("页面工作室") && tab.contains("创新工作室"));
    let dash = b.get_ok("/dashboard").await;
    assert!(
        dash.contains("天宁区")
            && dash.contains("data-chart=")
            && dash.contains("在册职工技能等级分布")
    );
    let (_, csv) = b.get("/dashboard/export.csv?org=320402").await;
    assert!(
        csv.contains("高级工,") && csv.contains(&format!("{},", demo_period(0))),
        "{csv}"
    );
    let (_, home) = b.get("/").await;
    assert!(home.contains("试点企业数"));
    let (_, en) = b.get("/dashboard?lang=en").await;
    assert!(en.contains("Pilot enterprises"));
}

/// The JSON of the dashboard chart whose element carries `data-chart-kind="{kind}"`.
fn chart_json(html: &str, kind: &str) -> Value {
    let marker = format!("data-chart-kind=\"{kind}\" data-chart=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {kind} chart"))
        + marker.len();
    let raw = &html[start..start + html[start..].find('"').unwrap()];
    attribute_json(raw)
}

/// (code, name, pilot enterprises, pilot parks) of every child, from the API.
async fn pilots_by_child(
    app: &TestApp,
    tok: &str,
    org: &str,
    period: &str,
) -> Vec<(String, String, i64, i64)> {
    let v = app
        .get_ok(
            tok,
            &format!("/api/v1/indicators?org={org}&period={period}&by=child"),
        )
        .await;
    v["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["org"]["code"].as_str().unwrap().to_string(),
                c["org"]["name"].as_str().unwrap().to_string(),
                ind(c, "pilot_enterprises").unwrap() as i64,
                ind(c, "pilot_parks").unwrap() as i64,
            )
        })
        .collect()
}

/// Checks a treemap level against the API's children: every child with pilots is
/// there with the engine's numbers, sized by their sum, in the same order; none
/// without pilots.
fn same_as_api(tree: &Value, api: &[(String, String, i64, i64)]) {
    let expected: Vec<_> = api.iter().filter(|c| c.2 + c.3 > 0).collect();
    let got = tree.as_array().unwrap();
    assert_eq!(got.len(), expected.len(), "{tree}");
    for (g, (code, name, e, p)) in got.iter().zip(expected) {
        assert_eq!(
            (
                g["code"].as_str().unwrap(),
                g["name"].as_str().unwrap(),
                g["enterprises"].as_i64().unwrap(),
                g["parks"].as_i64().unwrap(),
                g["value"].as_i64().unwrap()
            ),
            (code.as_str(), name.as_str(), *e, *p, e + p)
        );
    }
}

#[tokio::test]
async fn dashboard_pilot_treemap_by_district_and_town() {
    let app = spawn_demo().await;
    let tok = app.token("city").await;
    let b = app.browser("city").await;
    let (s, page) = b
        .get(&format!("/dashboard?org=320400&period={}", demo_period(1)))
        .await;
    assert_eq!(s, 200);
    assert!(page.contains("试点分布（按区域逐级）"), "treemap card");
    let tm = chart_json(&page, "treemap");
    assert_eq!(tm["kind"], "treemap");
    assert_eq!(
        tm["drill"],
        format!("/dashboard?period={}&org=", demo_period(1))
    );
    assert_eq!(tm["labels"], json!(["试点企业数", "特色产业园区试点数"]));
    let tree = &tm["tree"];
    // Districts: the engine's numbers for each subdivision, as the API gives them.
    let districts = pilots_by_child(&app, &tok, "320400", demo_period(1)).await;
    same_as_api(tree, &districts);
    // Together they are the city's pilots.
    let total: i64 = tree
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["value"].as_i64().unwrap())
        .sum();
    assert_eq!(
        total as f64,
        value(&app, &tok, "320400", demo_period(1), "pilot_enterprises").await
            + value(&app, &tok, "320400", demo_period(1), "pilot_parks").await
    );
    // Towns under each district: again the engine's numbers, and they add up to the
    // district (the organisations directly in a district are there too).
    let mut towns_seen = 0;
    for d in tree.as_array().unwrap() {
        let code = d["code"].as_str().unwrap();
        let towns = pilots_by_child(&app, &tok, code, demo_period(1)).await;
        same_as_api(&d["children"], &towns);
        let (e, p) = d["children"]
            .as_array()
            .unwrap()
            .iter()
            .fold((0, 0), |(e, p), t| {
                (
                    e + t["enterprises"].as_i64().unwrap(),
                    p + t["parks"].as_i64().unwrap(),
                )
            });
        assert_eq!(
            (e, p),
            (
                d["enterprises"].as_i64().unwrap(),
                d["parks"].as_i64().unwrap()
            ),
            "{code}"
        );
        towns_seen += d["children"].as_array().unwrap().len();
    }
    assert!(towns_seen > 20, "{towns_seen}");
    let tianning = tree
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "320402")
        .unwrap()
        .clone();
    // Pilot parks count too (the seed's 20).
    assert!(tree
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["parks"].as_i64().unwrap() > 0));

    // The CSV of every chart carries the treemap's numbers, district and town rows.
    let (_, csv) = b
        .get(&format!(
            "/dashboard/export.csv?org=320400&period={}",
            demo_period(1)
        ))
        .await;
    assert!(
        csv.contains("\r\n区域,下级区域,代码,试点企业数,特色产业园区试点数\r\n"),
        "{csv}"
    );
    assert!(
        csv.contains(&format!(
            "\r\n\"天宁区\",,320402,{},{}\r\n",
            tianning["enterprises"], tianning["parks"]
        )),
        "{csv}"
    );
    for t in tianning["children"].as_array().unwrap() {
        assert!(
            csv.contains(&format!(
                "\r\n\"天宁区\",\"{}\",{},{},{}\r\n",
                t["name"].as_str().unwrap(),
                t["code"].as_str().unwrap(),
                t["enterprises"],
                t["parks"]
            )),
            "{t} in {csv}"
        );
    }

    // Drill-down: a rectangle leads to the district's dashboard, whose treemap goes
    // from towns to their organisations.
    let town = tianning["children"][0].clone();
    let (s, page) = b
        .get(&format!("{}{}", tm["drill"].as_str().unwrap(), "320402"))
        .await;
    assert_eq!(s, 200);
    let tm = chart_json(&page, "treemap");
    same_as_api(
        &tm["tree"],
        &pilots_by_child(&app, &tok, "320402", demo_period(1)).await,
    );
    let t = tm["tree"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == town["code"])
        .unwrap();
    same_as_api(
        &t["children"],
        &pilots_by_child(&app, &tok, town["code"].as_str().unwrap(), demo_period(1)).await,
    );
    assert!(!t["children"].as_array().unwrap().is_empty());
    // A town's pilot enterprises are organisations: their rectangles drill to them.
    let org = t["children"][0]["code"].as_str().unwrap().to_string();
    let (s, page) = b
        .get(&format!("/dashboard?period={}&org={org}", demo_period(1)))
        .await;
    assert_eq!(s, 200, "{org}");
    // An enterprise has nothing below it: the card says so instead of an empty frame.
    assert!(
        page.contains("data-chart-kind=\"treemap\"")
            || page.contains("暂无数据：下一级没有试点企业或试点园区。"),
        "treemap or its sentence"
    );
    // English labels follow the language.
    let (_, en) = b
        .get(&format!(
            "/dashboard?org=320400&period={}&lang=en",
            demo_period(1)
        ))
        .await;
    assert_eq!(
        chart_json(&en, "treemap")["labels"],
        json!(["Pilot enterprises", "Featured industrial-park pilots"])
    );
}
