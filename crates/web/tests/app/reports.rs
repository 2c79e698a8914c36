//! The yearly statistics: validation on entry, the review flow, live indicators,
//! completeness and reminders, concurrent reviewers.

use crate::helpers::*;
use serde_json::{json, Value};

async fn indicator(app: &TestApp, tok: &str, org: &str, period: &str, code: &str) -> Value {
    indicator_at(app, tok, org, period, code).await
}

#[tokio::test]
async fn demo_statistics_reach_the_seed_figures() {
    let app = spawn_demo().await;
    let t = app.token("city").await;
    let covered = indicator(&app, &t, "320400", demo_period(0), "pilot_workers_covered").await
        ["value"]
        .as_f64()
        .unwrap();
    assert!(covered >= 520_000.0, "{covered}");
    let ratio = indicator(&app, &t, "320400", demo_period(0), "high_skilled_per_10k").await;
    let r = ratio["value"].as_f64().unwrap();
    assert!((1_300.0..1_460.0).contains(&r), "{r}");
    assert!(ratio["numerator"].as_i64().unwrap() > 0 && ratio["denominator"].as_i64().unwrap() > 0);
    let new = indicator(&app, &t, "320400", demo_period(0), "high_skilled_new").await["value"]
        .as_f64()
        .unwrap();
    assert!((12_000.0..22_000.0).contains(&new), "{new}");
    // In-period: 2022 has its own (smaller) figures.
    let w22 = indicator(&app, &t, "320400", demo_period(-1), "workers_total").await["value"]
        .as_f64()
        .unwrap();
    let w23 = indicator(&app, &t, "320400", demo_period(0), "workers_total").await["value"]
        .as_f64()
        .unwrap();
    assert!(w22 < w23);
    let (_, list) = app
        .get(
            &t,
            &format!("/api/v1/reports?period={}&per_page=1", demo_period(0)),
        )
        .await;
    assert_eq!(list["total"], 1200);
}

#[tokio::test]
async fn a_report_from_entry_to_lock() {
    let app = spawn_demo().await;
    let unit = app.token("unit").await;
    let tn = app.token("tianning").await;
    let city = app.token("city").await;
    let me = app.get(&unit, "/api/v1/me").await.1;
    let org = me["org_id"].as_i64().unwrap().to_string();
    let workers_before = indicator(&app, &city, "320402", demo_period(1), "workers_total").await
        ["value"]
        .as_f64()
        .unwrap();

    // Validation on entry: every broken rule at once, nothing saved.
    let (s, v) = app.post(&unit, "/api/v1/reports", json!({"org": org, "period": demo_period(1), "values": {"workers": 100, "high_skilled": 150, "frontline_workers": "一百", "培训投入万元": "1.234", "bogus": 1}})).await;
    assert_eq!(s, 422, "{v}");
    let fields: Vec<_> = v["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_string())
        .collect();
    assert!(
        fields.contains(&"bogus".to_string())
            && fields.contains(&"frontline_workers".to_string())
            && fields.contains(&"training_spend_wan".to_string()),
        "{fields:?}"
    );
    let (s, v) = app
        .post(
            &unit,
            "/api/v1/reports",
            json!({"org": org, "period": demo_period(1), "values": {"workers": 100, "high_skilled": 150}}),
        )
        .await;
    refused_on(s, &v, 422, "high_skilled");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("不能大于职工总数"));
    assert_eq!(
        app.get(
            &unit,
            &format!("/api/v1/reports?org_id={org}&period={}", demo_period(1))
        )
        .await
        .1["total"],
        0
    );

    // Draft, then submit.
    let r = app.post_ok(&unit, "/api/v1/reports", json!({"org": org, "period": demo_period(1), "values": {"workers": "1,200", "high_skilled": 180, "frontline_workers": 800, "培训投入万元": "12.5"}})).await;
    assert_eq!(r["status"], "draft");
    assert_eq!(r["values"]["training_spend_wan"], 12.5);
    let id = r["id"].as_i64().unwrap();
    let tr = |tok: String, action: &'static str, reason: Option<&'static str>| {
        let app = &app;
        async move {
            app.post(
                &tok,
                &format!("/api/v1/reports/{id}/transition"),
                json!({"action": action, "reason": reason}),
            )
            .await
        }
    };
    assert_eq!(
        tr(unit.clone(), "approve", None).await.0,
        403,
        "a unit cannot approve"
    );
    let (s, r) = tr(unit.clone(), "submit", None).await;
    assert_eq!((s, r["status"].as_str()), (200, Some("submitted")));
    // Submitted: the unit cannot change it any more.
    app.post(
        &unit,
        "/api/v1/reports",
        json!({"org": org, "period": demo_period(1), "values": {"workers": 1}}),
    )
    .await
    .refused(409, "report_not_editable");
    // Not counted until approved; then counted at once.
    assert_eq!(
        indicator(&app, &city, "320402", demo_period(1), "workers_total").await["value"]
            .as_f64()
            .unwrap(),
        workers_before
    );
    let (s, r) = tr(tn.clone(), "approve", None).await;
    assert_eq!((s, r["status"].as_str()), (200, Some("approved")), "{r}");
    assert_eq!(
        indicator(&app, &city, "320402", demo_period(1), "workers_total").await["value"]
            .as_f64()
            .unwrap(),
        workers_before + 1200.0
    );
    // Return needs a reason; returning takes the figures out again.
    let (s, v) = tr(tn.clone(), "return", None).await;
    refused_on(s, &v, 422, "reason");
    let (s, r) = tr(tn.clone(), "return", Some("一线职工数有误")).await;
    assert_eq!(
        (s, r["return_reason"].as_str()),
        (200, Some("一线职工数有误"))
    );
    assert_eq!(
        indicator(&app, &city, "320402", demo_period(1), "workers_total").await["value"]
            .as_f64()
            .unwrap(),
        workers_before
    );
    // The unit sees it in its inbox, corrects and resubmits.
    let b = app.browser("unit").await;
    let (_, home) = b.get("/").await;
    assert!(
        home.contains("一线职工数有误"),
        "returned report in the inbox"
    );
    app.post_ok(&unit, "/api/v1/reports", json!({"org": org, "period": demo_period(1), "values": {"workers": 1200, "high_skilled": 180, "frontline_workers": 700}, "submit": true})).await;
    assert_eq!(tr(tn.clone(), "approve", None).await.0, 200);
    // Lock: city only; locked cannot be returned or edited.
    assert_eq!(tr(tn.clone(), "lock", None).await.0, 403);
    let (s, r) = tr(city.clone(), "lock", None).await;
    assert_eq!((s, r["status"].as_str()), (200, Some("locked")));
    let (s, v) = tr(tn.clone(), "return", Some("x")).await;
    refused(s, &v, 409, "bad_transition");
    assert_eq!(
        indicator(&app, &city, "320402", demo_period(1), "workers_total").await["value"]
            .as_f64()
            .unwrap(),
        workers_before + 1200.0
    );
    // The history is complete.
    let (_, log) = app
        .get(
            &app.token("admin").await,
            &format!("/api/v1/audit?entity_kind=report&entity_id={id}&per_page=50"),
        )
        .await;
    let actions: Vec<_> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        actions,
        [
            "create",
            "report_submit",
            "report_approve",
            "report_return",
            "update",
            "report_submit",
            "report_approve",
            "report_lock"
        ]
    );
    // Another district cannot see it.
    let wj = app.token("wujin").await;
    assert_eq!(app.get(&wj, &format!("/api/v1/reports/{id}")).await.0, 404);
    assert_eq!(
        app.post(
            &wj,
            &format!("/api/v1/reports/{id}/transition"),
            json!({"action": "unlock"})
        )
        .await
        .0,
        404
    );
}

#[tokio::test]
async fn concurrent_reviewers_exactly_one_wins() {
    let app = spawn_demo().await;
    let tn = app.token("tianning").await;
    let (_, list) = app
        .get(
            &tn,
            &format!(
                "/api/v1/reports?period={}&status=submitted&per_page=1",
                demo_period(1)
            ),
        )
        .await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    let city = app.token("city").await;
    let path = format!("/api/v1/reports/{id}/transition");
    let requests = (0..8)
        .map(|i| {
            let tok = if i % 2 == 0 { &tn } else { &city };
            (tok.clone(), path.clone(), json!({"action": "approve"}))
        })
        .collect();
    let codes = app.post_at_once(requests).await;
    assert_eq!(
        (tally(&codes, 200), tally(&codes, 409)),
        (1, 7),
        "{codes:?}"
    );
}

#[tokio::test]
async fn completeness_reminders_and_pilot_coverage() {
    let app = spawn_demo().await;
    let tn = app.token("tianning").await;
    let rows = app
        .get_ok(
            &tn,
            &format!(
                "/api/v1/reports/completeness?region=320402&period={}",
                demo_period(1)
            ),
        )
        .await;
    let rows = rows.as_array().unwrap().clone();
    assert!(!rows.is_empty());
    let expected: i64 = rows.iter().map(|r| r["expected"].as_i64().unwrap()).sum();
    let submitted: i64 = rows.iter().map(|r| r["submitted"].as_i64().unwrap()).sum();
    let total = app
        .get(&tn, "/api/v1/orgs?region=320402&kind=enterprise&per_page=1")
        .await
        .1["total"]
        .as_i64()
        .unwrap()
        + app
            .get(&tn, "/api/v1/orgs?region=320402&kind=park&per_page=1")
            .await
            .1["total"]
            .as_i64()
            .unwrap();
    assert_eq!(expected, total);
    assert!(submitted > 0 && submitted < expected);
    assert_eq!(
        app.get(
            &tn,
            &format!(
                "/api/v1/reports/completeness?region=320412&period={}",
                demo_period(1)
            )
        )
        .await
        .0,
        404
    );
    let (s, n) = app
        .post(
            &tn,
            "/api/v1/reports/remind",
            json!({"region": "320402", "period": demo_period(1)}),
        )
        .await;
    assert_eq!(s, 200);
    assert!(n["count"].as_i64().unwrap() >= expected - submitted);
    // Another district's region, or one that does not exist, answers 404 and
    // reminds nobody.
    for region in ["320412", "999999"] {
        let (s, e) = app
            .post(
                &tn,
                "/api/v1/reports/remind",
                json!({"region": region, "period": demo_period(1)}),
            )
            .await;
        assert_eq!(s, 404, "{region}: {e}");
    }
    let b = app.browser("unit").await;
    let (_, home) = b.get("/").await;
    assert!(
        home.contains(&format!("请填报 {} 年产改统计表", demo_period(1))),
        "reminder in the unit's inbox"
    );
    assert_eq!(
        app.post(
            &app.token("unit").await,
            "/api/v1/reports/remind",
            json!({"region": "320402", "period": demo_period(1)})
        )
        .await
        .0,
        403
    );
    let (s, page) = app
        .browser("tianning")
        .await
        .get(&format!("/reports/completeness?period={}", demo_period(1)))
        .await;
    assert_eq!(s, 200);
    assert!(page.contains("未报送单位") && page.contains("data-chart="));

    // Pilot coverage: a new enterprise's approved report counts as covered only once it is a pilot.
    let city = app.token("city").await;
    let (_, _) = app.post(&city, "/api/v1/orgs", json!({"name": "覆盖测试有限公司", "kind": "enterprise", "uscc": uscc(90909), "region_code": "320404"})).await;
    let r = app.post_ok(&city, "/api/v1/reports", json!({"org": uscc(90909), "period": demo_period(0), "values": {"workers": 5000}, "submit": true})).await;
    let before = indicator(
        &app,
        &city,
        "320404",
        demo_period(0),
        "pilot_workers_covered",
    )
    .await["value"]
        .as_f64()
        .unwrap();
    // The city submitted it, so someone else at the city level approves.
    let (s, v) = app
        .post(
            &app.token("admin").await,
            &format!("/api/v1/reports/{}/transition", r["id"]),
            json!({"action": "approve"}),
        )
        .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("approved")), "{v}");
    assert_eq!(
        indicator(
            &app,
            &city,
            "320404",
            demo_period(0),
            "pilot_workers_covered"
        )
        .await["value"]
            .as_f64()
            .unwrap(),
        before
    );
    app.post(
        &city,
        "/api/v1/pilots",
        json!({"org": uscc(90909), "level": "city", "year": demo_period(0)}),
    )
    .await
    .answers(201);
    assert_eq!(
        indicator(
            &app,
            &city,
            "320404",
            demo_period(0),
            "pilot_workers_covered"
        )
        .await["value"]
            .as_f64()
            .unwrap(),
        before + 5000.0
    );
}

#[tokio::test]
async fn report_pages() {
    let app = spawn_demo().await;
    let b = app.browser("unit").await;
    let form = b
        .get_ok(&format!("/reports/new?period={}", demo_period(1)))
        .await;
    assert!(form.contains("职工总数") && form.contains("保存并报送"));
    let html = b
        .refused(
            "/reports",
            &[
                ("period", demo_period(1)),
                ("workers", "100"),
                ("high_skilled", "101"),
                ("submit", "1"),
            ],
        )
        .await;
    assert!(html.contains("不能大于职工总数") && html.contains("value=\"101\""));
    let loc = b
        .saved(
            "/reports",
            &[
                ("period", demo_period(1)),
                ("workers", "100"),
                ("high_skilled", "20"),
                ("submit", "1"),
            ],
        )
        .await;
    let loc = loc.unwrap();
    let (_, page) = b.get(&loc).await;
    assert!(page.contains("已报送") && page.contains("class=\"step current\""));
    let id = loc
        .trim_start_matches("/reports/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let tb = app.browser("tianning").await;
    let (_, review) = tb.get(&format!("/reports/{id}")).await;
    assert!(review.contains("审核通过") && review.contains("退回修改"));
    let html = tb
        .refused(
            &format!("/reports/{id}/transition"),
            &[("action", "return"), ("reason", "")],
        )
        .await;
    assert!(html.contains("退回原因为必填项"));
    tb.saved(
        &format!("/reports/{id}/transition"),
        &[("action", "approve"), ("reason", "")],
    )
    .await;
    let (_, list) = tb
        .get(&format!(
            "/reports?period={}&status=approved",
            demo_period(1)
        ))
        .await;
    assert!(list.contains("已审核"));
}

/// "Approved by the level above": the staff of the organisation's own region (its town)
/// or of any region above it, never the person who submitted the report, never a unit.
#[tokio::test]
async fn reviewer_is_the_level_above_and_never_the_submitter() {
    let app = spawn_demo().await;
    let admin = app.token("admin").await;
    let tn = app.token("tianning").await;
    let city = app.token("city").await;
    let unit = app.token("unit").await;
    let org_id = app.get(&unit, "/api/v1/me").await.1["org_id"]
        .as_i64()
        .unwrap();
    let town = app.get(&tn, &format!("/api/v1/orgs/{org_id}")).await.1["region_code"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(town.starts_with("320402") && town != "320402", "{town}");
    let mk = |name: &'static str, role: &'static str, org: String| {
        let (app, admin) = (&app, admin.clone());
        async move {
            let (s, u) = app
                .post(
                    &admin,
                    "/api/v1/users",
                    json!({"username": name, "role": role, "org": org, "password": "Review-2024-ok"}),
                )
                .await;
            assert_eq!(s, 201, "{u}");
            let r = app
                .client
                .post(app.at("/api/v1/auth/login"))
                .json(&json!({"username": name, "password": "Review-2024-ok"}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "login {name}");
            r.json::<Value>().await.unwrap()["token"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let town_staff = mk("zhenli", "town", town.clone()).await;
    // A platform operator attached to another district reads everything, but is not above
    // a 天宁 enterprise.
    let ops = mk("ops_wujin", "sysadmin", "320412".into()).await;

    // The district enters and submits the enterprise's report itself.
    let (s, r) = app.post(&tn, "/api/v1/reports", json!({"org": org_id.to_string(), "period": demo_period(1), "values": {"workers": 900, "high_skilled": 90}, "submit": true})).await;
    assert_eq!((s, r["status"].as_str()), (200, Some("submitted")), "{r}");
    assert_eq!(r["submitted_by"], "tianning");
    let id = r["id"].as_i64().unwrap();
    let tr = |tok: String, action: &'static str| {
        let app = &app;
        async move {
            app.post(
                &tok,
                &format!("/api/v1/reports/{id}/transition"),
                json!({"action": action, "reason": "复核"}),
            )
            .await
        }
    };
    let workers = || async {
        indicator(&app, &city, "320402", demo_period(1), "workers_total").await["value"]
            .as_f64()
            .unwrap()
    };
    let before = workers().await;
    let version = r["version"].clone();

    // The submitter may neither approve nor return it.
    for action in ["approve", "return"] {
        let (s, v) = tr(tn.clone(), action).await;
        refused(s, &v, 403, "review_own_submission");
        assert!(
            v["error"]["message"].as_str().unwrap().contains("本人报送"),
            "{v}"
        );
    }
    // Not the level above: refused with its own code.
    let (s, v) = tr(ops.clone(), "approve").await;
    refused(s, &v, 403, "review_not_level_above");
    assert!(v["error"]["message"].as_str().unwrap().contains("上级区域"));
    // A unit never reviews.
    assert_eq!(tr(unit.clone(), "approve").await.0, 403);
    // Nothing changed: same state and version, no figures counted, no review audited.
    let (_, now) = app.get(&tn, &format!("/api/v1/reports/{id}")).await;
    assert_eq!(
        (now["status"].as_str(), &now["version"]),
        (Some("submitted"), &version)
    );
    assert_eq!(workers().await, before);
    let (_, log) = app
        .get(
            &admin,
            &format!("/api/v1/audit?entity_kind=report&entity_id={id}&per_page=50"),
        )
        .await;
    assert!(!log["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "report_approve" || e["action"] == "report_return"));

    // The submitter's page has no review buttons and says why.
    let b = app.browser("tianning").await;
    let (s, page) = b.get(&format!("/reports/{id}")).await;
    assert_eq!(s, 200);
    assert!(
        !page.contains("value=\"approve\"") && page.contains("data-review-note"),
        "{page}"
    );
    assert!(page.contains("本人报送"));
    // The city's page has them.
    let (_, page) = app
        .browser("city")
        .await
        .get(&format!("/reports/{id}"))
        .await;
    assert!(page.contains("value=\"approve\"") && !page.contains("data-review-note"));
    // Through the form, the submitter is refused just the same.
    let (s, html, _) = b
        .post(
            &format!("/reports/{id}/transition"),
            &[("action", "approve"), ("reason", "")],
        )
        .await;
    assert_eq!(s, 403);
    assert!(html.contains("本人报送"), "{html}");

    // The enterprise's own town — the level directly above it — approves.
    let (s, r) = tr(town_staff.clone(), "approve").await;
    assert_eq!((s, r["status"].as_str()), (200, Some("approved")), "{r}");
    assert_eq!(r["reviewed_by"], "zhenli");
    assert_eq!(workers().await, before + 900.0);
    // The submitter cannot return the approved report either; the city (an ancestor
    // level) can.
    assert_eq!(
        tr(tn.clone(), "return").await.1["error"]["code"],
        "review_own_submission"
    );
    let (s, r) = tr(city.clone(), "return").await;
    assert_eq!((s, r["status"].as_str()), (200, Some("returned")), "{r}");
    assert_eq!(workers().await, before);
    // Resubmitted by the unit, the district that entered it first may now approve: the
    // rule is about who submitted this version.
    let (s, r) = app.post(&unit, "/api/v1/reports", json!({"org": org_id.to_string(), "period": demo_period(1), "values": {"workers": 950, "high_skilled": 95}, "submit": true})).await;
    assert_eq!((s, r["submitted_by"].as_str()), (200, Some("unit")), "{r}");
    let (s, r) = tr(tn.clone(), "approve").await;
    assert_eq!((s, r["status"].as_str()), (200, Some("approved")), "{r}");
    assert_eq!(workers().await, before + 950.0);
}
