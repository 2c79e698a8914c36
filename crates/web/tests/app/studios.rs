//! 劳模（工匠）创新工作室 (issue #12, point 5): a studio led by a titled worker, its
//! members, and the yearly review on the engine whose score moves the studio and its
//! designation.

use crate::helpers::*;
use serde_json::json;

use crate::helpers::err_field as field;

async fn indicator(app: &TestApp, token: &str, period: &str, code: &str) -> Option<f64> {
    indicator_at(app, token, "320400", period, code).await["value"].as_f64()
}

#[tokio::test]
async fn the_demo_has_studios_and_their_reviews() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let rate = indicator(
        &app,
        &city,
        &demo_year().to_string(),
        "studio_review_pass_rate",
    )
    .await
    .expect("reviews decided");
    assert!(rate > 80.0 && rate < 100.0, "{rate}");
    let l = app.get_ok(&city, "/api/v1/studios").await;
    assert!(l["total"].as_i64().unwrap() >= 10, "{l}");
    let b = app.browser("city").await;
    let html = b.get_ok("/studios").await;
    assert!(html.contains("创新工作室年度评估通过率"), "{html}");
    let id = l["items"][0]["id"].as_i64().unwrap();
    let html = b.get_ok(&format!("/studios/{id}")).await;
    assert!(html.contains("年度评估") && html.contains("创新成果") && html.contains("领办人"));
}

#[tokio::test]
async fn a_studio_is_led_by_a_titled_worker_and_reviewed_on_the_engine() {
    let app = spawn_demo().await;
    let unit = app.token("unit").await;
    let city = app.token("city").await;
    let admin = app.token("admin").await;
    // The unit's workers: one with a title (the demo's enterprise round), one without.
    let ws = app.get_ok(&unit, "/api/v1/workers?per_page=200").await;
    let ids: Vec<i64> = ws["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_i64().unwrap())
        .collect();
    let mut titled = None;
    let mut plain = None;
    for w in &ids {
        let d = app
            .get_ok(
                &city,
                &format!("/api/v1/designations?worker_id={w}&per_page=50"),
            )
            .await;
        let has = d["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["dtype"] == "longcheng_craftsman" || x["dtype"] == "model_worker");
        if has {
            titled.get_or_insert(*w);
        } else {
            plain.get_or_insert(*w);
        }
    }
    let titled = titled.expect("a titled worker");
    let plain = match plain {
        Some(p) => p,
        None => {
            // Register one without a title.
            let first17 = "32040219900307123";
            let id = format!(
                "{first17}{}",
                gongjiang_domain::IdNumber::check_char(first17).unwrap()
            );
            let (s, w) = app
                .post(
                    &unit,
                    "/api/v1/workers",
                    json!({"name": "王未评", "id_number": id, "org": ws["items"][0]["org_id"].to_string()}),
                )
                .await;
            assert!(s == 200 || s == 201, "{w}");
            w["id"].as_i64().unwrap()
        }
    };
    let studio = |leader: i64| json!({"name": "测试创新工作室", "level": "区级", "founded": demo_year(), "leader": leader.to_string()});
    let (s, e) = app.post(&unit, "/api/v1/studios", studio(plain)).await;
    assert_eq!((s, field(&e).as_str()), (422, "leader"), "{e}");
    assert!(e.to_string().contains("劳动模范"), "{e}");
    let (s, st) = app.post(&unit, "/api/v1/studios", studio(titled)).await;
    assert_eq!(s, 201, "{st}");
    let id = st["id"].as_i64().unwrap();
    assert!(st["designation_id"].is_i64());
    // Members: the enterprise's own workers, once.
    app.post(
        &unit,
        &format!("/api/v1/studios/{id}/members"),
        json!({"worker": plain.to_string()}),
    )
    .await
    .answers(201);
    let (s, e) = app
        .post(
            &unit,
            &format!("/api/v1/studios/{id}/members"),
            json!({"worker": plain.to_string()}),
        )
        .await;
    assert_eq!((s, field(&e).as_str()), (422, "worker"), "{e}");
    // The same refusal on the studio's page: beside the member field, as typed and tied
    // to it for a screen reader; the page's other form (the review) stays clean.
    let b = app.browser("unit").await;
    let typed = plain.to_string();
    let (s, html, _) = b
        .post(&format!("/studios/{id}/members"), &[("worker", &typed)])
        .await;
    assert_eq!(s, 422, "{html}");
    let member = format!(r#"name="worker" value="{typed}""#);
    assert!(html.contains(&member), "{html}");
    assert!(html.contains(r#"aria-describedby="h-worker e-worker" aria-invalid="true">"#));
    assert!(
        html.contains(r#"<div class="field-error" id="e-worker">"#),
        "{html}"
    );
    assert!(html.contains(r#"<textarea id="f-report" name="report" rows="4">"#));
    assert_eq!(html.matches("field-error").count(), 1, "{html}");

    // The review: the district checks, three experts score 95, the city decides.
    let (s, r) = app
        .post(
            &unit,
            &format!("/api/v1/studios/{id}/reviews"),
            json!({"year": this_year(), "report": "攻关项目两项，带徒五名。"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let (s, e) = app
        .post(
            &unit,
            &format!("/api/v1/studios/{id}/reviews"),
            json!({"year": this_year(), "report": "再次提交"}),
        )
        .await;
    assert_eq!((s, field(&e).as_str()), (422, "year"), "{e}");
    let case = r["case_id"].as_i64().unwrap();
    let accept = json!({"action": "accept", "comment": "同意"});
    let mut accepted = false;
    for d in ["tianning", "wujin", "city"] {
        let t = app.token(d).await;
        let (s, _) = app
            .post(&t, &format!("/api/v1/cases/{case}/actions"), accept.clone())
            .await;
        if s == 200 {
            accepted = true;
            break;
        }
    }
    assert!(accepted, "the studio's area checks the review");
    for e in ["expert", "expert2", "expert3"] {
        let (s, v) = app
            .post(
                &city,
                &format!("/api/v1/cases/{case}/experts"),
                json!({"expert": e}),
            )
            .await;
        assert!(s == 200 || s == 201, "{v}");
        let t = app.token(e).await;
        app.send_ok(
            reqwest::Method::PUT,
            &t,
            &format!("/api/v1/cases/{case}/score"),
            json!({"score": 95, "comment": "成效突出"}),
        )
        .await;
    }
    app.post_ok(&admin, &format!("/api/v1/cases/{case}/actions"), accept)
        .await;
    let rs = app
        .get_ok(&unit, &format!("/api/v1/studios/{id}/reviews"))
        .await;
    assert_eq!(rs[0]["outcome"], "upgraded", "{rs}");
    assert_eq!(rs[0]["level_after"], "city");
    let st = app.get_ok(&unit, &format!("/api/v1/studios/{id}")).await;
    assert_eq!(st["level"], "city", "the studio follows");
    let d = app
        .get_ok(
            &city,
            "/api/v1/designations?dtype=innovation_studio&level=city&per_page=500",
        )
        .await;
    assert!(
        d["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == st["designation_id"]),
        "the registry follows"
    );
}
